"""`forge audit` on a generated project of about 200 files, statically (no ``--run``)."""

from __future__ import annotations

import json

from bench.common import Measurement, Workspace, child_env, forge_command, median, run, timed
from bench.projects import FIELDS, feature_name

AUDIT_TARGET_SECONDS = 2.0
TARGET_FILES = 200
MAX_FEATURES = 40


def measure(workspace: Workspace, *, repeat: int) -> list[Measurement]:
    """Median wall time of ``forge audit PATH --json`` (after a warm-up) on >= 200 files."""
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
    runs = []
    document: dict[str, object] = {}
    for _ in range(repeat):
        seconds, result = timed(command, env=env)
        runs.append(seconds)
        document = json.loads(result.stdout)
    seconds = median(runs)
    score = document.get("score")
    return [
        Measurement(
            "audit",
            f"forge audit --json, {files} files ({features} features)",
            seconds,
            "s",
            f"< {AUDIT_TARGET_SECONDS:g} s",
            seconds < AUDIT_TARGET_SECONDS,
            {
                "runs": runs,
                "files": files,
                "score": score["value"] if isinstance(score, dict) else None,
            },
        )
    ]
