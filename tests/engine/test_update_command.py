"""`forge update` on real projects: rendered with an older copy of the templates, committed
to git, then updated to today's. Every refusal leaves the tree byte-identical; an
interrupted update restores it; an applied one is left on its branch for review."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fastapi_forge
from fastapi_forge.cli import app
from fastapi_forge.engine import workspace
from fastapi_forge.engine.manifest import BASE_DIR, MANIFEST_FILE, read_manifest
from tests.helpers.tree import LOCAL, tree_snapshot
from tests.helpers.update_scenario import older_templates, templates_at

VERSION = fastapi_forge.__version__
BRANCH = f"forge/update-{VERSION}"


def git(root: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=root, capture_output=True, text=True, check=True
    )
    return result.stdout


def commit_all(root: Path, message: str = "start") -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def render(parent: Path, monkeypatch: pytest.MonkeyPatch, templates: Path | None) -> Path:
    runner = CliRunner()
    project = parent / "shop"

    def build() -> None:
        result = runner.invoke(app, ["new", "shop", str(project), "-q", *LOCAL])
        assert result.exit_code == 0, result.output
        with monkeypatch.context() as patch:
            patch.chdir(project)
            for arguments in (
                ["customers", "--field", "name:str"],
                ["orders", "--field", "total:int", "--field", "customer:ref=customers"],
            ):
                result = runner.invoke(app, ["add", "feature", *arguments, "-q"])
                assert result.exit_code == 0, result.output

    if templates is None:
        build()
    else:
        with templates_at(monkeypatch, templates):
            build()
    git(project, "init", "-q", "-b", "main")
    commit_all(project)
    return project


@pytest.fixture(scope="module")
def older(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("older")
    with pytest.MonkeyPatch.context() as patch:
        return render(parent, patch, older_templates(parent / "templates"))


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        return render(tmp_path_factory.mktemp("current"), patch, None)


@pytest.fixture
def project(older: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(older, copy, symlinks=True)
    monkeypatch.chdir(copy)
    return copy


def files(root: Path) -> dict[str, bytes]:
    """Every byte of the project but git's own folder (git refreshes its index)."""
    return {k: v for k, v in tree_snapshot(root).items() if not k.startswith(".git/")}


def update(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["update", *arguments])
    return result.exit_code, result.stdout, result.stderr


def assert_refused(root: Path, arguments: list[str], message: str) -> None:
    before = files(root)
    head = git(root, "rev-parse", "HEAD")
    code, out, err = update(*arguments)
    assert code == 1, out + err
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert files(root) == before
    assert git(root, "rev-parse", "HEAD") == head
    assert BRANCH not in git(root, "branch")


def test_refuses_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = update()
    assert code == 1
    assert "forge new" in err
    assert list(tmp_path.iterdir()) == []


def test_refuses_without_a_manifest(project: Path) -> None:
    (project / MANIFEST_FILE).unlink()
    commit_all(project, "drop the manifest")
    assert_refused(project, [], "forge adopt")


def test_refuses_a_broken_manifest(project: Path) -> None:
    (project / MANIFEST_FILE).write_text("schema = [\n")
    commit_all(project, "break it")
    assert_refused(project, [], "is broken")


def test_refuses_when_base_copies_and_manifest_disagree(project: Path) -> None:
    (project / BASE_DIR / "README.md").write_text("edited by hand\n")
    commit_all(project, "edit a base copy")
    assert_refused(project, [], "git checkout -- .forge")


def test_refuses_outside_git(project: Path) -> None:
    shutil.rmtree(project / ".git")
    before = tree_snapshot(project)
    code, _, err = update()
    assert code == 1
    assert "not in a git repository" in err
    assert "--dry-run" in err
    assert tree_snapshot(project) == before


@pytest.mark.parametrize("kind", ["modified", "untracked"])
def test_refuses_uncommitted_changes(project: Path, kind: str) -> None:
    if kind == "modified":
        (project / "README.md").write_text("work in progress\n")
    else:
        (project / "notes.txt").write_text("mine\n")
    assert_refused(project, [], "uncommitted changes")


def test_refuses_when_the_update_branch_exists(project: Path) -> None:
    git(project, "branch", BRANCH)
    before = files(project)
    code, _, err = update()
    assert code == 1
    assert f"git branch -D {BRANCH}" in err
    assert files(project) == before


def test_refuses_another_version(project: Path) -> None:
    assert_refused(project, ["--to-version", "99.0"], "pip install fastapi-forge==99.0")


