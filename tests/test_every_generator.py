"""The contract every generator passes, whatever it generates.

``GENERATORS`` has one entry per generator: how to set up the tree it works on, and the
command lines of a dry run, a bad input and a good input. For each one:

- a dry run writes nothing;
- a bad input exits 1 with one ``error:`` line and leaves the tree byte-identical;
- an apply interrupted midway (an ``OSError``, or Ctrl-C) rolls back to a byte-identical
  tree, with exit status 1 or 130 and one line;
- the output passes ``ruff check`` and ``ruff format --check`` (fast tier) and
  ``mypy --strict`` (e2e: it needs the generated project's dependencies, taken from one
  project synced once per session);
- the manifest afterwards matches the files (:func:`check_manifest_matches_files`).

A new generator is one more entry in ``GENERATORS``.
"""

import contextlib
import importlib
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fastapi_forge
from bench.harness import GeneratedProject, clean_env, generate
from fastapi_forge.cli import app
from fastapi_forge.engine.status import project_status
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import LOCAL, tree_snapshot


@dataclass(frozen=True)
class Generator:
    """How the contract drives one generator."""

    name: str
    setup: Callable[[Path], Path]
    """Prepare ``tmp_path`` and return the folder the command runs in (its current folder)."""
    dry_run: Sequence[str]
    bad: Sequence[str]
    good: Sequence[str]
    output: Callable[[Path], Path]
    """The folder of the generated project, given the folder the command ran in."""
    interrupt: str
    """The ``Path`` method whose third call is made to fail midway through the apply."""


def _empty_folder(tmp_path: Path) -> Path:
    # An existing, empty destination: `forge new` then moves the entries in one by one,
    # so a failure really happens midway (a missing one is a single rename).
    (tmp_path / "service").mkdir()
    (tmp_path / "unrelated.txt").write_text("keep me\n")
    return tmp_path


