"""A generated project passes its own lint, strict type check, tests and migrations.

Every check runs the generated project's own tools from its own virtualenv, on SQLite and
on the PostgreSQL server at 127.0.0.1:5432, then starts the app with the Dockerfile's CMD.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
import yaml
from typer.testing import CliRunner

from bench.harness import NOT_PASSED_ON, RunningServer, find_python
from fastapi_forge.cli import app as cli_app
from tests.e2e.conftest import (
    UV,
    GeneratedProject,
    clean_env,
    generate,
    require_postgres,
    require_redis,
    serve,
)
from tests.generators.project.test_template_files import EXPECTED_FILES

pytestmark = pytest.mark.e2e

TOOLS = Path(sys.executable).parent


def passed_count(output: str) -> int:
    """The number of passed tests in a pytest summary; fails on any failure or error."""
    summary = output.strip().splitlines()[-1]
    assert not re.search(r"\d+ (failed|errors?)\b", summary), summary
    match = re.search(r"(\d+) passed", summary)
    assert match, summary
    return int(match.group(1))


# CI runs a reproducible fuzz: a fixed seed, deterministic generation, a fixed number of
# examples per operation. Set FORGE_FUZZ_SECONDS (and FORGE_FUZZ_SEED) to explore instead:
# random generation, two workers, for that many seconds.
FUZZ_SEED = os.environ.get("FORGE_FUZZ_SEED", "20261122")
FUZZ_SECONDS = os.environ.get("FORGE_FUZZ_SECONDS")
FUZZ_EXAMPLES = 40
FUZZ_TIMEOUT = 900


def fuzz(project: GeneratedProject, database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Serve the app and run Schemathesis against it as an admin; return its JSON report.

    Bounded by examples per operation (and a timeout), on 127.0.0.1 only. The one check left
    out is `positive_data_acceptance`: it expects every schema-valid body to succeed, but
    a business rule (a reference to a row that does not exist, an email domain reserved
    for tests) rightly answers 422.
    """
    env = project.app_env(
        database_url,
        ENVIRONMENT="staging",
        # Staging serves no docs and answers only named hosts: Schemathesis reads the
        # schema and calls 127.0.0.1.
        API_DOCS="true",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_LOGIN="100000/minute",
        RATE_LIMIT_REGISTER="100000/minute",
        ADMIN_PASSWORD="fuzzing admin password",
    )
    project.run("alembic", "upgrade", "head", env=env)
    project.run(
        "python", "-m", f"{project.package}.manage", "create-admin", "fuzz@example.com", env=env
    )
    schemathesis = shutil.which("schemathesis", path=str(TOOLS)) or shutil.which("schemathesis")
    assert schemathesis, "schemathesis is a test dependency: pip install -e '.[test]'"
    report_path = tmp_path / "schemathesis.json"
    for server in serve(
        project,
        env,
        ["uvicorn", f"{project.package}.main:create_app", "--factory", "--no-access-log"],
    ):
        token = server.login("fuzz@example.com", "fuzzing admin password")
        result = subprocess.run(
            [
                schemathesis,
                "run",
                f"{server.base_url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                str(FUZZ_EXAMPLES),
                "--seed",
                FUZZ_SEED,
                *(
                    ["--max-time", FUZZ_SECONDS, "--workers", "2"]
                    if FUZZ_SECONDS
                    else ["--generation-deterministic", "--workers", "1"]
                ),
                "--no-color",
                "--report",
                "json",
                "--report-json-path",
                str(report_path),
            ],
            cwd=tmp_path,  # Schemathesis keeps a cache in its working folder
            capture_output=True,
            text=True,
            timeout=FUZZ_TIMEOUT,
            check=False,
        )
        if not report_path.exists():
            pytest.fail(
                f"schemathesis wrote no report:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
            )
        report: dict[str, Any] = json.loads(report_path.read_text())
        report["stdout"] = result.stdout
        if report["exit_code"] != 0:
            print(result.stdout[-20000:])
        status, _ = server.get("/health")
        assert status == 200, "the app must still be healthy after fuzzing"
        return report
    pytest.fail("the server did not start")


def vulnerability_service_reachable() -> bool:
    """Whether pip-audit's default service (PyPI's JSON API for one release) answers."""
    try:
        with urlopen("https://pypi.org/pypi/pip/24.0/json", timeout=10) as response:
            return int(response.status) == 200
    except OSError:
        return False


def get_as(server: RunningServer, path: str, host: str) -> tuple[int, bytes]:
    """GET ``path`` with another ``Host`` header; return the status and the body."""
    request = Request(server.base_url + path, headers={"Host": host})
    try:
        with urlopen(request, timeout=5) as response:
            return int(response.status), response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


