"""End to end with a real broker: the generated API and a real worker process (and the
scheduler), jobs enqueued through the API, their effect read from PostgreSQL, a worker
killed mid-job whose job is delivered again, the scheduled purge; and every combination
of the components passing the project's own checks.

Redis at 127.0.0.1:6379 and RabbitMQ at 127.0.0.1:5672 (guest/guest); with ``CI=true`` a
missing broker fails the test, never skips it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.harness import IN_CI, GeneratedProject, clean_env, reachable, serve
from fastapi_forge.generators.project.generator import Components

from .conftest import generate, require_postgres

pytestmark = pytest.mark.e2e

RABBITMQ_URL = os.environ.get("FORGE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
BROKER_REDIS_URL = os.environ.get("FORGE_TEST_BROKER_REDIS_URL", "redis://127.0.0.1:6379/13")
ADMIN = "admin@example.com"
PASSWORD = "a long and unguessable admin password"

JOB_MODULE = '''"""The slow_insert job, as a user would write it: wait, then store a note."""

import asyncio

import structlog

from ..features.notes.repository import NoteRepository
from ..features.notes.schemas import NoteCreate
from ..features.notes.service import NoteService
from ..worker.job import Job, JobArgs, JobContext
from ..worker.queue import JobQueue

logger = structlog.get_logger(__name__)


class SlowInsertArgs(JobArgs):
    """A note's name, and how long to wait before storing it."""

    name: str
    seconds: float = 0


async def handle(args: SlowInsertArgs, notes: NoteService, context: JobContext) -> None:
    """Wait ``seconds``, then store the note ``name``."""
    logger.info("slow_insert_started", name=args.name, attempt=context.attempt)
    await asyncio.sleep(args.seconds)
    await notes.create(NoteCreate(name=args.name))


async def run(args: SlowInsertArgs, context: JobContext) -> None:
    """What the worker runs: ``handle`` with the notes service on the job's session."""
    await handle(args, NoteService(NoteRepository(context.session)), context)


job = Job(name="slow_insert", args=SlowInsertArgs, run=run)


async def enqueue(queue: JobQueue, args: SlowInsertArgs) -> str:
    """Send the job to the worker; returns its job id."""
    return await queue.enqueue(job, args)
'''

JOB_TEST = '''"""The slow_insert job, run on the in-memory broker."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {package}.features.notes.models import Note
from {package}.jobs import slow_insert
from {package}.worker.queue import JobQueue


async def test_slow_insert_stores_the_note(job_queue: JobQueue, session: AsyncSession) -> None:
    await slow_insert.enqueue(job_queue, slow_insert.SlowInsertArgs(name="from-test"))
    names = (await session.scalars(select(Note.name))).all()
    assert "from-test" in names
'''

SQL = """
import asyncio, json, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
async def main() -> None:
    engine = create_async_engine(sys.argv[1])
    async with engine.begin() as connection:
        result = await connection.execute(text(sys.argv[2]), json.loads(sys.argv[3]))
        rows = [list(map(str, row)) for row in result] if result.returns_rows else []
    await engine.dispose()
    print(json.dumps(rows))
asyncio.run(main())
"""


def require_broker(kind: str) -> str:
    url = BROKER_REDIS_URL if kind == "redis" else RABBITMQ_URL
    if reachable(url, 6379 if kind == "redis" else 5672):
        return url
    message = f"the {kind} broker is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the broker tests must run)")
    pytest.skip(message)


class Processes:
    """Worker and scheduler processes, each in its own process group, logging to files."""

    def __init__(self, project: GeneratedProject, env: dict[str, str], logs: Path) -> None:
        self.project = project
        self.env = env
        self.logs = logs
        self.running: list[subprocess.Popen[str]] = []

    def start(self, name: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
        log = self.logs / f"{name}-{len(self.running)}.log"
        process = subprocess.Popen(
            [
                str(self.project.root / ".venv/bin/python"),
                "-m",
                f"{self.project.package}.worker",
                *args,
            ],
            cwd=self.project.root,
            env=clean_env(**self.env),
            stdout=log.open("w", encoding="utf-8"),
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.running.append(process)
        return process, log

    @staticmethod
    def kill(process: subprocess.Popen[str]) -> None:
        """SIGKILL the whole group: taskiq's supervisor and its worker processes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.kill(process)


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


