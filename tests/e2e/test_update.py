"""`forge update` across real template changes, then the project's own checks.

Two upgrades:

- from an older copy of the templates (:mod:`tests.helpers.update_scenario`: every kind of
  template change), after user edits of every kind, with the exact outcome asserted file
  by file; the conflict is resolved as a person would, and the project then passes its
  ruff, ``ruff format --check``, ``mypy --strict``, suite and migrations on SQLite and
  PostgreSQL;
- from the forge that was on main before ``forge update`` existed (commit
  :data:`BEFORE_UPDATE`, taken from this repository's history), with no user edits: the
  updated project is exactly what today's forge renders from its manifest, and is green.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import fastapi_forge
from bench import harness
from bench.harness import IN_CI, GeneratedProject
from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import read_manifest
from fastapi_forge.engine.replay import replay
from fastapi_forge.generators.feature.generator import replay_feature
from fastapi_forge.generators.project.generator import replay_project
from tests.e2e.conftest import require_redis
from tests.e2e.test_generated_project import GeneratedProjectChecks
from tests.helpers.tree import LOCAL
from tests.helpers.update_scenario import older_templates, templates_at

pytestmark = pytest.mark.e2e

VERSION = fastapi_forge.__version__
BEFORE_UPDATE = "9bf09f0"
"""The last commit of main before `forge update` (issue 12)."""
FEATURES = (
    ["customers", "--field", "name:str:max=120:unique", "--field", "email:str?:index"],
    ["orders", "--field", "total:decimal:gt=0", "--field", "customer:ref=customers"],
)
REPO = Path(__file__).resolve().parents[2]


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def add_features(project: Path) -> None:
    with contextlib.chdir(project):
        for arguments in FEATURES:
            result = CliRunner().invoke(app, ["add", "feature", *arguments, "-q"])
            assert result.exit_code == 0, result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: {old!r}"
    path.write_text(text.replace(old, new))


def run_update(project: Path) -> tuple[int, dict[str, Any]]:
    with contextlib.chdir(project):
        result = CliRunner().invoke(app, ["update", "--json"])
    assert result.exit_code in (0, 3), result.output
    return result.exit_code, json.loads(result.stdout)


# What the update does to each file of the scenario, beyond the files the user changed
# that the templates did not ("yours"). Migrations are named by their feature.
EXPECTED = {
    "README.md": "conflict",
    "docs/operations.md": "kept",
    ".pre-commit-config.yaml": "kept-deleted",
    "migration:customers": "migration-kept",
    "migration:orders": "migration-kept",
    "src/shop/core/config.py": "merged",
    "pyproject.toml": "merged",
    "src/shop/features/customers/router.py": "merged",
    ".env.example": "updated",
    "src/shop/main.py": "updated",
    "src/shop/features/orders/router.py": "updated",
    "src/shop/py.typed": "added",
    "docs/upgrading.md": "removed",
}
USER_FILE = '"""Our own module: forge never lists it."""\n\nANSWER = 42\n'


class TestUpdateFromOlderTemplates:
    """Every kind of template change meets every kind of user edit."""

    @pytest.fixture(scope="class")
    @classmethod
    def updated(
        cls, tmp_path_factory: pytest.TempPathFactory
    ) -> tuple[GeneratedProject, int, dict[str, Any]]:
        parent = tmp_path_factory.mktemp("update")
        project = parent / "shop"
        with (
            pytest.MonkeyPatch.context() as patch,
            templates_at(patch, older_templates(parent / "older")),
        ):
            result = CliRunner().invoke(
                app, ["new", "shop", str(project), "--database", "postgres", "-q", *LOCAL]
            )
            assert result.exit_code == 0, result.output
            add_features(project)
        git(project, "init", "-q", "-b", "main")
        commit_all(project, "As the older forge made it")
        # The user's work: every kind of edit.
        edit(project / "README.md", "## Getting started\n", "## Setup\n")
        with (project / "src/shop/core/config.py").open("a") as handle:
            handle.write("\n\n# Tuned for the shop: see docs/operations.md.\n")
        (project / ".pre-commit-config.yaml").unlink()
        edit(
            project / "pyproject.toml",
            '    "fastapi>=0.125",\n',
            '    "fastapi>=0.125",\n    "tenacity>=8.2",\n',
        )
        edit(project / "docs/operations.md", "Watch /ready.", "Watch /ready and page on 5xx.")
        with (project / "src/shop/features/customers/router.py").open("a") as handle:
            handle.write("\n\n# Reviewed by the shop team.\n")
        (project / "src/shop/extra.py").write_text(USER_FILE)
        commit_all(project, "Our work")
        code, report = run_update(project)
        # Do what the report asks: resolve the conflict (keeping our heading), and
        # settle the settings.
        readme = (project / "README.md").read_text()
        start, end = readme.index("<<<<<<< yours\n"), readme.index(">>>>>>> forge")
        end = readme.index("\n", end) + 1
        (project / "README.md").write_text(readme[:start] + "## Setup\n" + readme[end:])
        env = (project / ".env").read_text()
        env = "".join(line for line in env.splitlines(keepends=True) if "LEGACY_MODE" not in line)
        (project / ".env").write_text(env + "SHOP_LOG_LEVEL=INFO\n")
        return harness.install(project, database="postgres"), code, report

    def test_exit_status_says_conflicts_remain(self, updated: Any) -> None:
        _, code, report = updated
        assert code == 3
        assert report["applied"] is True
        assert report["branch"] == f"forge/update-{VERSION}"

    def test_outcome_file_by_file(self, updated: Any) -> None:
        _, _, report = updated
        found = {}
        for entry in report["files"]:
            path = entry["path"]
            if path.startswith("migrations/versions/"):
                path = "migration:" + path.rsplit("_create_", 1)[1].removesuffix(".py")
            if entry["action"] != "yours":
                found[path] = entry["action"]
        assert found == EXPECTED
        yours = {e["path"] for e in report["files"] if e["action"] == "yours"}
        assert yours == set()  # every file the user changed, the templates changed too
        assert report["conflicts"] == ["README.md"]

    def test_everything_else_to_do_is_reported(self, updated: Any) -> None:
        _, _, report = updated
        assert report["settings"]["missing_from_env"] == ["SHOP_LOG_LEVEL"]
        assert report["settings"]["gone_from_templates"] == ["SHOP_LEGACY_MODE"]
        assert report["dependencies"] == [
            {
                "group": "project",
                "name": "structlog",
                "before": "structlog>=24.1",
                "after": "structlog>=24.4",
            }
        ]
        assert report["migrations"] == []

    def test_no_line_of_the_users_work_is_lost(self, updated: Any) -> None:
        project, _, _ = updated
        root = project.root
        config = (root / "src/shop/core/config.py").read_text()
        assert config.startswith('"""Application settings, read from the environment')
        assert config.endswith("# Tuned for the shop: see docs/operations.md.\n")
        pyproject = (root / "pyproject.toml").read_text()
        assert '"tenacity>=8.2",' in pyproject
        assert '"structlog>=24.4",' in pyproject
        assert "Watch /ready and page on 5xx." in (root / "docs/operations.md").read_text()
        router = (root / "src/shop/features/customers/router.py").read_text()
        assert "Thin: validate, call the service, shape the reply." in router
        assert router.endswith("# Reviewed by the shop team.\n")
        assert (root / "src/shop/extra.py").read_text() == USER_FILE
        assert not (root / ".pre-commit-config.yaml").exists()
        assert not (root / "docs/upgrading.md").exists()
        assert (root / "src/shop/py.typed").exists()

    def test_migrations_forge_wrote_are_history(self, updated: Any) -> None:
        project, _, _ = updated
        for feature in ("customers", "orders"):
            (path,) = (project.root / "migrations/versions").glob(f"*_create_{feature}.py")
            assert path.read_text().startswith(f'"""Create the {feature} table.'), path

    def test_forge_status_and_a_second_update_agree(self, updated: Any) -> None:
        project, _, _ = updated
        commit_all(project.root, "Resolve the update")
        with contextlib.chdir(project.root):
            result = CliRunner().invoke(app, ["update"])
        assert result.exit_code == 0
        assert "nothing to do" in result.stdout

    @pytest.fixture(scope="class")
    @classmethod
    def project(cls, updated: Any) -> GeneratedProject:
        return updated[0]

    # The checks every generated project passes, on the updated one.
    test_ruff_check = GeneratedProjectChecks.test_ruff_check
    test_ruff_format = GeneratedProjectChecks.test_ruff_format
    test_mypy_strict = GeneratedProjectChecks.test_mypy_strict
    test_no_suppressions = GeneratedProjectChecks.test_no_suppressions_in_generated_code
    test_own_suite_passes_on_sqlite = GeneratedProjectChecks.test_own_suite_passes_on_sqlite
    test_own_suite_passes_on_postgres = GeneratedProjectChecks.test_own_suite_passes_on_postgres
    test_migrations_round_trip_on_sqlite = (
        GeneratedProjectChecks.test_migrations_round_trip_on_sqlite
    )
    test_migrations_round_trip_on_postgres = (
        GeneratedProjectChecks.test_migrations_round_trip_on_postgres
    )


