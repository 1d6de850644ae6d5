"""``forge add job`` and ``forge add worker``: what they write, what they refuse (tree
unchanged), what they record, and that a replay of the manifest gives the same bytes."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import read_manifest
from fastapi_forge.engine.replay import replay
from fastapi_forge.generators.feature.generator import add_feature, replay_feature
from fastapi_forge.generators.job.generator import check_cron, replay_job
from fastapi_forge.generators.project.generator import (
    Components,
    create_project,
    replay_project,
)
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import tree_snapshot

UNITS = {"feature": replay_feature, "job": replay_job}


def _project(tmp_path: Path, *, worker: bool = True) -> Path:
    root = tmp_path / "shop"
    create_project(
        normalize_project_name("shop"),
        root,
        description="A shop.",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
        components=Components(worker=worker),
    )
    return root


def _forge(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> object:
    monkeypatch.chdir(root)
    monkeypatch.delenv("CI", raising=False)
    return CliRunner().invoke(app, list(args))


def _replays_exactly(root: Path) -> None:
    manifest = read_manifest(root, forge_version="99")
    again = Path(tempfile.mkdtemp(dir=root.parent)) / "again"
    replay(manifest, again, project=replay_project, units=UNITS)
    for path in manifest.all_files():
        assert (again / path).read_bytes() == (root / ".forge/base" / path).read_bytes(), path


def test_a_job_is_written_registered_recorded_and_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    add_feature(root, "customers", ["name:str"])
    result = _forge(
        root,
        monkeypatch,
        "add",
        "job",
        "send-report",
        "--cron",
        "0  4 * * MON-FRI",
        "--feature",
        "customers",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    module = (root / "src/shop/jobs/send_report.py").read_text()
    assert "class SendReportArgs(JobArgs):" in module
    assert 'cron="0 4 * * mon-fri"' in module
    assert "CustomerService(CustomerRepository(context.session))" in module
    assert "async def enqueue(queue: JobQueue, args: SendReportArgs) -> str:" in module
    registry = (root / "src/shop/jobs/registry.py").read_text()
    assert "    send_report.job,\n    # forge:jobs" in registry
    assert (root / "tests/test_job_send_report.py").is_file()
    manifest = read_manifest(root, forge_version="99")
    unit = manifest.unit("job", "send_report")
    assert unit is not None
    assert dict(unit.spec) == {
        "argument": "send-report",
        "cron": "0 4 * * mon-fri",
        "feature": "customers",
    }
    assert set(manifest.files["job:send_report"]) == {
        "src/shop/jobs/send_report.py",
        "tests/test_job_send_report.py",
    }
    assert manifest.owner_of("src/shop/jobs/registry.py") == "project"
    _replays_exactly(root)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Send Report"], "invalid job name 'Send Report'"),
        (["registry"], "'registry' is reserved"),
        (["class"], "'class' is reserved"),
        (["purge-refresh-tokens"], "job 'purge_refresh_tokens' already exists"),
        (["nightly", "--cron", "0 4 * *"], "a schedule has five fields"),
        (["nightly", "--cron", "61 * * * *"], "the minute field '61'"),
        (["nightly", "--cron", "* 24 * * *"], "the hour field '24'"),
        (["nightly", "--cron", "*/0 * * * *"], "the minute field '*/0'"),
        (["nightly", "--cron", "* * * foo *"], "the month field 'foo'"),
        (["nightly", "--feature", "orders"], "no feature 'orders' with a service"),
    ],
)
def test_bad_jobs_are_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    root = _project(tmp_path)
    before = tree_snapshot(tmp_path)
    result = _forge(root, monkeypatch, "add", "job", *args)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert output.startswith("error: ")
    assert message in " ".join(output.split())
    assert tree_snapshot(tmp_path) == before


def test_a_job_needs_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, worker=False)
    before = tree_snapshot(tmp_path)
    result = _forge(root, monkeypatch, "add", "job", "nightly")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "add it first with `forge add worker`" in " ".join(result.output.split())  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before


def test_the_same_job_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    assert _forge(root, monkeypatch, "add", "job", "nightly").exit_code == 0  # type: ignore[attr-defined]
    before = tree_snapshot(tmp_path)
    result = _forge(root, monkeypatch, "add", "job", "nightly")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "job 'nightly' already exists" in result.output  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before


def test_cron_is_normalised() -> None:
    assert check_cron(" */15  0-6 1,15 jan-mar Sun ") == "*/15 0-6 1,15 jan-mar sun"


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_add_worker_merges_into_a_project_with_features_and_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, worker=False)
    add_feature(root, "customers", ["name:str"])
    main = root / "src/shop/main.py"
    main.write_text(main.read_text().replace('DOCS_URL = "/docs"', 'DOCS_URL = "/docs"  # mine'))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")

    before = tree_snapshot(tmp_path)
    dry = _forge(root, monkeypatch, "add", "worker", "--broker", "rabbitmq", "--dry-run")
    assert dry.exit_code == 0, dry.output  # type: ignore[attr-defined]
    assert "forge add worker (dry run: nothing was written)" in dry.output  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before

    result = _forge(root, monkeypatch, "add", "worker", "--broker", "rabbitmq")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    text = main.read_text()
    assert 'DOCS_URL = "/docs"  # mine' in text  # the user's edit is kept
    assert "app.state.job_queue = JobQueue(create_broker(settings))" in text  # and merged
    assert (root / "src/shop/worker/broker.py").is_file()
    assert "taskiq-aio-pika" in (root / "pyproject.toml").read_text()
    assert "new setting SHOP_BROKER_URL" in result.output  # type: ignore[attr-defined]
    manifest = read_manifest(root, forge_version="99")
    assert manifest.answers["worker"] is True
    assert manifest.answers["broker"] == "rabbitmq"
    # The features are still recorded, and the whole project replays to its base.
    assert manifest.unit("feature", "customers") is not None
    _replays_exactly(root)
    _git(root, "commit", "-qam", "worker")

    before = tree_snapshot(tmp_path)
    again = _forge(root, monkeypatch, "add", "worker")
    assert again.exit_code == 1  # type: ignore[attr-defined]
    assert "this project has the worker (broker rabbitmq) already" in again.output  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before

    job = _forge(root, monkeypatch, "add", "job", "nightly", "--feature", "customers")
    assert job.exit_code == 0, job.output  # type: ignore[attr-defined]
    _replays_exactly(root)


def test_add_worker_refuses_conflicts_outside_a_clean_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, worker=False)
    main = root / "src/shop/main.py"
    # An edit on the very lines the worker changes: the merge conflicts.
    main.write_text(
        main.read_text().replace(
            "    app.state.metrics = Metrics()\n", "    app.state.metrics = None\n"
        )
    )
    before = tree_snapshot(tmp_path)
    result = _forge(root, monkeypatch, "add", "worker")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "conflicts with your changes in src/shop/main.py" in " ".join(result.output.split())  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before


def test_add_worker_needs_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, worker=False)
    (root / ".forge/manifest.toml").unlink()
    before = tree_snapshot(tmp_path)
    result = _forge(root, monkeypatch, "add", "worker")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "forge adopt" in result.output  # type: ignore[attr-defined]
    assert tree_snapshot(tmp_path) == before
