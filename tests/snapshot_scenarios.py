"""Named scenarios rendered into committed snapshots under tests/snapshots/<scenario>/.

`python -m tests.snapshot_scenarios` (or `nox -s snapshots`) renders every scenario again and
replaces the committed trees, so a template change shows up as a reviewable diff.
`.env` is never snapshotted: it holds a secret that is random by design.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_forge.generators.feature.generator import add_feature
from fastapi_forge.generators.project.generator import create_project
from fastapi_forge.naming import normalize_project_name

SNAPSHOT_ROOT = Path(__file__).resolve().parent / "snapshots"
MASKED = frozenset({".env"})
# A fixed moment for file names and dates inside migrations: 2026-11-22 00:00 UTC.
SOURCE_DATE_EPOCH = "1795305600"


@dataclass(frozen=True)
class Scenario:
    """A `forge new` invocation, then `forge add-feature` ones."""

    name: str
    database: str = "sqlite"
    python_version: str = "3.12"
    features: Sequence[tuple[str, Sequence[str], bool]] = field(default_factory=tuple)


EVERY_FIELD_TYPE = (
    "title:str:max=120:min=2:unique",
    "notes:text?",
    "quantity:int:ge=0:le=1000:index",
    "weight:float:gt=0:lt=500.5",
    "total:decimal:digits=10:places=2:ge=0",
    "rush:bool:default=false",
    "due_on:date:index",
    "shipped_at:datetime?",
    "tracking:uuid:unique",
    "status:enum=pending,paid,shipped:default=pending",
    "tags:json?",
)

SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("sqlite-defaults"),
        Scenario("postgres", database="postgres"),
        Scenario(
            "postgres-features",
            database="postgres",
            features=(
                ("customers", ("name:str:max=120:unique", "email:str?:index"), False),
                ("orders", (*EVERY_FIELD_TYPE, "customer:ref=customers"), False),
                ("announcements", ("headline:str:min=3", "body:text"), True),
            ),
        ),
    )
}


@contextlib.contextmanager
def _fixed_clock() -> Iterator[None]:
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def render(scenario: Scenario, destination: Path) -> Path:
    """Render ``scenario`` into ``destination``/demo and return the project folder."""
    project = destination / "demo"
    with _fixed_clock():
        create_project(
            normalize_project_name("demo"),
            project,
            description="A service rendered for the snapshot tests.",
            database=scenario.database,
            python_version=scenario.python_version,
            dry_run=False,
        )
        for name, fields, public in scenario.features:
            add_feature(project, name, fields, public=public)
    return project


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` except masked ones, by relative POSIX path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.name not in MASKED
        # forge's base copies repeat the project's files byte for byte (tests/test_status.py
        # checks that); the manifest with their digests is snapshotted.
        and not path.relative_to(root).as_posix().startswith(".forge/base/")
    }


def compare(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """A unified diff per file that differs, is missing, or is new; empty when equal."""
    problems: list[str] = []
    for path in sorted(expected.keys() | actual.keys()):
        before, after = expected.get(path), actual.get(path)
        if before == after:
            continue
        if before is None:
            problems.append(f"new file: {path}")
            continue
        if after is None:
            problems.append(f"missing file: {path}")
            continue
        diff = difflib.unified_diff(
            before.decode(errors="replace").splitlines(keepends=True),
            after.decode(errors="replace").splitlines(keepends=True),
            fromfile=f"snapshot/{path}",
            tofile=f"rendered/{path}",
        )
        problems.append(f"changed file: {path}\n{''.join(diff)}")
    return problems


def update(names: Sequence[str] = ()) -> list[str]:
    """Render the scenarios (all by default) and replace their committed snapshots."""
    chosen = names or list(SCENARIOS)
    for name in chosen:
        target = SNAPSHOT_ROOT / name
        with tempfile.TemporaryDirectory() as scratch:
            project = render(SCENARIOS[name], Path(scratch))
            (project / ".env").unlink(missing_ok=True)
            # forge's base copies repeat the project's files: the snapshot leaves them out.
            shutil.rmtree(project / ".forge" / "base", ignore_errors=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(project, target)
    return list(chosen)


if __name__ == "__main__":
    for updated in update(sys.argv[1:]):
        sys.stdout.write(f"updated tests/snapshots/{updated}\n")
