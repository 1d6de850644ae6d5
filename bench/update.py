"""`forge update` on a project with 10 features: the whole command, as a user runs it.

Two figures: a project already current (the full re-render of the manifest and the merge
planning, then "nothing to do"), and an update applied to an older project. The older
project is made by rewriting forge's records: each feature's router and the project's
``main.py`` get an older first line in the file and in its base copy (with the digest in the
manifest), so that the update has those files to replace; nothing else differs.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import tomli_w

from bench.common import Measurement, Workspace, child_env, forge_command, median, run, timed
from bench.projects import FIELDS, feature_name
from fastapi_forge.engine.manifest import BASE_DIR, MANIFEST_FILE, digest

FEATURES = 10
TARGET_SECONDS = 10.0
OLDER_LINE = b"# Written by an older forge.\n"


def _git(root: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *arguments],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _project(parent: Path, forge: list[str], count: int) -> Path:
    env = child_env()
    run([*forge, "new", "bench-api", "--no-install", "--no-git", "-q"], cwd=parent, env=env)
    root = parent / "bench-api"
    for index in range(count):
        run([*forge, "add", "feature", feature_name(index), *FIELDS, "-q"], cwd=root, env=env)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    return root


def _make_older(root: Path) -> int:
    """Give some generated files an older first line, in the file and in forge's records."""
    manifest_path = root / MANIFEST_FILE
    text = manifest_path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    document = tomllib.loads(text)
    changed = 0
    for owned in document["files"].values():
        for path in list(owned):
            if path.endswith(("/router.py", "/main.py")):
                content = OLDER_LINE + (root / path).read_bytes()
                (root / path).write_bytes(content)
                (root / BASE_DIR / path).write_bytes(content)
                owned[path] = digest(content)
                changed += 1
    manifest_path.write_text(header + "\n" + tomli_w.dumps(document), encoding="utf-8")
    _git(root, "commit", "-qam", "older")
    return changed


def measure(workspace: Workspace, *, repeat: int) -> list[Measurement]:
    """Wall time of `forge update` with nothing to do, and of an applied update."""
    forge = forge_command()
    env = child_env()
    current, applied, files = [], [], 0
    for attempt in range(repeat):
        root = _project(workspace.folder(f"update-{attempt}"), forge, FEATURES)
        seconds, _ = timed([*forge, "update"], cwd=root, env=env)
        current.append(seconds)
        files = _make_older(root)
        seconds, _ = timed([*forge, "update", "--no-branch"], cwd=root, env=env)
        applied.append(seconds)
    detail = {"features": FEATURES, "runs": repeat}
    return [
        Measurement(
            benchmark="update",
            metric=f"forge update, {FEATURES} features, nothing to do",
            value=median(current),
            unit="s",
            target=f"< {TARGET_SECONDS:g} s",
            met=median(current) < TARGET_SECONDS,
            detail=detail,
        ),
        Measurement(
            benchmark="update",
            metric=f"forge update, {FEATURES} features, {files} files updated",
            value=median(applied),
            unit="s",
            target=f"< {TARGET_SECONDS:g} s",
            met=median(applied) < TARGET_SECONDS,
            detail=detail,
        ),
    ]
