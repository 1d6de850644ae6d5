"""`forge new`'s steps after the render: `uv sync` and a git repository with a first commit.

`uv` is replaced by a stub on PATH (a real `uv sync` is the e2e tier's job); git is real.
Whatever these steps do, the project stays and `forge new` exits 0; a failure is one
`warning:` line on stderr.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fastapi_forge.cli import app

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")

STUB_UV = """#!/bin/sh
echo "$PWD|$*" >> "{log}"
{body}
"""


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of its own: git (when installed) and whatever a test puts there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    if GIT is not None:
        (folder / "git").symlink_to(GIT)
    monkeypatch.setenv("PATH", str(folder))
    # A known identity, whatever the machine's git configuration says.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Forge Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "forge@example.com")
    return folder


def stub_uv(bin_dir: Path, body: str = ": > uv.lock") -> Path:
    """Put a fake `uv` on PATH that logs `cwd|args` and runs ``body``; return the log."""
    log = bin_dir.parent / "uv-calls.log"
    uv = bin_dir / "uv"
    uv.write_text(STUB_UV.format(log=log, body=body))
    uv.chmod(uv.stat().st_mode | stat.S_IXUSR)
    return log


def new(workdir: Path, *args: str) -> Result:
    os.chdir(workdir)
    return CliRunner().invoke(app, ["new", "my-api", "--defaults", *args])


def git(project: Path, *args: str) -> str:
    assert GIT is not None
    result = subprocess.run([GIT, *args], cwd=project, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("CI", raising=False)
    return folder


@needs_git
def test_uv_sync_runs_in_the_project_and_its_lock_is_committed(
    workdir: Path, bin_dir: Path
) -> None:
    log = stub_uv(bin_dir)

    result = new(workdir)

    assert result.exit_code == 0, result.output
    project = workdir / "my-api"
    assert log.read_text().splitlines() == [f"{project}|sync"]
    assert "installed the dependencies with uv sync" in result.stdout
    assert "created a git repository with a first commit" in result.stdout
    steps = result.stdout[result.stdout.index("Next steps:") :]
    assert "uv sync" not in steps, "already done"
    assert "uv run pytest" in steps
    tracked = git(project, "ls-files").splitlines()
    assert "uv.lock" in tracked
    assert ".env" not in tracked, "the secrets stay out of git"
    assert ".env.example" in tracked
    assert git(project, "status", "--porcelain") == ""
    assert len(git(project, "log", "--format=%H").splitlines()) == 1


def test_without_uv_on_path_the_step_is_skipped_and_named(workdir: Path, bin_dir: Path) -> None:
    result = new(workdir, "--no-git")

    assert result.exit_code == 0, result.output
    assert "skipped uv sync: uv is not on PATH" in result.stdout
    steps = result.stdout[result.stdout.index("Next steps:") :]
    assert "uv sync" in steps
    assert not (workdir / "my-api" / ".git").exists()


def test_no_install_never_calls_uv(workdir: Path, bin_dir: Path) -> None:
    log = stub_uv(bin_dir)

    result = new(workdir, "--no-install", "--no-git")

    assert result.exit_code == 0, result.output
    assert not log.exists()
    assert "skipped uv sync (--no-install)" in result.stdout
    assert "skipped git init (--no-git)" in result.stdout


@needs_git
def test_a_failing_uv_sync_is_a_warning_and_the_project_stays(workdir: Path, bin_dir: Path) -> None:
    stub_uv(bin_dir, body='echo "error: No solution found when resolving" >&2; exit 1')

    result = new(workdir)

    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "warning: uv sync failed: error: No solution found when resolving; "
        "fix it and run `uv sync` again"
    )
    project = workdir / "my-api"
    assert (project / "pyproject.toml").is_file()
    assert "uv sync" in result.stdout[result.stdout.index("Next steps:") :]
    assert git(project, "ls-files").strip(), "the first commit is still made"


@needs_git
def test_quiet_still_installs_and_prints_only_failures(workdir: Path, bin_dir: Path) -> None:
    log = stub_uv(bin_dir)

    result = new(workdir, "--quiet")

    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert log.read_text().strip()
    assert (workdir / "my-api" / ".git").is_dir()


@needs_git
def test_no_repository_inside_an_existing_one(workdir: Path, bin_dir: Path) -> None:
    git(workdir, "init", "--quiet")

    result = new(workdir, "--no-install")

    assert result.exit_code == 0, result.output
    assert not (workdir / "my-api" / ".git").exists()
    assert f"skipped git init: the project is inside the repository {workdir}" in result.stdout


@needs_git
def test_no_git_leaves_no_repository(workdir: Path, bin_dir: Path) -> None:
    result = new(workdir, "--no-install", "--no-git")

    assert result.exit_code == 0, result.output
    assert not (workdir / "my-api" / ".git").exists()


@needs_git
def test_a_failing_commit_is_a_warning_and_the_project_stays(
    workdir: Path, bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    monkeypatch.delenv("EMAIL", raising=False)
    (bin_dir.parent / "gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")

    result = new(workdir, "--no-install")

    assert result.exit_code == 0, result.output
    warning = result.stderr.strip()
    assert warning.startswith("warning: git commit failed: ")
    assert warning.endswith("commit yourself (git add -A && git commit)")
    assert len(warning.splitlines()) == 1
    assert (workdir / "my-api" / ".git").is_dir()
    assert (workdir / "my-api" / "pyproject.toml").is_file()


def test_dry_run_runs_no_step(workdir: Path, bin_dir: Path) -> None:
    log = stub_uv(bin_dir)

    result = new(workdir, "--dry-run")

    assert result.exit_code == 0, result.output
    assert not log.exists()
    assert list(workdir.iterdir()) == []
