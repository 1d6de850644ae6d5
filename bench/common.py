"""What every benchmark shares: measurements, timing, the forge command, clean environments."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import clean_env

__all__ = [
    "BenchError",
    "Measurement",
    "Workspace",
    "child_env",
    "forge_command",
    "median",
    "passed_tests",
    "run",
    "timed",
]


class BenchError(RuntimeError):
    """A benchmark could not run; the message says what is missing and how to fix it."""


@dataclass
class Measurement:
    """One figure: what was measured, its value, and the target it is held against."""

    benchmark: str
    metric: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (which must not be empty)."""
    return float(statistics.median(values))


_PASSED = re.compile(r"(\d+) passed")


def passed_tests(output: str, where: Path) -> int:
    """The number of passed tests in a pytest summary; none at all is a :class:`BenchError`."""
    found = _PASSED.search(output)
    if found is None:
        raise BenchError(f"no passed tests in {where}:\n{output[-2000:]}")
    return int(found[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a measured command: the user's, minus what skews timings.

    ``PYTHONDONTWRITEBYTECODE`` is dropped so that Python caches bytecode as it does on
    a developer's machine (a sandbox that sets it would recompile every import).
    """
    env = clean_env(**extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("FORGE_RENDER_ENGINE", None)
    return env


def run(
    command: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; raise :class:`BenchError` with its output when it fails."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env) if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        shown = " ".join(str(part) for part in command)
        raise BenchError(
            f"`{shown}` exited {result.returncode} in {cwd}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def timed(
    command: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of ``command`` (which must succeed), and its result."""
    started = time.perf_counter()
    result = run(command, cwd=cwd, env=env, timeout=timeout)
    return time.perf_counter() - started, result


def forge_command() -> list[str]:
    """The ``forge`` console script of the running environment (as a user runs it)."""
    script = Path(sys.executable).parent / "forge"
    if not script.exists():
        raise BenchError(
            f"no `forge` script beside {sys.executable}; install fastapi-forge into this "
            "environment (pip install .) or run `nox -s bench`"
        )
    return [str(script)]


@dataclass
class Workspace:
    """A scratch folder for one benchmark run, kept only with ``--keep``."""

    root: Path

    def folder(self, name: str) -> Path:
        """A fresh subfolder ``name`` (created)."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=False)
        return path