def logged(log: Path, event: str, **fields: str) -> bool:
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("event") == event and all(entry.get(k) == v for k, v in fields.items()):
            return True
    return False


@pytest.fixture(scope="class", params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="class")
def project(tmp_path_factory: pytest.TempPathFactory, broker: str) -> GeneratedProject:
    generated = generate(
        tmp_path_factory,
        f"jobs-{broker}",
        database="postgres",
        components=Components(worker=True, broker="redis" if broker == "redis" else "rabbitmq"),
        features=[["notes", "--public", "--field", "name:str"]],
        jobs=[["slow-insert", "--feature", "notes"]],
    )
    package = generated.root / "src" / generated.package
    (package / "jobs/slow_insert.py").write_text(JOB_MODULE, encoding="utf-8")
    (generated.root / "tests/test_job_slow_insert.py").write_text(
        JOB_TEST.format(package=generated.package), encoding="utf-8"
    )
    return generated


@pytest.fixture(scope="class")
def database(project: GeneratedProject) -> Iterator[str]:
    server = require_postgres()
    url, name = project.create_postgres_database(server)
    project.run("alembic", "upgrade", "head", env=project.app_env(url))
    yield url
    project.drop_postgres_database(server, name)


def sql(project: GeneratedProject, url: str, statement: str, **params: str) -> list[list[str]]:
    """Run ``statement`` (bound ``params``) on ``url`` with the project's own driver."""
    result = project.run("python", "-c", SQL, url, statement, json.dumps(params))
    rows: list[list[str]] = json.loads(result.stdout)
    return rows


class TestWorkerEndToEnd:
    def test_the_project_passes_its_own_checks_with_the_real_broker(
        self, project: GeneratedProject, broker: str
    ) -> None:
        broker_url = require_broker(broker)
        server = require_postgres()
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
        project.run("mypy")
        env = {"TEST_DATABASE_URL": server, "TEST_BROKER_URL": broker_url, "CI": "true"}
        project.run("pytest", "-q", "-x", "-p", "no:cacheprovider", env=env, timeout=900)

    def test_jobs_through_the_api_a_killed_worker_and_the_schedule(
        self, project: GeneratedProject, broker: str, database: str, tmp_path: Path
    ) -> None:
        broker_url = require_broker(broker)
        env = project.app_env(
            database,
            BROKER_URL=broker_url,
            BROKER_QUEUE=f"e2e_{uuid.uuid4().hex[:10]}",
            WORKER_REDELIVERY_SECONDS="3",
            WORKER_HEARTBEAT_FILE=str(tmp_path / "heartbeat"),
            WORKER_HEARTBEAT_SECONDS="1",
            WORKER_SHUTDOWN_SECONDS="5",
            JOB_RETRY_DELAY_SECONDS="0.2",
            JOB_SCHEDULES=json.dumps({"purge_refresh_tokens": "* * * * *"}),
            LOG_JSON="true",
            ADMIN_PASSWORD=PASSWORD,
        )
        project.run("python", "-m", f"{project.package}.manage", "create-admin", ADMIN, env=env)
        user_id = sql(project, database, "SELECT id FROM users WHERE email = :email", email=ADMIN)[
            0
        ][0]
        expired = str(uuid.uuid4())
        sql(
            project,
            database,
            "INSERT INTO refresh_tokens (id, user_id, expires_at, created_at, updated_at) VALUES "
            "(CAST(:id AS uuid), CAST(:user AS uuid), now() - interval '1 day', now(), now())",
            id=expired,
            user=user_id,
        )
        processes = Processes(project, env, tmp_path)
        uvicorn = ["uvicorn", f"{project.package}.main:create_app", "--factory"]
        server_runs = serve(project, env, uvicorn, log_file=tmp_path / "api.log")
        api = next(server_runs)
        try:
            worker, worker_log = processes.start("worker")
            processes.start("scheduler", "scheduler")
            wait_for(lambda: logged(worker_log, "worker_started"), 30, "the worker to start")
            health = subprocess.run(
                [
                    str(project.root / ".venv/bin/python"),
                    "-m",
                    f"{project.package}.worker",
                    "health",
                ],
                env=clean_env(**env),
                cwd=project.root,
                check=False,
            )
            assert health.returncode == 0
            status, ready = api.get("/ready")
            assert status == 200
            assert json.loads(ready)["checks"]["broker"] == "ok"
            token = api.login(ADMIN, PASSWORD)

            def names() -> set[str]:
                return {row[0] for row in sql(project, database, "SELECT name FROM notes")}

            # Enqueued through the API, done by the worker, seen in PostgreSQL.
            status, body = api.post_json("/api/v1/jobs/slow_insert", {"name": "first"}, token)
            assert status == 202, body
            wait_for(lambda: "first" in names(), 30, "the first job's note")
            assert logged(worker_log, "job_done", job="slow_insert", job_id=body["job_id"])

            # Killed mid-job: the job is not lost, another worker does it.
            status, body = api.post_json(
                "/api/v1/jobs/slow_insert", {"name": "killed", "seconds": 8}, token
            )
            assert status == 202, body
            wait_for(
                lambda: logged(worker_log, "slow_insert_started", name="killed"),
                30,
                "the slow job to start",
            )
            processes.kill(worker)
            assert "killed" not in names()
            _, second_log = processes.start("worker")
            wait_for(lambda: logged(second_log, "worker_started"), 30, "a second worker")
            if broker == "redis":
                # taskiq-redis reclaims pending messages when a worker receives new ones,
                # once they have been pending WORKER_REDELIVERY_SECONDS.
                time.sleep(4)
                api.post_json("/api/v1/jobs/slow_insert", {"name": "nudge"}, token)
            wait_for(lambda: "killed" in names(), 60, "the killed job, delivered again")
            assert logged(second_log, "slow_insert_started", name="killed")

            # The scheduler enqueues the purge every minute here.
            wait_for(
                lambda: (
                    not sql(
                        project,
                        database,
                        "SELECT id FROM refresh_tokens WHERE id = CAST(:id AS uuid)",
                        id=expired,
                    )
                ),
                75,
                "the scheduled purge",
            )
        finally:
            processes.stop_all()
            server_runs.close()


