"""Time to green: `forge new`, then `uv sync` with a warm cache, then the generated suite."""

from __future__ import annotations

from bench.common import Measurement, Workspace, child_env, forge_command, passed_tests, timed
from bench.harness import UV, find_python

TARGET_SECONDS = 30.0
PYTHON_VERSION = "3.12"

# Only the render (and, in green, uv sync timed on its own): no install, no git step.
NEW = ("new", "--no-install", "--no-git")


def measure(workspace: Workspace) -> list[Measurement]:
    """Prime the uv cache with one project, then time a second one from nothing to green."""
    forge = forge_command()
    python = find_python(PYTHON_VERSION)
    env = child_env(UV_PYTHON_DOWNLOADS="never")
    sync = [UV, "sync", "--python", python]

    primer = workspace.root / "green-primer"
    timed([*forge, *NEW, "primer", primer, "--no-input"], env=env)
    timed(sync, cwd=primer, env=env)  # every wheel is now in the uv cache

    project = workspace.root / "green"
    new_seconds, _ = timed([*forge, *NEW, "bench-api", project, "--no-input"], env=env)
    sync_seconds, _ = timed(sync, cwd=project, env=env)
    test_seconds, result = timed(
        [UV, "run", "--python", python, "pytest", "-q"], cwd=project, env=env
    )
    passed = passed_tests(result.stdout, project)
    total = new_seconds + sync_seconds + test_seconds
    return [
        Measurement("green", "forge new", new_seconds, "s"),
        Measurement("green", "uv sync (warm cache)", sync_seconds, "s"),
        Measurement("green", "uv run pytest", test_seconds, "s", detail={"passed": passed}),
        Measurement(
            "green",
            "time to green (SQLite)",
            total,
            "s",
            f"< {TARGET_SECONDS:g} s",
            total < TARGET_SECONDS,
        ),
    ]
