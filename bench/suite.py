"""The generated test suite's run time as the project grows by features."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.common import Measurement, Workspace, child_env, median, passed_tests, timed
from bench.projects import project_with_features

NEW_TARGET_SECONDS = 10.0
LINEAR_TOLERANCE = 1.5  # the last segment's slope may be at most this times the first's


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least-squares line through the points: (slope, intercept, r squared)."""
    count = len(xs)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return slope, intercept, 1.0 - residual / total if total else 1.0


def measure(workspace: Workspace, *, counts: Sequence[int], repeat: int) -> list[Measurement]:
    """Median run time of the generated suite for each feature count (after one warm-up)."""
    results: list[Measurement] = []
    seconds_by_count: dict[int, float] = {}
    for count in counts:
        project = project_with_features(workspace.folder(f"suite-{count}"), count)
        pytest: list[str | Path] = [
            project.root / ".venv" / "bin" / "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        env = child_env()
        timed(pytest, cwd=project.root, env=env)  # warm-up: bytecode, SQLite files
        runs = []
        passed = 0
        for _ in range(repeat):
            seconds, result = timed(pytest, cwd=project.root, env=env)
            passed = passed_tests(result.stdout, project.root)
            runs.append(seconds)
        seconds_by_count[count] = median(runs)
        is_new = count == 0
        results.append(
            Measurement(
                "suite",
                f"generated suite, {count} features",
                seconds_by_count[count],
                "s",
                f"< {NEW_TARGET_SECONDS:g} s" if is_new else "",
                seconds_by_count[count] < NEW_TARGET_SECONDS if is_new else None,
                {"tests": passed, "runs": runs},
            )
        )
    if len(seconds_by_count) >= 3:
        xs = sorted(seconds_by_count)
        ys = [seconds_by_count[x] for x in xs]
        slope, intercept, r_squared = fit(xs, ys)
        first = (ys[1] - ys[0]) / (xs[1] - xs[0])
        last = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        linear = last <= LINEAR_TOLERANCE * max(first, slope)
        results += [
            Measurement(
                "suite",
                "per-feature slope (least squares)",
                slope,
                "s/feature",
                detail={"intercept": intercept, "r_squared": r_squared},
            ),
            Measurement(
                "suite",
                "last segment slope / first segment slope",
                last / first if first > 0 else float("inf"),
                "x",
                f"<= {LINEAR_TOLERANCE:g}x (linear or better)",
                linear,
                {"first": first, "last": last},
            ),
        ]
    return results
