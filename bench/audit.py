"""`forge audit` on a generated project of about 200 files, statically (no ``--run``)."""

from __future__ import annotations

import json
import resource

from bench.common import Measurement, Workspace, child_env, forge_command, median, run, timed
from bench.projects import FIELDS, feature_name

AUDIT_TARGET_SECONDS = 2.0
TARGET_FILES = 200
MAX_FEATURES = 40


def measure(workspace: Workspace, *, repeat: int) -> list[Measurement]:
    """Median wall and CPU time of ``forge audit PATH --json`` (after a warm-up) on >= 200
    files of a project forge generated (grown feature by feature until it has them)."""
    forge = forge_command()
    env = child_env()
    parent = workspace.folder("audit")
    root = parent / "audit-api"
    local = ["--no-install", "--no-git", "--defaults", "--no-input", "-q"]
    run([*forge, "new", "audit-api", *local], cwd=parent, env=env)
    command = [*forge, "audit", str(root), "--json"]
    files = json.loads(run(command, env=env).stdout)["project"]["files_scanned"]
    features = 0
    while files < TARGET_FILES and features < MAX_FEATURES:
        run([*forge, "add", "feature", feature_name(features), *FIELDS, "-q"], cwd=root, env=env)
        features += 1
        files = json.loads(run(command, env=env).stdout)["project"]["files_scanned"]
    runs, cpu = [], []
    document: dict[str, object] = {}
    timed(command, env=env)  # warm-up: bytecode
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, result = timed(command, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append(seconds)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        document = json.loads(result.stdout)
    score = document.get("score")
    detail = {
        "files": files,
        "features": features,
        "score": score["value"] if isinstance(score, dict) else None,
    }
    target = f"< {AUDIT_TARGET_SECONDS:g} s"
    return [
        Measurement(
            "audit",
            f"forge audit --json, {files} files: wall",
            median(runs),
            "s",
            target,
            median(runs) < AUDIT_TARGET_SECONDS,
            {**detail, "runs": runs},
        ),
        # CPU time of the process: steadier than wall time on a shared machine.
        Measurement(
            "audit",
            f"forge audit --json, {files} files: CPU",
            median(cpu),
            "s",
            target,
            median(cpu) < AUDIT_TARGET_SECONDS,
            {**detail, "runs": cpu},
        ),
    ]
