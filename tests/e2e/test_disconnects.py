"""The generated service survives PostgreSQL closing its connections, under load.

The engine does not ping connections on checkout (``pool_pre_ping`` costs a round trip per
request). What replaces it is SQLAlchemy's documented "optimistic" handling plus a
checkout check: a connection the server closed while pooled is replaced without a round
trip, one lost during a read is invalidated and the read retried. This test proves it the
hard way: while threads read by id and list pages, every server-side connection of the
app is terminated with ``pg_terminate_backend``, twice; not one request may answer a 5xx,
and writes made afterwards (the ORM path, through connections that were killed while
idle in the pool) must succeed.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from bench.harness import GeneratedProject, RunningServer
from tests.e2e.conftest import generate, require_postgres, serve
from tests.e2e.test_generated_project import local_cmd

pytestmark = pytest.mark.e2e

EMAIL = "disconnects@example.com"
PASSWORD = "correct horse battery staple"
NOTE = {"title": "kept through a failover"}
THREADS = 8
LOAD_SECONDS = 2.0  # between kills, and after the last


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> GeneratedProject:
    return generate(
        tmp_path_factory,
        "failover",
        database="postgres",
        features=[["notes", "--field", "title:str:max=100"]],
    )


def _call(server: RunningServer, method: str, path: str, token: str, body: object = None) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = Request(server.base_url + path, data=data, headers=headers, method=method)
    try:
        with urlopen(request, timeout=10) as response:
            response.read()
            return int(response.status)
    except HTTPError as exc:
        return exc.code


def _terminate_backends(project: GeneratedProject, server_url: str, database: str) -> int:
    """Close every connection to ``database`` from the server side; return how many."""
    script = (
        "import asyncio, sys\n"
        "from sqlalchemy import text\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def main() -> None:\n"
        "    engine = create_async_engine(sys.argv[1], isolation_level='AUTOCOMMIT')\n"
        "    async with engine.connect() as connection:\n"
        "        killed = await connection.scalar(text(\n"
        "            'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity '\n"
        "            'WHERE datname = :name AND pid <> pg_backend_pid()'), {'name': sys.argv[2]})\n"
        "    await engine.dispose()\n"
        "    print(killed)\n"
        "asyncio.run(main())\n"
    )
    result = project.run("python", "-c", script, server_url, database)
    return int(result.stdout.strip().splitlines()[-1])


def test_no_5xx_when_postgres_terminates_every_connection_under_load(
    project: GeneratedProject, tmp_path: Path
) -> None:
    server_url = require_postgres()
    url, database = project.create_postgres_database(server_url)
    try:
        env = project.app_env(url, ENVIRONMENT="production", ALLOWED_HOSTS="127.0.0.1")
        project.run("alembic", "upgrade", "head", env=env)
        for server in serve(project, env, local_cmd(project), log_file=tmp_path / "server.log"):
            _terminate_under_load(project, server, server_url, database)
    finally:
        project.drop_postgres_database(server_url, database)


def _terminate_under_load(
    project: GeneratedProject, server: RunningServer, server_url: str, database: str
) -> None:
    status, _ = server.post_json("/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD})
    assert status == 201
    token = server.login(EMAIL, PASSWORD)
    status, note = server.post_json("/api/v1/notes", NOTE, token)
    assert status == 201
    paths = [f"/api/v1/notes/{note['id']}", "/api/v1/notes?page=1&page_size=20"]

    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def load(index: int) -> None:
        path = paths[index % len(paths)]
        while not done.is_set():
            try:
                code = _call(server, "GET", path, token)
            except (URLError, OSError) as exc:  # the server itself must not drop us
                with lock:
                    failures.append(repr(exc))
                continue
            with lock:
                statuses[code] += 1

    threads = [threading.Thread(target=load, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    killed = []
    for _ in range(2):
        time.sleep(LOAD_SECONDS)
        killed.append(_terminate_backends(project, server_url, database))
    time.sleep(LOAD_SECONDS)
    done.set()
    for thread in threads:
        thread.join()

    assert not failures, failures[:5]
    assert set(statuses) == {200}, f"statuses under load: {dict(statuses)}"
    assert all(count > 0 for count in killed), f"nothing to terminate: {killed}"
    assert statuses[200] > 100, "the load never really ran"

    # Connections killed while idle in the pool: the ORM's writes get fresh ones.
    assert _terminate_backends(project, server_url, database) > 0
    time.sleep(0.2)
    writes = [_call(server, "POST", "/api/v1/notes", token, NOTE) for _ in range(30)]
    reads = [_call(server, "GET", paths[0], token) for _ in range(10)]
    assert set(writes) == {201}, writes
    assert set(reads) == {200}, reads