def test_current_project_has_nothing_to_do(current: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(current / "src")
    before = files(current)
    code, out, _ = update()
    assert code == 0
    assert "nothing to do" in out
    assert files(current) == before
    code, out, _ = update("--json", "--dry-run")
    assert json.loads(out)["current"] is True


def test_dry_run_reports_and_writes_nothing(project: Path) -> None:
    (project / "README.md").write_text("dirty but a dry run may look\n")
    before = files(project)
    code, out, _ = update("--dry-run")
    assert code == 0
    assert "dry run: nothing was written" in out
    assert "conflict" in out
    assert "SHOP_LOG_LEVEL" in out
    assert files(project) == before
    code, out, _ = update("--dry-run", "--json")
    report = json.loads(out)
    assert report["applied"] is False
    assert report["conflicts"] == ["README.md"]
    assert files(project) == before


def test_applied_update_is_left_on_its_branch_for_review(project: Path) -> None:
    readme = (project / "README.md").read_text()
    (project / "README.md").write_text(readme.replace("## Getting started", "## Setup"))
    commit_all(project, "our README")
    code, out, _ = update("--json")
    report = json.loads(out)
    assert code == 3  # applied, with conflicts to resolve
    assert report["applied"] is True
    assert report["branch"] == BRANCH
    assert git(project, "branch", "--show-current").strip() == BRANCH
    assert report["conflicts"] == ["README.md"]
    status = {line[3:]: line[:2] for line in git(project, "status", "--porcelain").splitlines()}
    assert status["README.md"] == " M"  # conflicted: left unstaged
    assert status["src/shop/main.py"] == "M "  # clean: staged
    assert status["src/shop/py.typed"] == "A "
    assert status["docs/upgrading.md"] == "D "
    assert (
        "<<<<<<< yours\n## Setup\n=======\n## Quick start\n>>>>>>>"
        in (project / "README.md").read_text()
    )
    manifest = read_manifest(project, forge_version=VERSION)
    assert "docs/upgrading.md" not in manifest.all_files()
    assert not (project / BASE_DIR / "docs/upgrading.md").exists()
    # Resolved and committed, the project is current.
    (project / "README.md").write_text(readme.replace("## Getting started", "## Quick start"))
    commit_all(project, "update")
    code, out, _ = update()
    assert (code, "nothing to do" in out) == (0, True)


def test_no_branch_updates_the_current_branch(project: Path) -> None:
    code, out, _ = update("--no-branch")
    assert code == 0, out
    assert git(project, "branch", "--show-current").strip() == "main"
    assert "undo: git reset --hard" in out
    git(project, "reset", "-q", "--hard")
    assert git(project, "status", "--porcelain") == ""


def test_interrupted_update_restores_the_tree_and_the_branch(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(project)
    calls = 0
    real = workspace._mode

    def interrupt(*arguments: object) -> int | None:
        nonlocal calls
        calls += 1
        if calls == 6:
            raise KeyboardInterrupt
        return real(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace, "_mode", interrupt)
    code, _, err = update()
    assert code == 130
    assert "left as it was" in err
    assert calls == 6
    assert files(project) == before
    assert git(project, "branch", "--show-current").strip() == "main"
    assert BRANCH not in git(project, "branch")


def test_interrupted_update_on_a_detached_head_goes_back_to_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = git(project, "rev-parse", "HEAD").strip()
    git(project, "switch", "-q", "--detach", head)
    before = files(project)

    def interrupt(*arguments: object, **keywords: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("fastapi_forge.engine.update.apply_files", interrupt)
    code, _, _ = update()
    assert code == 130
    assert files(project) == before
    assert git(project, "rev-parse", "HEAD").strip() == head
    assert git(project, "branch", "--show-current").strip() == ""
    assert BRANCH not in git(project, "branch")


def test_a_migration_the_templates_ship_anew_is_chained_onto_the_projects_head(
    current: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_forge.engine import render
    from fastapi_forge.engine.migrations import read_revisions, single_head

    project = tmp_path / "shop"
    shutil.copytree(current, project, symlinks=True)
    head_before = single_head(read_revisions(project / "migrations/versions"))
    newer = tmp_path / "templates"
    shutil.copytree(render.template_dir("project").parent, newer)
    shipped = newer / "project/template/migrations/versions/2027_01_01_0000-0002_note.py"
    shipped.write_text(
        '"""Add a note.\n\nRevision ID: 0002\nRevises: 0001\nCreate Date: 2027-01-01\n"""\n\n'
        "from collections.abc import Sequence\n\n"
        'revision: str = "0002"\n'
        'down_revision: str | Sequence[str] | None = "0001"\n'
        "branch_labels: str | Sequence[str] | None = None\n"
        "depends_on: str | Sequence[str] | None = None\n\n\n"
        "def upgrade() -> None:\n"
        '    """Nothing to change."""\n\n\n'
        "def downgrade() -> None:\n"
        '    """Nothing to change."""\n'
    )
    monkeypatch.chdir(project)
    with templates_at(monkeypatch, newer):
        code, out, _ = update("--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["migrations"] == [
        {
            "path": "migrations/versions/2027_01_01_0000-0002_note.py",
            "revision": "0002",
            "down_revision": head_before,
        }
    ]
    revisions = read_revisions(project / "migrations/versions")
    assert single_head(revisions) == "0002"
    text = (project / "migrations/versions/2027_01_01_0000-0002_note.py").read_text()
    assert f"Revises: {head_before}\n" in text
    # Recorded as forge wrote it, chained: a second update has nothing to do.
    commit_all(project, "update")
    with templates_at(monkeypatch, newer):
        code, out, _ = update()
    assert (code, "nothing to do" in out) == (0, True)


def test_refuses_uncommitted_changes_elsewhere_in_the_repository(
    older: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a monorepo, the undo (git reset --hard) would reach other folders' work."""
    repository = tmp_path / "mono"
    (repository / "services").mkdir(parents=True)
    shutil.copytree(older, repository / "services" / "shop", symlinks=True)
    shutil.rmtree(repository / "services" / "shop" / ".git")
    (repository / "lib.py").write_text("v1\n")
    git(repository, "init", "-q", "-b", "main")
    commit_all(repository)
    (repository / "lib.py").write_text("unsaved work\n")
    monkeypatch.chdir(repository / "services" / "shop")
    code, _, err = update()
    assert code == 1
    assert "lib.py" in err
    assert (repository / "lib.py").read_text() == "unsaved work\n"


def test_a_path_git_ignores_is_written_and_left_unstaged(project: Path) -> None:
    (project / ".gitignore").write_text((project / ".gitignore").read_text() + "py.typed\n")
    commit_all(project, "ignore py.typed")
    code, out, _ = update("--json")
    assert code == 0, out
    assert (project / "src/shop/py.typed").exists()
    assert "py.typed" not in git(project, "status", "--porcelain")


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_a_failure_while_staging_restores_the_files_the_index_and_the_branch(
    project: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
) -> None:
    from fastapi_forge.engine import git as forge_git

    before = files(project)

    def stage(root: Path, paths: object) -> None:
        subprocess.run(["git", "add", "--all", "--", "src"], cwd=root, check=True)
        raise failure()

    monkeypatch.setattr(forge_git, "stage", stage)
    code, _, err = update()
    assert code == (130 if failure is KeyboardInterrupt else 1)
    assert len(err.strip().splitlines()) == 1
    assert files(project) == before
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "branch", "--show-current").strip() == "main"
    assert BRANCH not in git(project, "branch")


def test_a_file_that_cannot_be_written_is_one_line_and_restores_everything(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(project)
    calls = 0
    real = workspace._mode

    def refuse(*arguments: object) -> int | None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise PermissionError(13, "Permission denied", str(project / "src/shop/main.py"))
        return real(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace, "_mode", refuse)
    code, _, err = update()
    assert code == 1
    assert err.startswith("error: cannot write ")
    assert "Permission denied" in err
    assert len(err.strip().splitlines()) == 1
    assert files(project) == before
    assert BRANCH not in git(project, "branch")


def test_a_failing_checkout_hook_does_not_leave_the_update_half_made(project: Path) -> None:
    hook = project / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    code, out, _ = update("--json")
    assert code == 0, out
    assert git(project, "branch", "--show-current").strip() == BRANCH


def test_a_hand_edited_manifest_is_refused_in_one_line(project: Path) -> None:
    text = (project / MANIFEST_FILE).read_text()
    (project / MANIFEST_FILE).write_text(text.replace('access = "owner"', 'access = "root"', 1))
    commit_all(project, "edit the manifest")
    assert_refused(project, [], "access must be owner, admin or anyone")


def test_a_manifest_missing_an_answer_is_refused_in_one_line(project: Path) -> None:
    text = (project / MANIFEST_FILE).read_text()
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("database")]
    (project / MANIFEST_FILE).write_text("".join(lines))
    commit_all(project, "edit the manifest")
    assert_refused(project, [], "needs the answer database")


def test_inside_forges_base_copies_the_project_is_the_real_one(project: Path) -> None:
    from fastapi_forge.engine.target import find_project

    assert find_project(project / BASE_DIR / "src" / "shop").root == project


@pytest.mark.parametrize(
    ("given", "accepted"), [(VERSION, True), (f"v{VERSION}", True), ("", False)]
)
def test_to_version_is_compared_as_a_version(project: Path, given: str, accepted: bool) -> None:
    code, _, err = update("--to-version", given, "--dry-run")
    if accepted:
        assert code == 0, err
    else:
        assert code == 1
        assert "is not a version" in err
