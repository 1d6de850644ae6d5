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
    "ignored",
    "is_repository",
    "stage",
    "switch_branch",
    "switch_detached",
    "uncommitted_paths",
    "unstage_all",
]


def _git_binary() -> str:
    git = shutil.which("git")
    if git is None:
        raise UserError("git is not on PATH; install git and run the command again")
    return git


def _git(root: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [_git_binary(), *arguments], cwd=root, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        failure = (result.stderr or result.stdout).strip().splitlines()
        command = next(a for a in arguments if not a.startswith("-") and "=" not in a)
        reason = failure[-1] if failure else f"exit status {result.returncode}"
        raise UserError(f"git {command} failed: {reason}; fix the repository and run it again")
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
    """Every path of the whole repository that differs from the last commit, untracked
    files included (ignored ones are not), relative to the repository's top."""
    result = _git(root, "status", "--porcelain", "-z", "--untracked-files=all")
    entries = result.stdout.split("\0")
    paths: list[str] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # a rename or copy is followed by its source path
            index += 1
    return paths


def current_branch(root: Path) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    result = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.strip() or None


def branch_exists(root: Path, name: str) -> bool:
    """Whether the local branch ``name`` exists."""
    reference = f"refs/heads/{name}"
    return _git(root, "show-ref", "--verify", "--quiet", reference, check=False).returncode == 0


# The repository's hooks do not run for forge's own checkouts: a post-checkout hook that
# fails (or is slow) must not leave an update half made on a branch.
_NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


def create_branch(root: Path, name: str) -> None:
    """Create ``name`` at HEAD and check it out (the working tree is left as it is)."""
    result = _git(root, *_NO_HOOKS, "switch", "--quiet", "--create", name, check=False)
    if result.returncode != 0:
        failure = (result.stderr or result.stdout).strip().splitlines()
        raise UserError(
            f"cannot create the branch {name}: {failure[-1] if failure else 'git failed'}; "
            "pass --no-branch to update the current branch, or rename the branch in the way"
        )


def head_commit(root: Path) -> str:
    """The commit HEAD points at."""
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def switch_branch(root: Path, name: str) -> None:
    """Check out the existing branch ``name``."""
    _git(root, *_NO_HOOKS, "switch", "--quiet", name)


def switch_detached(root: Path, commit: str) -> None:
    """Check out ``commit`` on a detached HEAD."""
    _git(root, *_NO_HOOKS, "switch", "--quiet", "--detach", commit)


def delete_branch(root: Path, name: str) -> None:
    """Delete the local branch ``name``, merged or not."""
    _git(root, "branch", "--quiet", "-D", name)


def ignored(root: Path, paths: Sequence[str]) -> set[str]:
    """The untracked paths among ``paths`` that git ignores (tracked files never are)."""
    if not paths:
        return set()
    result = subprocess.run(
        [_git_binary(), "check-ignore", "-z", "--stdin"],
        cwd=root,
        input="\0".join(paths) + "\0",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise UserError(f"git check-ignore failed: {result.stderr.strip()}; fix the repository")
    return {path for path in result.stdout.split("\0") if path}


def stage(root: Path, paths: Sequence[str]) -> None:
    """``git add`` the paths (relative to ``root``), deletions included."""
    if paths:
        _git(root, "add", "--all", "--", *paths)


def unstage_all(root: Path) -> None:
    """Make the index match HEAD again (the working tree is left alone)."""
    _git(root, "reset", "--quiet", check=False)