COMBINATIONS = [
    ("worker", "sqlite", Components(worker=True)),
    ("tracing", "postgres", Components(tracing=True)),
    # Made without components, grown with a feature, then given both by `forge add`.
    ("both-added", "sqlite", Components(worker=True, broker="rabbitmq", tracing=True)),
    ("both", "postgres", Components(worker=True, tracing=True)),
]


@pytest.fixture(scope="class", params=COMBINATIONS, ids=lambda c: f"{c[0]}-{c[1]}")
def combination(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GeneratedProject, Components]:
    name, database, components = request.param
    added = name.endswith("-added")
    generated = generate(
        tmp_path_factory,
        f"c-{name}-{database[:2]}",
        database=database,
        components=None if added else components,
        added=[["worker", "--broker", components.broker], ["tracing"]] if added else [],
        features=[["customers", "--field", "name:str:unique"]],
        jobs=[["nightly", "--cron", "0 4 * * *", "--feature", "customers"]]
        if components.worker
        else [],
    )
    return generated, components


class TestCombinations:
    def test_each_combination_passes_its_own_checks(
        self, combination: tuple[GeneratedProject, Components]
    ) -> None:
        project, components = combination
        env = {"CI": "true"}
        if project.database == "postgres":
            env["TEST_DATABASE_URL"] = require_postgres()
        if components.worker:
            env["TEST_BROKER_URL"] = require_broker(components.broker)
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
        project.run("mypy")
        project.run("pytest", "-q", "-x", "-p", "no:cacheprovider", env=env, timeout=900)
        secret = secrets.token_urlsafe(48)
        database_env = project.app_env(
            env.get("TEST_DATABASE_URL", "sqlite+aiosqlite:///./combo.db"), JWT_SECRET=secret
        )
        if project.database == "postgres":
            return  # its migrations run in TestWorkerEndToEnd and the main e2e suite
        project.run("alembic", "upgrade", "head", env=database_env)
        project.run("alembic", "check", env=database_env)
        project.run("alembic", "downgrade", "base", env=database_env)
