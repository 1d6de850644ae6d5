"""The peer in ``bench load``: the best-known FastAPI template's backend, served beside ours.

``--peer PATH[@REF]`` names a checkout of fastapi/full-stack-fastapi-template (as
``--copier-template`` does for ``render``; ``@REF`` takes that tag or commit of it with
``git archive``, otherwise the working tree). Its ``backend/`` is copied into the scratch
folder, synced with uv on Python 3.12, migrated and given its first superuser on a
database of its own, then served by uvicorn with the same flags as the generated app (its
module-level ``app``, not a factory). Its three requests are ``/api/v1/items/{id}``,
``/api/v1/items/?skip=0&limit=20`` and ``POST /api/v1/items/``, as its superuser.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from bench.common import BenchError, Workspace, child_env, run
from bench.harness import (
    POSTGRES_SERVER_URL,
    UV,
    GeneratedProject,
    RunningServer,
    find_python,
    serve,
)

PEER_PYTHON = "3.12"
HEALTH_PATH = "/api/v1/utils/health-check/"
ITEM = {"title": "Bench order", "description": "A row to read back"}
SEED_ROWS = 200


@dataclass
class Peer:
    """The running peer and what ``bench load`` drives on it."""

    server: RunningServer
    token: str
    row_id: str
    servers: Generator[RunningServer, None, None]
    database: str


def backend_copy(workspace: Workspace, spec: str) -> Path:
    """The peer's ``backend/`` folder, copied from ``PATH`` or ``PATH@REF``."""
    path_text, _, ref = spec.partition("@")
    source = Path(path_text).expanduser()
    if ref:
        probe = ["git", "-C", str(source), "cat-file", "-e", f"{ref}:backend/app/main.py"]
        found = subprocess.run(probe, capture_output=True, check=False).returncode == 0
    else:
        found = (source / "backend" / "app" / "main.py").is_file()
    if not found:
        raise BenchError(
            f"--peer {spec}: no backend/app/main.py there; give a checkout of "
            "fastapi/full-stack-fastapi-template (e.g. PATH@0.10.0)"
        )
    target = workspace.folder("peer")
    if ref:
        archive = subprocess.run(
            ["git", "-C", str(source), "archive", ref, "backend"],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise BenchError(f"--peer {spec}: git archive failed: {archive.stderr.decode()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")
    else:
        shutil.copytree(
            source / "backend", target / "backend", ignore=shutil.ignore_patterns(".venv")
        )
    return target / "backend"


def start(workspace: Workspace, spec: str, project: GeneratedProject, command: list[str]) -> Peer:
    """Install, migrate, seed and serve the peer; ``command`` is the generated app's."""
    backend = backend_copy(workspace, spec)
    python = find_python(PEER_PYTHON)
    run([UV, "sync", "--python", python], cwd=backend, env=child_env(), timeout=900)
    _, database = project.create_postgres_database(POSTGRES_SERVER_URL)
    password = secrets.token_urlsafe(24)
    env = {
        "PROJECT_NAME": "peer",
        "ENVIRONMENT": "production",
        "POSTGRES_SERVER": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_DB": database,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIRST_SUPERUSER": "admin@example.com",
        "FIRST_SUPERUSER_PASSWORD": password,
        "SENTRY_DSN": "",
    }
    bin_dir = backend / ".venv" / "bin"
    run([bin_dir / "alembic", "upgrade", "head"], cwd=backend, env=child_env(**env))
    run([bin_dir / "python", "app/initial_data.py"], cwd=backend, env=child_env(**env))
    factory = next(part for part in command if part.endswith(":create_app"))
    args = ["app.main:app" if part == factory else part for part in command if part != "--factory"]
    servers = serve(
        project,
        env,
        args,
        bin_dir=bin_dir,
        cwd=backend,
        log_file=workspace.root / "peer-server.log",
        health_path=HEALTH_PATH,
    )
    server = next(servers)
    token = _login(server, "admin@example.com", password)
    row_id = ""
    for _ in range(SEED_ROWS):
        row_id = str(_post(server, "/api/v1/items/", ITEM, token)["id"])
    return Peer(server, token, row_id, servers, database)


def _login(server: RunningServer, email: str, password: str) -> str:
    form = urlencode({"username": email, "password": password}).encode()
    with urlopen(server.base_url + "/api/v1/login/access-token", data=form, timeout=10) as reply:
        token: str = json.loads(reply.read())["access_token"]
        return token


def _post(server: RunningServer, path: str, body: object, token: str) -> dict[str, object]:
    request = Request(
        server.base_url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urlopen(request, timeout=10) as reply:
        answer: dict[str, object] = json.loads(reply.read())
        return answer
