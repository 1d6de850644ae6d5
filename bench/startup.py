"""Start-up time and memory of the generated app, and `add-feature`, as features pile up."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence

from bench.common import Measurement, Workspace, child_env, forge_command, median, timed
from bench.projects import FIELDS, project_with_features

STARTUP_TARGET_SECONDS = 1.0
STARTUP_TARGET_FEATURES = 20
FLAT_TOLERANCE = 1.5  # add-feature with the most features may take this times the fewest

_PROBE = """
import json, resource, sys, time
started = time.perf_counter()
from {package}.main import create_app
app = create_app()
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "rss_kib": rss, "routes": len(app.routes)}}))
"""


def measure(workspace: Workspace, *, counts: Sequence[int], repeat: int) -> list[Measurement]:
    """For each feature count: create_app time, process wall time, peak RSS, add-feature time."""
    forge = forge_command()
    results: list[Measurement] = []
    add_feature: dict[int, float] = {}
    for count in counts:
        project = project_with_features(workspace.folder(f"startup-{count}"), count)
        python = project.root / ".venv" / "bin" / "python"
        probe = _PROBE.format(package=project.package)
        env = child_env()
        timed([python, "-c", probe], cwd=project.root, env=env)  # warm-up: bytecode
        walls, seconds, rss = [], [], []
        for _ in range(repeat):
            wall, result = timed([python, "-c", probe], cwd=project.root, env=env)
            report = json.loads(result.stdout.strip().splitlines()[-1])
            walls.append(wall)
            seconds.append(report["seconds"])
            rss.append(report["rss_kib"] / 1024)
        is_target = count == STARTUP_TARGET_FEATURES
        results += [
            Measurement(
                "startup",
                f"import + create_app, {count} features",
                median(seconds),
                "s",
                f"< {STARTUP_TARGET_SECONDS:g} s" if is_target else "",
                median(seconds) < STARTUP_TARGET_SECONDS if is_target else None,
                {"runs": seconds, "routes": report["routes"]},
            ),
            Measurement(
                "startup",
                f"process wall (python start to app), {count} features",
                median(walls),
                "s",
                detail={"runs": walls},
            ),
            Measurement("startup", f"peak RSS, {count} features", median(rss), "MiB"),
        ]
        runs = []
        for index in range(repeat):
            copy = workspace.root / f"startup-{count}-copy-{index}"
            shutil.copytree(
                project.root, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv")
            )
            wall, _ = timed([*forge, "add-feature", "probe", *FIELDS, "--quiet"], cwd=copy, env=env)
            runs.append(wall)
            shutil.rmtree(copy)
        add_feature[count] = median(runs)
        results.append(
            Measurement(
                "startup",
                f"forge add-feature with {count} features",
                add_feature[count],
                "s",
                detail={"runs": runs},
            )
        )
    if len(add_feature) >= 2:
        fewest, most = min(add_feature), max(add_feature)
        ratio = add_feature[most] / add_feature[fewest]
        results.append(
            Measurement(
                "startup",
                f"add-feature time, {most} vs {fewest} features",
                ratio,
                "x",
                f"<= {FLAT_TOLERANCE:g}x (flat)",
                ratio <= FLAT_TOLERANCE,
            )
        )
    return results
