"""The git operations of the commands that change an existing project: is it under version
control, is its working tree clean, and the branch an update is left on for review.

Every call runs the ``git`` on PATH in the project's folder; a failing git becomes one
:class:`~fastapi_forge.errors.UserError` line.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from fastapi_forge.errors import UserError

__all__ = [
    "branch_exists",
    "create_branch",
    "current_branch",
    "delete_branch",
    "has_commits",
    "head_commit",
    "is_repository",
    "stage",
    "switch_branch",
    "switch_detached",
    "uncommitted_paths",
]


def _git(root: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise UserError("git is not on PATH; install git and run the command again")
    result = subprocess.run(
        [git, *arguments], cwd=root, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        failure = (result.stderr or result.stdout).strip().splitlines()
        raise UserError(
            f"git {arguments[0]} failed: {failure[-1] if failure else result.returncode}; "
            "fix the repository and run the command again"
        )
    return result


def is_repository(root: Path) -> bool:
    """Whether ``root`` is inside a git work tree."""
    if shutil.which("git") is None:
        return False
    result = _git(root, "rev-parse", "--is-inside-work-tree", check=False)
    return result.returncode == 0 and result.stdout.strip() == "true"


def has_commits(root: Path) -> bool:
    """Whether the repository has a commit to branch from."""
    return _git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def uncommitted_paths(root: Path) -> list[str]:
    """Every path under ``root`` that differs from the last commit, untracked files
    included (ignored ones are not), as git names them."""
    result = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    return [line[3:] for line in result.stdout.splitlines() if line.strip()]


def current_branch(root: Path) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    result = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.strip() or None


def branch_exists(root: Path, name: str) -> bool:
    """Whether the local branch ``name`` exists."""
    reference = f"refs/heads/{name}"
    return _git(root, "show-ref", "--verify", "--quiet", reference, check=False).returncode == 0


def create_branch(root: Path, name: str) -> None:
    """Create ``name`` at HEAD and check it out (the working tree is left as it is)."""
    _git(root, "switch", "--quiet", "--create", name)


def head_commit(root: Path) -> str:
    """The commit HEAD points at."""
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def switch_branch(root: Path, name: str) -> None:
    """Check out the existing branch ``name``."""
    _git(root, "switch", "--quiet", name)


def switch_detached(root: Path, commit: str) -> None:
    """Check out ``commit`` on a detached HEAD."""
    _git(root, "switch", "--quiet", "--detach", commit)


def delete_branch(root: Path, name: str) -> None:
    """Delete the local branch ``name``, merged or not."""
    _git(root, "branch", "--quiet", "-D", name)


def stage(root: Path, paths: Sequence[str]) -> None:
    """``git add`` the paths (relative to ``root``), deletions included."""
    if paths:
        _git(root, "add", "--all", "--", *paths)
