"""Generate a project with forge, install it with uv, and run its tools and its server.

Shared by the end-to-end tests (``tests/e2e``) and the benchmarks (``bench/``), so it
needs no pytest: a failure raises :class:`HarnessError` (an ``AssertionError``, which
pytest reports as a test failure) carrying the command's output.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import yaml
from typer.testing import CliRunner
from uv import find_uv_bin

from fastapi_forge.cli import app
from fastapi_forge.generators.project.generator import (
    Components,
    Database,
    PythonVersion,
    create_project,
)
from fastapi_forge.naming import normalize_project_name

POSTGRES_SERVER_URL = os.environ.get(
    "FORGE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("FORGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
UV = find_uv_bin()


class HarnessError(AssertionError):
    """A command of the generated project failed; the message holds its output."""


def find_python(version: str) -> str:
    """An interpreter for ``version``: on PATH, under pyenv, or one uv knows about."""
    candidates: list[str] = []
    if found := shutil.which(f"python{version}"):
        candidates.append(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        str(path) for path in pyenv_root.glob(f"versions/{version}.*/bin/python{version}")
    )
    for candidate in candidates:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    probe = subprocess.run(
        [UV, "python", "find", version], capture_output=True, text=True, check=False
    )
    if probe.returncode == 0:
        return probe.stdout.strip()
    raise HarnessError(
        f"no Python {version} interpreter found; install one (uv python install {version})"
    )


def reachable(url: str, default_port: int) -> bool:
    """Whether something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        address = (parts.hostname or "127.0.0.1", parts.port or default_port)
        with socket.create_connection(address, 2):
            return True
    except OSError:
        return False


# Variables never passed on to the generated project's tools. nox points
# UV_PROJECT_ENVIRONMENT and UV_PYTHON at its own session venv: a `uv sync` of the generated
# project would otherwise replace that venv's packages (forge itself included).
NOT_PASSED_ON = frozenset(
    {
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "TEST_DATABASE_URL",
        "UV_PROJECT_ENVIRONMENT",
        "UV_PYTHON",
    }
)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for the generated project's tools: nothing of ours leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in NOT_PASSED_ON and not key.startswith(("PYTEST_", "COV_"))
    }
    env.update(extra)
    return env


@dataclass
class GeneratedProject:
    """A rendered and installed project, and helpers to run its own tools."""

    root: Path
    package: str
    env_prefix: str
    database: str
    python: str
    logs: list[str] = field(default_factory=list)

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project folder; fail the test with its output if it fails."""
        command = [str(self.root / ".venv" / "bin" / args[0]), *args[1:]]
        result = subprocess.run(
            command,
            cwd=self.root,
            env=clean_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.logs.append(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            raise HarnessError(
                f"`{' '.join(args)}` exited {result.returncode} in {self.root}:\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def app_env(self, database_url: str, **extra: str) -> dict[str, str]:
        """Variables for running the app or Alembic against ``database_url``."""
        return {
            f"{self.env_prefix}DATABASE_URL": database_url,
            f"{self.env_prefix}JWT_SECRET": secrets.token_urlsafe(48),
            **{f"{self.env_prefix}{key}": value for key, value in extra.items()},
        }

    def create_postgres_database(self, server_url: str) -> tuple[str, str]:
        """Create an empty database with the project's own driver; return (url, name)."""
        name = f"forge_e2e_{uuid.uuid4().hex[:10]}"
        self.run("python", "-c", _ADMIN_SQL, server_url, f'CREATE DATABASE "{name}"')
        base, _, _ = server_url.rpartition("/")
        return f"{base}/{name}", name

    def drop_postgres_database(self, server_url: str, name: str) -> None:
        """Drop a database made by ``create_postgres_database``."""
        self.run(
            "python", "-c", _ADMIN_SQL, server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        )


_ADMIN_SQL = """
import asyncio, sys
from sqlalchemy.ext.asyncio import create_async_engine
async def main() -> None:
    engine = create_async_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.exec_driver_sql(sys.argv[2])
    await engine.dispose()
asyncio.run(main())
"""