def old_forge(destination: Path) -> Path:
    """This repository's forge at :data:`BEFORE_UPDATE`, extracted from git history."""
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{BEFORE_UPDATE}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        message = f"commit {BEFORE_UPDATE} is not in this clone's history"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: clone with history)")
        pytest.skip(message)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", BEFORE_UPDATE, "fastapi_forge", "templates"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


class TestUpdateFromTheForgeBeforeUpdate:
    """A project made by main before this command existed updates cleanly."""

    @pytest.fixture(scope="class")
    @classmethod
    def updated(
        cls, tmp_path_factory: pytest.TempPathFactory
    ) -> tuple[GeneratedProject, dict[str, Any]]:
        parent = tmp_path_factory.mktemp("before-update")
        forge = old_forge(parent / "forge")
        runner = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(forge)!r}); "
            "from fastapi_forge.entry import main; main()",
        ]
        project = parent / "shop"
        subprocess.run([*runner, "new", "shop", str(project), "-q", *LOCAL], check=True)
        for arguments in FEATURES:
            subprocess.run([*runner, "add", "feature", *arguments, "-q"], cwd=project, check=True)
        git(project, "init", "-q", "-b", "main")
        commit_all(project, "Made by the forge before update")
        code, report = run_update(project)
        assert code == 0
        assert report["conflicts"] == []
        git(project, "add", "-A")
        git(
            project,
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "forge update",
            "--allow-empty",
        )
        return harness.install(project), report

    def test_the_project_is_what_todays_forge_renders(self, updated: Any, tmp_path: Path) -> None:
        project, report = updated
        manifest = read_manifest(project.root, forge_version=VERSION)
        fresh = tmp_path / "fresh"
        replay(manifest, fresh, project=replay_project, units={"feature": replay_feature})
        kept = {e["path"] for e in report["files"] if e["action"] == "migration-kept"}
        for path in manifest.all_files():
            if path in kept:
                continue
            assert (project.root / path).read_bytes() == (fresh / path).read_bytes(), path

    def test_migrations_are_in_step_with_the_models(self, updated: Any, tmp_path: Path) -> None:
        project, _ = updated
        env = project.app_env(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
        project.run("alembic", "upgrade", "head", env=env)
        project.run("alembic", "check", env=env)

    def test_own_suite_passes(self, updated: Any) -> None:
        project, _ = updated
        env = {"TEST_REDIS_URL": require_redis()}
        result = project.run("pytest", "-q", "-p", "no:cacheprovider", env=env)
        assert " passed" in result.stdout
