"""The worker component of ``forge new --with worker``: options, files, compose, CI,
manifest and replay. Its generated code is checked by the generated project's own suite
(e2e), against the in-memory broker and a real one."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import read_manifest
from fastapi_forge.engine.replay import replay
from fastapi_forge.engine.workspace import list_files
from fastapi_forge.generators.project.generator import (
    Components,
    create_project,
    replay_project,
)
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import LOCAL, tree_snapshot

from .test_template_files import EXPECTED_FILES, files_of, render

WORKER_FILES = [
    "src/shop/jobs/__init__.py",
    "src/shop/jobs/purge_refresh_tokens.py",
    "src/shop/jobs/registry.py",
    "src/shop/worker/__init__.py",
    "src/shop/worker/__main__.py",
    "src/shop/worker/app.py",
    "src/shop/worker/broker.py",
    "src/shop/worker/heartbeat.py",
    "src/shop/worker/job.py",
    "src/shop/worker/queue.py",
    "src/shop/worker/router.py",
    "tests/test_worker.py",
]


def _new(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["new", "shop", str(tmp_path / "shop"), *LOCAL, *args])


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_the_worker_adds_its_files_and_nothing_else(copie: Any, broker: str) -> None:
    project = render(copie, worker=True, broker=broker)
    assert files_of(project) == sorted([*EXPECTED_FILES, *WORKER_FILES])
    pyproject = (project / "pyproject.toml").read_text()
    assert '"taskiq>=' in pyproject
    assert ('"taskiq-redis>=' in pyproject) is (broker == "redis")
    assert ('"taskiq-aio-pika>=' in pyproject) is (broker == "rabbitmq")


def test_without_the_worker_nothing_mentions_it(copie: Any) -> None:
    project = render(copie)
    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "taskiq" not in text, path
            assert "BROKER_URL" not in text, path
    answers = (project / ".copier-answers.yml").read_text()
    assert "worker" not in answers
    assert "broker" not in answers
    assert "tracing" not in answers


@pytest.mark.parametrize(("broker", "database"), [("redis", "sqlite"), ("rabbitmq", "postgres")])
def test_compose_runs_the_worker_and_the_scheduler_from_the_api_image(
    copie: Any, broker: str, database: str
) -> None:
    project = render(copie, worker=True, broker=broker, database=database)
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("worker", "scheduler"):
        assert services[name]["image"] == services["api"]["image"]
        assert services[name]["build"] == services["api"]["build"]
    assert services["worker"]["command"] == ["python", "-m", "shop.worker"]
    assert services["scheduler"]["command"] == ["python", "-m", "shop.worker", "scheduler"]
    assert services["worker"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "shop.worker",
        "health",
    ]
    broker_service = "redis" if broker == "redis" else "rabbitmq"
    assert "healthcheck" in services[broker_service]
    for name in ("api", "worker"):
        assert services[name]["depends_on"][broker_service] == {"condition": "service_healthy"}
    environment = services["worker"]["environment"]
    url = environment["SHOP_BROKER_URL"]
    assert url.startswith("redis://redis:" if broker == "redis" else "amqp://shop:${RABBITMQ")
    assert environment["SHOP_ENVIRONMENT"] == "production"
    # RabbitMQ is not published, and has no default password.
    assert "ports" not in services.get("rabbitmq", {})
    if broker == "rabbitmq":
        password = services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"]
        assert password.startswith("${RABBITMQ_PASSWORD:?")


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_ci_runs_the_real_broker_test(copie: Any, broker: str) -> None:
    project = render(copie, worker=True, broker=broker)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    job = next(j for j in workflow["jobs"].values() if "services" in j)
    tests = next(step for step in job["steps"] if step.get("name") == "Tests")
    url = tests["env"]["TEST_BROKER_URL"]
    assert url.startswith("redis://" if broker == "redis" else "amqp://")
    assert ("rabbitmq" in job["services"]) is (broker == "rabbitmq")


def test_new_with_worker_records_the_component_and_replays_byte_identically(
    tmp_path: Path,
) -> None:
    result = _new(tmp_path, "--with", "worker", "--broker", "rabbitmq")
    assert result.exit_code == 0, result.output
    root = tmp_path / "shop"
    assert "worker (rabbitmq)" in result.output
    manifest = read_manifest(root, forge_version="99")
    assert manifest.answers["worker"] is True
    assert manifest.answers["broker"] == "rabbitmq"
    assert "tracing" not in manifest.answers
    assert "RABBITMQ_PASSWORD=" in (root / ".env").read_text()
    assert "RABBITMQ_PASSWORD=\n" not in (root / ".env").read_text()
    again = tmp_path / "again"
    replay(manifest, again, project=replay_project, units={})
    for path in manifest.all_files():
        assert (again / path).read_bytes() == (root / ".forge/base" / path).read_bytes(), path


def test_a_project_without_components_records_no_component_answers(tmp_path: Path) -> None:
    create_project(
        normalize_project_name("shop"),
        tmp_path / "shop",
        description="A shop.",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    manifest = read_manifest(tmp_path / "shop", forge_version="99")
    assert set(manifest.answers) == {
        "project_name",
        "package_name",
        "env_prefix",
        "description",
        "database",
        "python_version",
    }
    assert Components.from_answers(manifest.answers) == Components()
    assert "src/shop/worker/broker.py" not in list_files(tmp_path / "shop")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--with", "queue"], "unknown component 'queue' for --with; use one of: worker, tracing"),
        (["--with", "worker", "--with", "worker"], "--with worker is given twice"),
        (["--broker", "redis"], "--broker chooses the worker's broker; add --with worker"),
    ],
)
def test_bad_components_are_refused_and_nothing_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    before = tree_snapshot(tmp_path)
    result = _new(tmp_path, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert tree_snapshot(tmp_path) == before


def test_an_unknown_broker_is_a_usage_error(tmp_path: Path) -> None:
    before = tree_snapshot(tmp_path)
    result = _new(tmp_path, "--with", "worker", "--broker", "kafka")
    assert result.exit_code == 2
    assert tree_snapshot(tmp_path) == before


TRACING_FILES = ["src/shop/core/tracing.py", "tests/test_tracing.py"]


@pytest.mark.parametrize("worker", [False, True])
def test_tracing_adds_its_files_and_the_instrumentations(copie: Any, worker: bool) -> None:
    project = render(copie, tracing=True, worker=worker)
    expected = [*EXPECTED_FILES, *TRACING_FILES, *(WORKER_FILES if worker else [])]
    assert files_of(project) == sorted(expected)
    pyproject = (project / "pyproject.toml").read_text()
    for name in (
        "opentelemetry-sdk",
        "opentelemetry-exporter-otlp-proto-http",
        "opentelemetry-instrumentation-fastapi",
        "opentelemetry-instrumentation-sqlalchemy",
        "opentelemetry-instrumentation-httpx",
    ):
        assert f'"{name}>=' in pyproject
    assert ('"taskiq[opentelemetry]>=' in pyproject) is worker
    assert "_add_trace_context" in (project / "src/shop/core/logging.py").read_text()
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in (project / ".env.example").read_text()
    assert "tracing: true" in (project / ".copier-answers.yml").read_text()


def test_add_tracing_to_a_project_with_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _new(tmp_path, "--with", "worker")
    assert result.exit_code == 0, result.output
    root = tmp_path / "shop"
    monkeypatch.chdir(root)
    before = tree_snapshot(tmp_path)
    assert CliRunner().invoke(app, ["add", "tracing", "--dry-run"]).exit_code == 0
    assert tree_snapshot(tmp_path) == before
    added = CliRunner().invoke(app, ["add", "tracing"])
    assert added.exit_code == 0, added.output
    broker = (root / "src/shop/worker/broker.py").read_text()
    assert "OpenTelemetryMiddleware(tracer_provider=tracer_provider)" in broker
    manifest = read_manifest(root, forge_version="99")
    assert manifest.answers["tracing"] is True
    assert manifest.answers["worker"] is True
    twice = CliRunner().invoke(app, ["add", "tracing"])
    assert twice.exit_code == 1
    assert "this project has tracing already" in twice.output
