"""A generated project passes its own lint, strict type check, tests and migrations.

Every check runs the generated project's own tools from its own virtualenv, on SQLite and
on the PostgreSQL server at 127.0.0.1:5432, then starts the app with the Dockerfile's CMD.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from ..test_template_files import EXPECTED_FILES
from .conftest import (
    UV,
    GeneratedProject,
    clean_env,
    generate,
    require_postgres,
    require_redis,
    serve,
)

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
        env = project.app_env(
            f"sqlite+aiosqlite:///{tmp_path / 'served.sqlite3'}", ENVIRONMENT="production"
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
            status, body = server.get("/docs")
            assert status == 404
            assert json.loads(body)["error"]["code"] == "NOT_FOUND"

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
            f"sqlite+aiosqlite:///{tmp_path / 'image.sqlite3'}", ENVIRONMENT="production"
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


class TestDefaultProject(GeneratedProjectChecks):
    """`forge new demo --defaults`: SQLite, Python 3.12."""

    scenario: ClassVar[dict[str, Any]] = {"name": "demo"}


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


class TestProjectWithFeatures(GeneratedProjectChecks):
    """`forge new demo` then three slices: every field type, a reference, a public one."""

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

    def test_every_slice_is_wired_in(self, project: GeneratedProject) -> None:
        registry = (project.root / "src" / project.package / "registry.py").read_text()
        for feature in ("orders", "order_items", "announcements"):
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
    assert written == sorted([*EXPECTED_FILES, ".env"])


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