def generate(
    parent: Path,
    name: str,
    *,
    database: Database = "sqlite",
    python_version: PythonVersion = "3.12",
    description: str = "A service generated by the forge end-to-end tests.",
    features: Sequence[Sequence[str]] = (),
    components: Components | None = None,
    added: Sequence[Sequence[str]] = (),
    jobs: Sequence[Sequence[str]] = (),
) -> GeneratedProject:
    """Render ``name`` with forge (and ``components``), add ``features`` (each a list of
    arguments of `forge add feature`), then the components of ``added`` to the grown
    project (each the arguments of `forge add`: ``["worker", "--broker", "rabbitmq"]``),
    then ``jobs`` (of `forge add job`), and ``uv sync`` it (the uv cache makes this
    seconds)."""
    names = normalize_project_name(name)
    destination = parent / names.project_name
    create_project(
        names,
        destination,
        description=description,
        database=database,
        python_version=python_version,
        dry_run=False,
        components=components,
    )
    with contextlib.chdir(destination):
        commands = [["feature", *arguments, "--quiet"] for arguments in features]
        commands += [list(arguments) for arguments in added]
        commands += [["job", *arguments, "--quiet"] for arguments in jobs]
        for command in commands:
            result = CliRunner().invoke(app, ["add", *command])
            if result.exit_code != 0:
                raise HarnessError(f"forge add {' '.join(command)} failed: {result.output}")
    return install(destination, database=database, python_version=python_version)


def install(
    destination: Path, *, database: Database = "sqlite", python_version: PythonVersion = "3.12"
) -> GeneratedProject:
    """``uv sync`` the project at ``destination`` (made by forge) and describe it."""
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text(encoding="utf-8"))
    names = normalize_project_name(str(answers["project_name"]))
    python = find_python(python_version)
    sync = subprocess.run(
        [UV, "sync", "--python", python],
        cwd=destination,
        env=clean_env(UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if sync.returncode != 0:
        raise HarnessError(f"uv sync failed in {destination}:\n{sync.stderr[-6000:]}")
    return GeneratedProject(
        root=destination,
        package=names.package_name,
        env_prefix=names.env_prefix,
        database=database,
        python=python,
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningServer:
    """A uvicorn process serving the generated app on 127.0.0.1."""

    process: subprocess.Popen[str]
    base_url: str

    def login(self, email: str, password: str) -> str:
        """An access token from the app's own login endpoint."""
        form = urlencode({"username": email, "password": password}).encode()
        with urlopen(self.base_url + "/api/v1/auth/login", data=form, timeout=10) as response:
            token: str = json.loads(response.read())["access_token"]
            return token

    def post_json(self, path: str, body: object, token: str | None = None) -> tuple[int, Any]:
        """POST ``body`` as JSON; return the status and the decoded reply."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = Request(
            self.base_url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urlopen(request, timeout=10) as response:
                return int(response.status), json.loads(response.read() or b"null")
        except HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path``; return the status and the body, whatever the status."""
        try:
            with urlopen(self.base_url + path, timeout=5) as response:
                return int(response.status), response.read()
        except HTTPError as exc:
            return exc.code, exc.read()


def serve(
    project: GeneratedProject,
    env: Mapping[str, str],
    args: list[str],
    *,
    bin_dir: Path | None = None,
    cwd: Path | None = None,
    log_file: Path | None = None,
    health_path: str = "/health",
) -> Generator[RunningServer, None, None]:
    """Start ``args`` (a uvicorn command) and wait until ``health_path`` answers 200.

    By default it runs from the project with the project's virtualenv; ``bin_dir`` and
    ``cwd`` stand in for another environment (such as the Dockerfile's runtime stage).
    The server's output goes to a pipe, or to ``log_file`` when the caller will send
    more requests than a pipe holds log lines.
    """
    port = free_port()
    executables = bin_dir or project.root / ".venv" / "bin"
    command = [str(executables / args[0]), *args[1:], "--port", str(port)]
    log = log_file.open("w", encoding="utf-8") if log_file is not None else None
    process = subprocess.Popen(
        command,
        cwd=cwd or project.root,
        env=clean_env(**env),
        stdout=log if log is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = RunningServer(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                if log_file is not None:
                    output = log_file.read_text(encoding="utf-8", errors="replace")
                else:
                    output = process.stdout.read() if process.stdout else ""
                raise HarnessError(
                    f"the server exited with {process.returncode}:\n{output[-4000:]}"
                )
            try:
                if server.get(health_path)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise HarnessError(f"the server did not answer {health_path} within 30 s")
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            log.close()
