"""The steps of ``forge new`` after the render: ``uv sync`` and ``git init`` with a first commit.

Each step reports what it did, skipped or failed as a :class:`StepResult`; none raises for a
failing tool, since the project is complete without them.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["StepResult", "init_git", "install_dependencies"]


@dataclass(frozen=True)
class StepResult:
    """What a step after the render (``uv sync``, ``git init``) did."""

    status: Literal["done", "skipped", "failed"]
    message: str
    """One line for the user: what was done, why it was skipped, or why it failed."""


def install_dependencies(project: Path, *, skip: bool) -> StepResult:
    """Run ``uv sync`` in ``project`` (it writes ``uv.lock`` and ``.venv``) when uv is on PATH.

    Never raises for a failing ``uv``: the project stays as it is and the result says why.
    """
    if skip:
        return StepResult("skipped", "skipped uv sync (--no-install); run `uv sync` yourself")
    uv = shutil.which("uv")
    if uv is None:
        return StepResult(
            "skipped",
            "skipped uv sync: uv is not on PATH; install it (https://docs.astral.sh/uv/) "
            "and run `uv sync`",
        )
    started = time.perf_counter()
    failure = _run_step([uv, "sync"], project)
    if failure is not None:
        return StepResult("failed", f"uv sync failed: {failure}; fix it and run `uv sync` again")
    seconds = time.perf_counter() - started
    return StepResult(
        "done", f"installed the dependencies with uv sync ({seconds:.1f} s); uv.lock written"
    )


def init_git(project: Path, *, skip: bool) -> StepResult:
    """Make ``project`` a git repository with a first commit, unless it is inside one already.

    Never raises for a failing ``git``: the project stays as it is and the result says why.
    """
    if skip:
        return StepResult("skipped", "skipped git init (--no-git)")
    git = shutil.which("git")
    if git is None:
        return StepResult("skipped", "skipped git init: git is not on PATH")
    inside = subprocess.run(
        [git, "rev-parse", "--show-toplevel"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if inside.returncode == 0:
        top = inside.stdout.strip()
        return StepResult(
            "skipped", f"skipped git init: the project is inside the repository {top}"
        )
    for command in (
        [git, "init", "--quiet"],
        [git, "add", "--all"],
        [git, "commit", "--quiet", "--message", "Create the project with forge new"],
    ):
        failure = _run_step(command, project)
        if failure is not None:
            after = (
                ""
                if command[1] == "init"
                else "; the repository exists: commit yourself (git add -A && git commit)"
            )
            return StepResult("failed", f"git {command[1]} failed: {failure}{after}")
    return StepResult("done", "created a git repository with a first commit")


def _run_step(command: list[str], cwd: Path) -> str | None:
    """Run ``command``; return None on success, else the last line it printed (or why)."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        return exc.strerror or str(exc)
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {result.returncode}"