def _a_project(tmp_path: Path) -> Path:
    from fastapi_forge.generators.project.generator import create_project

    root = tmp_path / "shop"
    create_project(
        normalize_project_name("shop"),
        root,
        description="A shop.",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    return root


def _a_project_with_features(tmp_path: Path) -> Path:
    from fastapi_forge.generators.feature.generator import add_feature

    root = _a_project(tmp_path)
    add_feature(root, "customers", ["name:str"])
    add_feature(root, "orders", ["total:decimal:gt=0", "customer:ref=customers", "note:text?"])
    return root


def _a_worker_project(tmp_path: Path) -> Path:
    from fastapi_forge.generators.project.generator import Components, create_project

    root = tmp_path / "shop"
    create_project(
        normalize_project_name("shop"),
        root,
        description="A shop.",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
        components=Components(worker=True),
    )
    return root


GENERATORS = [
    Generator(
        name="project",
        setup=_empty_folder,
        dry_run=["new", "shop", "service", "--defaults", "--dry-run", *LOCAL],
        bad=["new", "shop", "service", "--description", "two\nlines", *LOCAL],
        good=["new", "shop", "service", "--defaults", *LOCAL],
        output=lambda cwd: cwd / "service",
        interrupt="rename",
    ),
    Generator(
        name="feature",
        setup=_a_project,
        dry_run=["add", "feature", "orders", "--field", "total:decimal:gt=0", "--dry-run"],
        bad=["add", "feature", "orders", "--field", "total:money"],
        good=[
            "add",
            "feature",
            "orders",
            "--field",
            "total:decimal:gt=0",
            "--field",
            "status:enum=new,paid",
            "--field",
            "notes:text?",
        ],
        output=lambda cwd: cwd,
        interrupt="replace",
    ),
    Generator(
        name="add-field",
        setup=_a_project_with_features,
        dry_run=["add", "field", "orders", "--field", "quantity:int:default=1", "--dry-run"],
        bad=["add", "field", "orders", "--field", "quantity:int"],
        good=["add", "field", "orders", "--field", "quantity:int:ge=0:default=1"],
        output=lambda cwd: cwd,
        interrupt="replace",
    ),
    Generator(
        name="remove-field",
        setup=_a_project_with_features,
        dry_run=["remove", "field", "orders", "note", "--dry-run"],
        bad=["remove", "field", "orders", "notes"],
        good=["remove", "field", "orders", "customer"],
        output=lambda cwd: cwd,
        interrupt="replace",
    ),
    Generator(
        name="remove-feature",
        setup=_a_project_with_features,
        dry_run=["remove", "feature", "orders", "--dry-run"],
        bad=["remove", "feature", "customers"],
        good=["remove", "feature", "orders"],
        output=lambda cwd: cwd,
        interrupt="replace",
    ),
    Generator(
        name="job",
        setup=_a_worker_project,
        dry_run=["add", "job", "send-report", "--cron", "0 4 * * *", "--dry-run"],
        bad=["add", "job", "send-report", "--cron", "every day"],
        good=["add", "job", "send-report", "--cron", "0 4 * * *"],
        output=lambda cwd: cwd,
        interrupt="replace",
    ),
]


@pytest.fixture(params=GENERATORS, ids=lambda generator: generator.name)
def generator(request: pytest.FixtureRequest) -> Generator:
    entry: Generator = request.param
    return entry


@pytest.fixture
def cwd(generator: Generator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    folder = generator.setup(tmp_path)
    monkeypatch.chdir(folder)
    return folder


def _one_error_line(output: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output


def check_manifest_matches_files(project: Path) -> None:
    """The manifest forge keeps in ``project`` matches its files: every file it lists has
    the digest it records and a base copy of those bytes, and it lists every file there is
    (but the secret ``.env`` and forge's own records)."""
    report = project_status(project, forge_version=fastapi_forge.__version__)
    assert report.changed == []
    assert report.problems == []
    on_disk = {
        path
        for path in tree_snapshot(project)
        if not path.endswith("/") and path != ".env" and not path.startswith(".forge/")
    }
    assert set(report.manifest.all_files()) == on_disk


def test_a_dry_run_writes_nothing(
    generator: Generator, cwd: Path, runner: CliRunner, tmp_path: Path
) -> None:
    before = tree_snapshot(tmp_path)
    result = runner.invoke(app, list(generator.dry_run))
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert tree_snapshot(tmp_path) == before


def test_bad_input_is_one_line_and_touches_nothing(
    generator: Generator, cwd: Path, runner: CliRunner, tmp_path: Path
) -> None:
    before = tree_snapshot(tmp_path)
    result = runner.invoke(app, list(generator.bad))
    assert result.exit_code == 1, result.output
    _one_error_line(result.output)
    assert tree_snapshot(tmp_path) == before


@contextlib.contextmanager
def _failing_midway(method: str, error: BaseException) -> Iterator[list[int]]:
    """Make the third call of ``Path.<method>`` raise ``error``; yield the call count."""
    original = getattr(Path, method)
    calls = [0]

    def failing(self: Path, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == 3:
            raise error
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, method, failing)
        yield calls


@pytest.mark.parametrize(
    ("error", "status"),
    [(OSError(28, "No space left on device"), 1), (KeyboardInterrupt(), 130)],
    ids=["oserror", "ctrl-c"],
)
def test_an_interrupted_apply_rolls_back(
    generator: Generator,
    cwd: Path,
    runner: CliRunner,
    tmp_path: Path,
    error: BaseException,
    status: int,
) -> None:
    before = tree_snapshot(tmp_path)
    with _failing_midway(generator.interrupt, error) as calls:
        result = runner.invoke(app, list(generator.good))
    assert calls[0] >= 3, "the failure happened during the apply, not before it"
    assert result.exit_code == status, result.output
    _one_error_line(result.output)
    assert tree_snapshot(tmp_path) == before


def _ruff() -> str:
    return str(importlib.import_module("ruff.__main__").find_ruff_bin())


def _generate(generator: Generator, cwd: Path, runner: CliRunner) -> Path:
    result = runner.invoke(app, [*generator.good, "--quiet"])
    assert result.exit_code == 0, result.output
    project = generator.output(cwd)
    check_manifest_matches_files(project)
    return project


def test_the_output_passes_ruff(generator: Generator, cwd: Path, runner: CliRunner) -> None:
    project = _generate(generator, cwd, runner)
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [_ruff(), *command], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"ruff {command[0]}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> GeneratedProject:
    """One project synced with uv once per session: its venv type-checks every output (with
    every component, so that it has every library any output imports)."""
    from fastapi_forge.generators.project.generator import Components

    return generate(
        tmp_path_factory.mktemp("shared-venv"),
        "shared-venv",
        components=Components(worker=True, tracing=True),
    )


@pytest.mark.e2e
def test_the_output_passes_mypy_strict(
    generator: Generator, cwd: Path, runner: CliRunner, shared_venv: GeneratedProject
) -> None:
    project = _generate(generator, cwd, runner)
    # The output's own package comes first on mypy's path; the shared venv gives the libraries.
    env = clean_env(MYPYPATH=str(project / "src"))
    result = subprocess.run(
        [str(shared_venv.root / ".venv" / "bin" / "mypy"), "--no-incremental"],
        cwd=project,
        env={**env, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