def peak_resident_kib(pid: int) -> int:
    """The peak resident memory of process ``pid`` so far, in KiB (Linux's VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    msg = f"no VmHWM for process {pid}"
    raise AssertionError(msg)


def send_oversized_header(port: int, total_bytes: int) -> tuple[int, bytes]:
    """Stream one header of ``total_bytes``; return what was sent and the server's reply."""
    chunk = b"a" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        try:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
            while sent < total_bytes:
                connection.sendall(chunk)
                sent += len(chunk)
            connection.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server cut the request short, as it should
        reply = b""
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            while data := connection.recv(65536):
                reply += data
    return sent, reply


def get_with_header(server: RunningServer, name: str, value: str) -> tuple[int, bytes]:
    """GET /health with one extra header; return the status and the body."""
    request = Request(server.base_url + "/health", headers={name: value})
    try:
        with urlopen(request, timeout=5) as response:
            return int(response.status), response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


def head(server: RunningServer, path: str) -> int:
    """The status of ``HEAD path``."""
    request = Request(server.base_url + path, method="HEAD")
    try:
        with urlopen(request, timeout=5) as response:
            return int(response.status)
    except HTTPError as exc:
        return exc.code


def health_check_commands(project: GeneratedProject) -> list[list[str]]:
    """The exec-form health checks of the Dockerfile and of compose's `api` service."""
    dockerfile = (project.root / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert match, "the Dockerfile has an exec-form HEALTHCHECK"
    compose = yaml.safe_load((project.root / "docker-compose.yml").read_text())
    test = compose["services"]["api"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return [json.loads(match.group(1)), test[1:]]


def run_health_check(project: GeneratedProject, check: list[str], server: RunningServer) -> None:
    """Run a container health check against ``server`` (its port instead of 8000)."""
    assert check[0] == "python"
    port = server.base_url.rsplit(":", 1)[1]
    command = [str(project.root / ".venv" / "bin" / "python")]
    command += [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in check[1:]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, f"health check {check} failed:\n{result.stderr}"


def dotenv_values(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of an env file, as docker compose reads them (no quotes used)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


_COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def compose_environment(
    project: GeneratedProject, service: str, dotenv: Mapping[str, str]
) -> dict[str, str]:
    """The environment docker compose gives ``service`` with ``dotenv`` as the project's .env:
    its ``env_file`` values, overridden by its interpolated ``environment``. A ``${X:?msg}``
    whose X is unset or empty raises, as compose refuses to start then."""

    def interpolate(match: re.Match[str]) -> str:
        value = dotenv.get(match["name"], "")
        if match["op"] == ":-":
            return value or match["arg"]
        if match["op"] == ":?" and not value:
            raise ComposeError(f"{match['name']}: {match['arg']}")
        return value

    compose = yaml.safe_load((project.root / "docker-compose.yml").read_text())
    definition = compose["services"][service]
    env_files = [entry["path"] for entry in definition.get("env_file", [])]
    assert env_files in ([], [".env"])
    environment = dict(dotenv) if env_files else {}
    for key, value in definition["environment"].items():
        environment[key] = _COMPOSE_VARIABLE.sub(interpolate, str(value))
    return environment


class ComposeError(Exception):
    """docker compose would refuse the file with this .env."""


def dockerfile_cmd(project: GeneratedProject) -> list[str]:
    """The exec-form CMD of the generated Dockerfile."""
    lines = (project.root / "Dockerfile").read_text().splitlines()
    cmd_lines = [line for line in lines if line.startswith("CMD ")]
    assert len(cmd_lines) == 1
    command: list[str] = json.loads(cmd_lines[0].removeprefix("CMD "))
    return command


def local_cmd(project: GeneratedProject) -> list[str]:
    """The Dockerfile's CMD, bound to 127.0.0.1; `serve` appends a free port."""
    command = dockerfile_cmd(project)
    command[command.index("--host") + 1] = "127.0.0.1"
    port = command.index("--port")
    del command[port : port + 2]
    return command


class GeneratedProjectChecks:
    """The checks every scenario must pass; subclasses name the scenario."""

    scenario: ClassVar[dict[str, Any]]

    @pytest.fixture(scope="class")
    @classmethod
    def project(cls, tmp_path_factory: pytest.TempPathFactory) -> GeneratedProject:
        return generate(tmp_path_factory, **cls.scenario)

    def test_ruff_check(self, project: GeneratedProject) -> None:
        project.run("ruff", "check", ".")

    def test_ruff_format(self, project: GeneratedProject) -> None:
        result = project.run("ruff", "format", "--check", ".")
        assert "already formatted" in result.stdout

    def test_mypy_strict(self, project: GeneratedProject) -> None:
        config = (project.root / "pyproject.toml").read_text()
        assert "strict = true" in config
        result = project.run("mypy")
        assert result.stdout.startswith("Success: no issues found")

    def test_no_suppressions_in_generated_code(self, project: GeneratedProject) -> None:
        for path in project.root.rglob("*.py"):
            if ".venv" in path.parts:
                continue
            text = path.read_text()
            assert "type: ignore" not in text, path
            assert "noqa" not in text, path

    def test_own_suite_passes_on_sqlite(self, project: GeneratedProject) -> None:
        env = {"TEST_REDIS_URL": require_redis()}
        result = project.run("pytest", "-q", "-p", "no:cacheprovider", "-rs", env=env)
        assert passed_count(result.stdout) >= 100
        assert "SKIPPED" not in result.stdout

    def test_own_suite_passes_on_postgres(self, project: GeneratedProject) -> None:
        env = {"TEST_DATABASE_URL": require_postgres(), "TEST_REDIS_URL": require_redis()}
        result = project.run("pytest", "-q", "-p", "no:cacheprovider", "-rs", env=env)
        assert passed_count(result.stdout) >= 100
        assert "SKIPPED" not in result.stdout

    def test_migrations_round_trip_on_sqlite(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        env = project.app_env(f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}")
        project.run("alembic", "upgrade", "head", env=env)
        project.run("alembic", "check", env=env)
        project.run("alembic", "downgrade", "base", env=env)
        project.run("alembic", "upgrade", "head", env=env)

    def test_migrations_round_trip_on_postgres(self, project: GeneratedProject) -> None:
        server = require_postgres()
        url, name = project.create_postgres_database(server)
        try:
            env = project.app_env(url)
            project.run("alembic", "upgrade", "head", env=env)
            project.run("alembic", "check", env=env)
            project.run("alembic", "downgrade", "base", env=env)
        finally:
            project.drop_postgres_database(server, name)

    def test_dockerfile_cmd_serves_health_and_ready(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        # Real host names: the health checks call 127.0.0.1 and must still pass.
        env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'served.sqlite3'}",
            ENVIRONMENT="production",
            ALLOWED_HOSTS="api.example.com",
        )
        project.run("alembic", "upgrade", "head", env=env)
        command = local_cmd(project)
        assert command[0] == "uvicorn"
        assert "--factory" in command
        for server in serve(project, env, command):
            status, body = server.get("/health")
            assert (status, json.loads(body)) == (200, {"status": "ok"})
            status, body = server.get("/ready")
            assert status == 200
            assert json.loads(body)["checks"] == {"database": "ok"}
            assert head(server, "/health") == head(server, "/ready") == 200
            for check in health_check_commands(project):
                run_health_check(project, check, server)
            status, body = get_as(server, "/docs", "api.example.com")
            assert status == 404
            assert json.loads(body)["error"]["code"] == "NOT_FOUND"
            status, body = get_as(server, "/metrics", "api.example.com")
            assert status == 404, "no public /metrics in production"
            status, body = get_as(server, "/api/v1/users/me", "api.example.com")
            assert status == 401
            status, body = server.get("/api/v1/users/me")
            assert status == 400, "any other path checks the Host"
            assert json.loads(body)["error"]["code"] == "INVALID_HOST"

    def test_placeholder_secret_stops_the_server_without_printing_it(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        # The secret a copied .env.example holds; and a database password that must not leak.
        example = dotenv_values(project.root / ".env.example")
        placeholder = example[f"{project.env_prefix}JWT_SECRET"]
        password = "db-password-" + secrets.token_hex(8)
        cases = {
            "placeholder": {"JWT_SECRET": placeholder},
            "uppercase placeholder": {"JWT_SECRET": "CHANGE-ME-" + secrets.token_urlsafe(40)},
            "test environment": {"ENVIRONMENT": "test"},
            "bad database URL": {
                "DATABASE_URL": f"postgresql+asyncpg://app:{password}@db:port/app"
            },
        }
        for case, values in cases.items():
            env = project.app_env(
                f"sqlite+aiosqlite:///{tmp_path / 'refused.sqlite3'}",
                ENVIRONMENT="production",
                ALLOWED_HOSTS="api.example.com",
            )
            env.update({f"{project.env_prefix}{key}": value for key, value in values.items()})
            command = [str(project.root / ".venv" / "bin" / "uvicorn"), *local_cmd(project)[1:]]
            result = subprocess.run(
                [*command, "--port", "0"],
                cwd=project.root,
                env=clean_env(**env),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            output = result.stdout + result.stderr
            assert result.returncode != 0, f"{case}: the server started"
            named = next(iter(values)).lower()
            assert named in output.lower(), f"{case}: the setting is named\n{output}"
            for secret in (*values.values(), password):
                if secret != "test":
                    assert secret not in output, f"{case}: a secret was printed\n{output}"

    def test_dockerfile_build_and_run_steps_work_outside_docker(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        dockerfile = (project.root / "Dockerfile").read_text().replace("\\\n", " ")
        syncs = re.findall(r"uv sync[^\n&;]*", dockerfile)
        assert len(syncs) == 2, syncs
        assert all("--locked" in sync and "--no-dev" in sync for sync in syncs)
        venv = tmp_path / "image-venv"
        env = clean_env(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never")
        for sync in syncs:
            command = [UV, *shlex.split(sync)[1:], "--python", project.python]
            result = subprocess.run(
                command, cwd=project.root, env=env, capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, result.stderr
        installed = {path.name for path in (venv / "bin").iterdir()}
        assert {"uvicorn", "alembic"} <= installed
        assert not {"pytest", "ruff", "mypy"} & installed, "no dev dependencies in the image"
        assert not list(venv.glob("lib/python*/site-packages/*.pth")), "installed, not editable"
        runtime = tmp_path / "app"
        runtime.mkdir()
        shutil.copy(project.root / "alembic.ini", runtime)
        shutil.copytree(project.root / "migrations", runtime / "migrations")
        app_env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'image.sqlite3'}",
            ENVIRONMENT="production",
            ALLOWED_HOSTS="api.example.com",
        )
        migrate = subprocess.run(
            [str(venv / "bin" / "alembic"), "upgrade", "head"],
            cwd=runtime,
            env=clean_env(**app_env),
            capture_output=True,
            text=True,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
        command = local_cmd(project)
        for server in serve(project, app_env, command, bin_dir=venv / "bin", cwd=runtime):
            assert server.get("/health")[0] == 200
            assert server.get("/ready")[0] == 200

    def test_workflow_passes_actionlint(self, project: GeneratedProject) -> None:
        actionlint = shutil.which("actionlint", path=str(TOOLS)) or shutil.which("actionlint")
        assert actionlint, "actionlint is a test dependency: pip install -e '.[test]'"
        workflow = project.root / ".github" / "workflows" / "ci.yml"
        result = project.run(actionlint, str(workflow))
        assert result.returncode == 0
        jobs = yaml.safe_load(workflow.read_text())["jobs"]
        steps = " ".join(
            shlex.join([step.get("run", "")]) for job in jobs.values() for step in job["steps"]
        )
        for tool in ("ruff check", "ruff format --check", "mypy", "pytest", "pip-audit"):
            assert tool in steps, tool
        assert "postgres" in jobs["test"]["services"]
        # The Redis rate-limit test runs in CI instead of skipping.
        assert "redis" in jobs["test"]["services"]
        tests = next(step for step in jobs["test"]["steps"] if step.get("name") == "Tests")
        assert tests["env"]["TEST_REDIS_URL"].startswith("redis://localhost:6379/")
        assert re.search(r"uvx pip-audit==\d+\.\d+\.\d+ ", steps), "pip-audit is pinned"

    def test_dockerfile_passes_hadolint(self, project: GeneratedProject) -> None:
        hadolint = shutil.which("hadolint", path=str(TOOLS)) or shutil.which("hadolint")
        assert hadolint, "hadolint is a test dependency: pip install -e '.[test]'"
        project.run(hadolint, "Dockerfile")
        dockerfile = (project.root / "Dockerfile").read_text()
        assert dockerfile.count("\nFROM ") >= 2, "multi-stage"
        assert re.search(r"^USER \d+", dockerfile, re.MULTILINE), "non-root user"
        assert "HEALTHCHECK" in dockerfile
        assert "--no-dev" in dockerfile

    def test_compose_has_what_the_app_needs(self, project: GeneratedProject) -> None:
        compose = yaml.safe_load((project.root / "docker-compose.yml").read_text())
        services = compose["services"]
        expected = {"api", "migrate", "redis"} | (
            {"db"} if project.database == "postgres" else set()
        )
        assert set(services) == expected
        for name in expected - {"migrate"}:
            assert "healthcheck" in services[name], name
        assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
        assert services["api"]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        environment = services["api"]["environment"]
        assert f"{project.env_prefix}JWT_SECRET" in environment
        url = environment[f"{project.env_prefix}DATABASE_URL"]
        assert url.startswith(
            "postgresql+asyncpg://" if project.database == "postgres" else "sqlite"
        )
        assert compose["volumes"]


def failed_login_status(server: RunningServer, forwarded_for: str) -> int:
    """POST a wrong password for a fresh email with this X-Forwarded-For; the status."""
    form = urlencode({"username": f"{uuid.uuid4().hex}@example.com", "password": "wrong pw"})
    request = Request(
        server.base_url + "/api/v1/auth/login",
        data=form.encode(),
        headers={"X-Forwarded-For": forwarded_for},
    )
    try:
        with urlopen(request, timeout=10) as response:
            return int(response.status)
    except HTTPError as exc:
        return exc.code


class TestDefaultProject(GeneratedProjectChecks):
    """`forge new demo --defaults`: SQLite, Python 3.12."""

    scenario: ClassVar[dict[str, Any]] = {"name": "demo"}

    def test_dockerfile_cmd_believes_forwarded_for_only_from_trusted_proxies(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        # Served by the Dockerfile's CMD on 127.0.0.1. It used to pass --proxy-headers, and
        # uvicorn trusts 127.0.0.1 by default: rotating X-Forwarded-For escaped the login
        # limit. Now only TRUSTED_PROXIES is believed, whatever FORWARDED_ALLOW_IPS says.
        env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'proxy.sqlite3'}",
            ENVIRONMENT="production",
            ALLOWED_HOSTS="127.0.0.1",
            RATE_LIMIT_LOGIN="2/minute",
        )
        project.run("alembic", "upgrade", "head", env=env)
        untrusted = {**env, "FORWARDED_ALLOW_IPS": "*"}
        for server in serve(project, untrusted, local_cmd(project)):
            rotated = [failed_login_status(server, f"198.51.100.{n}") for n in range(3)]
            assert rotated == [401, 401, 429]
        trusted = {**env, f"{project.env_prefix}TRUSTED_PROXIES": "127.0.0.1"}
        for server in serve(project, trusted, local_cmd(project)):
            clients = ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.1"]
            assert [failed_login_status(server, client) for client in clients] == [
                401,
                401,
                401,
                429,
            ]

    def test_dockerfile_cmd_cuts_an_oversized_header_without_holding_it(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        # With httptools a 200 MiB header grew the server from 97 to 337 MB before the
        # app's 431; the CMD's h11 parser buffers at most 64 KiB, then answers 400.
        env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'headers.sqlite3'}",
            ENVIRONMENT="production",
            ALLOWED_HOSTS="127.0.0.1",
        )
        project.run("alembic", "upgrade", "head", env=env)
        for server in serve(project, env, local_cmd(project)):
            before = peak_resident_kib(server.process.pid)
            port = int(server.base_url.rsplit(":", 1)[1])
            sent, reply = send_oversized_header(port, total_bytes=64 * 1024 * 1024)
            after = peak_resident_kib(server.process.pid)
            assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
            assert sent < 64 * 1024 * 1024, "the server read the whole header"
            assert after - before < 16 * 1024, f"the server's peak grew by {after - before} KiB"
            # Between the app's limit (32 KiB) and the server's (64 KiB): the app's 431.
            status, body = get_with_header(server, "X-Padding", "a" * 40_000)
            assert status == 431
            assert json.loads(body)["error"]["code"] == "HEADERS_TOO_LARGE"
            assert server.get("/health")[0] == 200

    def test_ci_audit_job_commands_pass(self, project: GeneratedProject, tmp_path: Path) -> None:
        """The workflow's `audit` job, its `run:` script exactly, in a copy of the project.

        Where PyPI's JSON API (pip-audit's vulnerability service) cannot be reached, as on
        a machine that only reaches the package index, `--dry-run` is appended: pip-audit
        then does everything (arguments, hashed requirements, every package found) but
        the look-up.
        """
        workflow = yaml.safe_load((project.root / ".github" / "workflows" / "ci.yml").read_text())
        steps = [step for step in workflow["jobs"]["audit"]["steps"] if "run" in step]
        assert len(steps) == 1
        script: str = steps[0]["run"]
        if not vulnerability_service_reachable():
            script = re.sub(r"(uvx pip-audit\S* [^\n]*)", r"\1 --dry-run", script)
            assert "--dry-run" in script
        checkout = tmp_path / "checkout"
        shutil.copytree(project.root, checkout, ignore=shutil.ignore_patterns(".venv"))
        env = clean_env(
            **{key: str(value) for key, value in workflow["env"].items()},
            PATH=f"{Path(UV).parent}{os.pathsep}{os.environ['PATH']}",
        )
        result = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "audited" in output or "No known vulnerabilities found" in output, output

    def test_dev_server_answers_an_unhandled_error_quickly_and_briefly(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        """The printed `--reload` dev server, development settings, a route that fails."""
        password = "dev-password-" + secrets.token_hex(8)
        (tmp_path / "failing_app.py").write_text(
            f"from {project.package}.main import create_app as create_base_app\n\n\n"
            "def create_app():\n"
            "    app = create_base_app()\n\n"
            "    async def fail() -> None:\n"
            f"        password = {password!r}\n"
            "        raise RuntimeError(len(password))\n\n"
            '    app.add_api_route("/fail", fail)\n'
            "    return app\n"
        )
        env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'dev.sqlite3'}", ENVIRONMENT="development"
        )
        log = tmp_path / "server.log"
        command = ["uvicorn", "failing_app:create_app", "--factory", "--reload"]
        command += ["--app-dir", str(tmp_path)]
        for server in serve(project, env, command, log_file=log):
            before = len(log.read_text().splitlines())
            started = time.perf_counter()
            status, _ = server.get("/fail")
            seconds = time.perf_counter() - started
            assert status == 500
            time.sleep(0.5)
            lines = log.read_text().splitlines()[before:]
            assert seconds < 2, f"the 500 took {seconds:.1f} s"
            assert "RuntimeError" in "\n".join(lines)
            assert len(lines) < 200, f"{len(lines)} log lines for one error"
            assert password not in log.read_text()


EVERY_FIELD_TYPE = [
    "orders",
    "--field",
    "title:str:max=120:min=2:unique",
    "--field",
    "notes:text?",
    "--field",
    "quantity:int:ge=0:le=1000:index",
    "--field",
    "weight:float:gt=0:lt=500.5",
    "--field",
    "total:decimal:digits=10:places=2:ge=0",
    "--field",
    "rush:bool:default=false",
    "--field",
    "due_on:date:index",
    "--field",
    "shipped_at:datetime?",
    "--field",
    "tracking:uuid:unique",
    "--field",
    "status:enum=pending,paid,shipped:default=pending",
    "--field",
    "tags:json?",
    "--field",
    "code:str:max=12:default=N/A",
]


# Field names equal to types and to names the templates use, numbers bounded tightly, and
# a plural of 18 characters in an owned slice: each once broke the project forge accepted.
ODD_NAMES_AND_TIGHT_BOUNDS = [
    "shipping-addresses",
    *("--field", "date:date?", "--field", "datetime:datetime?", "--field", "uuid:uuid"),
    *("--field", "self:str", "--field", "session:str", "--field", "service:enum=a,b"),
    *("--field", "filters:str:unique", "--field", "page:int", "--field", "data:json?:max=200"),
    *("--field", "ratio:float:ge=0:le=1", "--field", "flag:int:ge=0:le=1"),
    *("--field", "below:int:le=-1", "--field", "seven:int:ge=7:le=7"),
    *("--field", "small:decimal:digits=3:places=2:le=1"),
    *("--field", "rank:int:ge=1:le=50:unique", "--field", "at:datetime:unique"),
]


class TestProjectWithFeatures(GeneratedProjectChecks):
    """`forge new demo` then five slices: every field type, a reference, a public one, odd
    field names with tight bounds, and open writes."""

    scenario: ClassVar[dict[str, Any]] = {
        "name": "shop",
        "database": "postgres",
        "features": [
            EVERY_FIELD_TYPE,
            [
                "order-items",
                "--field",
                "order:ref=orders",
                "--field",
                "sku:str:max=40",
                "--field",
                "count:int:gt=0",
            ],
            ["announcements", "--public", "--field", "headline:str:min=3", "--field", "body:text"],
            ODD_NAMES_AND_TIGHT_BOUNDS,
            ["guestbook-entries", "--public-writes", "--field", "message:text:max=500"],
        ],
    }

    @pytest.mark.fuzz
    @pytest.mark.parametrize("database", ["sqlite", "postgres"])
    def test_schemathesis_finds_no_server_error_or_schema_violation(
        self, project: GeneratedProject, tmp_path: Path, database: str
    ) -> None:
        if database == "postgres":
            url, name = project.create_postgres_database(require_postgres())
        else:
            url, name = f"sqlite+aiosqlite:///{tmp_path / 'fuzz.sqlite3'}", ""
        try:
            report = fuzz(project, url, tmp_path)
        finally:
            if name:
                project.drop_postgres_database(require_postgres(), name)
        summary = (
            f"{database}: {report['operations']['tested']} operations, "
            f"{report['test_cases']['generated']} test cases in "
            f"{report['running_time']:.0f} s"
        )
        print(summary)
        failures = {failure["code"]: failure["count"] for failure in report["failures"]}
        # The target: no 5xx and no response that breaks the schema, on every operation.
        assert not failures, f"{summary}; failures: {failures}"
        assert report["operations"]["tested"] == report["operations"]["selected"]
        assert report["test_cases"]["generated"] >= 1000, summary
        # An error inside Schemathesis itself (seen: Hypothesis failing to describe one of
        # its lambdas) is not the server's; a network error would be, and fails the test.
        assert "Network Error" not in report["stdout"], summary

    def test_forge_audit_run_reads_the_real_app_and_measures_coverage(
        self, project: GeneratedProject
    ) -> None:
        def files() -> set[str]:
            return {
                path.relative_to(project.root).as_posix()
                for path in project.root.rglob("*")
                if ".venv" not in path.parts and "__pycache__" not in path.parts
            }

        before = files()
        result = CliRunner().invoke(
            cli_app, ["audit", str(project.root), "--json", "--run-tests", "--fail-under", "80"]
        )

        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        runtime = document["runtime"]
        assert runtime["error"] is None, runtime
        assert runtime["interpreter"] == str(project.root / ".venv" / "bin" / "python")
        assert runtime["app"] == f"{project.package}.main:create_app"
        paths = {route["path"] for route in runtime["routes"]}
        assert {"/health", "/ready", "/metrics", "/api/v1/orders"} <= paths
        assert {"CORSMiddleware", "SecurityHeadersMiddleware"} <= set(runtime["middleware"])
        assert "AppError" in runtime["exception_handlers"]
        assert runtime["openapi"]["error"] is None
        assert runtime["openapi"]["without_response_schema"] == []
        tests = runtime["tests"]
        assert tests["passed"] is True, tests
        assert tests["coverage"] >= 85, tests
        assert document["health"]["points"] == 16
        assert document["p0"]["met"] == document["p0"]["total"]
        assert document["security"]["met"] == document["security"]["total"]
        assert files() == before, "nothing is left in the project"

    def test_every_slice_is_wired_in(self, project: GeneratedProject) -> None:
        registry = (project.root / "src" / project.package / "registry.py").read_text()
        features = ("orders", "order_items", "announcements", "shipping_addresses")
        for feature in (*features, "guestbook_entries"):
            assert f"{feature}_router," in registry
            assert f"{feature}_models," in registry


class TestPostgresProject(GeneratedProjectChecks):
    """A PostgreSQL project on Python 3.11 with an awkward name and description."""

    scenario: ClassVar[dict[str, Any]] = {
        "name": "Billing-API",
        "database": "postgres",
        "python_version": "3.11",
        "description": 'Bills "customers" \\ keeps {{ braces }} & <tags>',
    }


def test_installed_wheel_renders_exactly_the_template(tmp_path: Path) -> None:
    """README command 1 installs the wheel with pip, which byte-compiles the templates."""
    repo = Path(__file__).resolve().parents[2]
    dist = tmp_path / "dist"
    subprocess.run(
        [UV, "build", "--wheel", "--out-dir", str(dist), str(repo)],
        check=True,
        capture_output=True,
        env=clean_env(),
    )
    wheel = next(dist.glob("fastapi_forge-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([UV, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [
            UV,
            "pip",
            "install",
            "-q",
            "--compile-bytecode",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        check=True,
        env=clean_env(),
    )
    result = subprocess.run(
        [str(venv / "bin" / "forge"), "new", "shop", "--defaults", "--no-install", "--no-git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "shop"
    written = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    # forge's records: the manifest, and a base copy of every file but the secret .env.
    records = [".forge/manifest.toml", *(f".forge/base/{path}" for path in EXPECTED_FILES)]
    assert written == sorted([*EXPECTED_FILES, ".env", *records])


# With the two options that change output (database, Python), covering every pair means
# every combination: the classes above cover (sqlite, 3.12), (postgres, 3.11) and
# (postgres, 3.12); these complete the set.


class TestSqlitePython311(GeneratedProjectChecks):
    """SQLite on Python 3.11, the oldest supported version."""

    scenario: ClassVar[dict[str, Any]] = {"name": "inventory", "python_version": "3.11"}


class TestSqlitePython313(GeneratedProjectChecks):
    """SQLite on Python 3.13."""

    scenario: ClassVar[dict[str, Any]] = {"name": "ledger", "python_version": "3.13"}


class TestPostgresPython313(GeneratedProjectChecks):
    """PostgreSQL on Python 3.13."""

    scenario: ClassVar[dict[str, Any]] = {
        "name": "tracker",
        "database": "postgres",
        "python_version": "3.13",
    }


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_fresh_project_is_ready_for_docker_compose(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`forge new` (with its uv sync and git steps), then what `docker compose up` needs,
    checked as far as it can be without Docker: the lock the image installs from, the
    files it copies, compose's variables from forge's .env, the migrate and api commands
    with that environment, and the container health checks."""
    for variable in NOT_PASSED_ON:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PATH", f"{Path(UV).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("UV_PYTHON", find_python("3.12"))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Forge Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "forge@example.com")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, ["new", "fresh", "--defaults", "--database", database])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.stderr
    assert "installed the dependencies with uv sync" in result.stdout
    root = tmp_path / "fresh"
    project = GeneratedProject(root, "fresh", "FRESH_", database, find_python("3.12"))

    # The image installs from the committed lock: `uv sync --locked` must accept it.
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"uv.lock", "pyproject.toml", "Dockerfile", "docker-compose.yml"} <= set(tracked)
    assert ".env" not in tracked
    venv = tmp_path / "image-venv"
    sync = subprocess.run(
        [UV, "sync", "--locked", "--no-dev", "--no-editable"],
        cwd=root,
        env=clean_env(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert sync.returncode == 0, sync.stderr

    # Every file the Dockerfile copies from the build context exists and is not ignored.
    ignored = {
        line.strip()
        for line in (root / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for line in (root / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                if not source.startswith("--"):
                    assert (root / source).exists(), source
                    assert source not in ignored, source

    # A .env copied from .env.example must not start a stack that accepts public secrets.
    example = dotenv_values(root / ".env.example")
    if database == "postgres":
        with pytest.raises(ComposeError, match="POSTGRES_PASSWORD"):
            compose_environment(project, "api", example)
    else:
        copied = compose_environment(project, "api", example)
        assert copied["FRESH_ENVIRONMENT"] == "production", "whatever .env says"
        refused = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "from fresh.main import create_app; create_app()"],
            env=clean_env(**copied),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode != 0
        assert "FRESH_JWT_SECRET is a placeholder" in refused.stderr
        assert copied["FRESH_JWT_SECRET"] not in refused.stderr

    # forge's own .env: compose resolves every variable, and the stack's commands run.
    environment = compose_environment(project, "api", dotenv_values(root / ".env"))
    assert environment["FRESH_ENVIRONMENT"] == "production"
    dropped = ""
    if database == "postgres":
        compose = yaml.safe_load((root / "docker-compose.yml").read_text())
        db_password = compose_environment(project, "db", dotenv_values(root / ".env"))
        assert db_password["POSTGRES_PASSWORD"] == dotenv_values(root / ".env")["POSTGRES_PASSWORD"]
        assert compose["services"]["db"]["ports"] == ["127.0.0.1:5432:5432"]
        url, dropped = project.create_postgres_database(require_postgres())
        assert f":{db_password['POSTGRES_PASSWORD']}@db:5432/" in environment["FRESH_DATABASE_URL"]
    else:
        assert environment["FRESH_DATABASE_URL"] == "sqlite+aiosqlite:////data/fresh.db"
        url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'fresh.db'}"
        (tmp_path / "data").mkdir()
    environment["FRESH_DATABASE_URL"] = url  # the `db` host and /data exist in Docker only
    environment["FRESH_REDIS_URL"] = require_redis()
    runtime = tmp_path / "app"
    runtime.mkdir()
    shutil.copy(root / "alembic.ini", runtime)
    shutil.copytree(root / "migrations", runtime / "migrations")
    try:
        compose = yaml.safe_load((root / "docker-compose.yml").read_text())
        program, *arguments = compose["services"]["migrate"]["command"]
        migrate = subprocess.run(
            [str(venv / "bin" / program), *arguments],
            cwd=runtime,
            env=clean_env(**environment),
            capture_output=True,
            text=True,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
        for server in serve(
            project, environment, local_cmd(project), bin_dir=venv / "bin", cwd=runtime
        ):
            for check in health_check_commands(project):
                run_health_check(project, check, server)
            assert server.get("/ready")[0] == 200
    finally:
        if dropped:
            project.drop_postgres_database(require_postgres(), dropped)
