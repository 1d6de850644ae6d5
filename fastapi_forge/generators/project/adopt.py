"""``forge adopt``: write the manifest of a project made before forge kept one.

The project's own files are compared with a fresh render of its recorded answers: each is
recorded with the bytes forge's templates give today as its base, so a file that differs
from them shows as changed in ``forge status`` (forge cannot know what an older version
wrote, and never assumes the user's bytes are its own). Units that generators recognise
(feature slices) are recorded with their files as they are. Everything else is named as
not attributed and left out.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import fastapi_forge
from fastapi_forge.engine.manifest import (
    MANIFEST_FILE,
    PROJECT_OWNER,
    Manifest,
    Unit,
    digest,
    record_files,
)
from fastapi_forge.engine.target import ANSWERS_FILE, Project, find_project, read_answers
from fastapi_forge.engine.workspace import PlannedFile, apply_files, write_errors_refused
from fastapi_forge.errors import UserError
from fastapi_forge.generators.project.generator import ANSWERS, ENV_FILE, replay_project

__all__ = ["AdoptResult", "Adopter", "adopt"]

Adopter = Callable[[Project, frozenset[str]], list[tuple[Unit, dict[str, bytes]]]]
"""Finds the units of one kind in a project made before the manifest: given the project
and the paths the project template accounts for, each unit and its files' bytes."""

# Never forge's, never attributed: version control, environments, caches, local data.
_SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "htmlcov",
        ".forge",
        ".nox",
        ".tox",
        "dist",
        "build",
    }
)
_SKIPPED_FILES = frozenset({ENV_FILE, "uv.lock", ".coverage"})
_SKIPPED_SUFFIXES = (".db", ".sqlite3", ".pyc")


@dataclass
class AdoptResult:
    """What ``adopt`` recorded (or, for a dry run, would record)."""

    root: Path
    as_generated: list[str] = field(default_factory=list)
    """Project files identical to what the templates give today."""
    differing: list[str] = field(default_factory=list)
    """Project files that differ from it (edited, or written by an older forge)."""
    missing: list[str] = field(default_factory=list)
    """Project files the templates give that the project does not have."""
    units: list[Unit] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)
    dry_run: bool = False


def adopt(start: Path, *, units: Mapping[str, Adopter], dry_run: bool = False) -> AdoptResult:
    """Record the project containing ``start`` in a new manifest (refused if it has one).

    ``units`` maps a unit kind to the generator function that finds such units in the
    project (the slice generator's, for ``feature``).
    """
    project = find_project(start)
    if (project.root / MANIFEST_FILE).exists():
        raise UserError(
            f"{project.root} already has {MANIFEST_FILE}; there is nothing to adopt "
            "(`forge status` shows what it records)"
        )
    answers = read_answers(project) or {}
    missing_answers = [key for key in ANSWERS if not isinstance(answers.get(key), str)]
    if missing_answers:
        raise UserError(
            f"{ANSWERS_FILE} lacks {', '.join(missing_answers)}, so forge cannot tell how the "
            "project was made; restore the file from version control"
        )
    recorded_answers = {key: answers[key] for key in ANSWERS}
    with tempfile.TemporaryDirectory(prefix=".forge-adopt-") as scratch:
        fresh = Path(scratch) / project.root.name
        replay_project(fresh, recorded_answers)
        pristine = {
            path: (fresh / path).read_bytes() for path in _project_files(fresh) if path != ENV_FILE
        }
    result = AdoptResult(root=project.root, dry_run=dry_run)
    for path, content in sorted(pristine.items()):
        target = project.root / path
        if not target.is_file():
            result.missing.append(path)
        elif target.read_bytes() == content:
            result.as_generated.append(path)
        else:
            result.differing.append(path)
    manifest = Manifest(
        forge_version=fastapi_forge.__version__,
        answers=recorded_answers,
        files={PROJECT_OWNER: {path: digest(content) for path, content in pristine.items()}},
    )
    base = dict(pristine)
    claimed = frozenset(pristine)
    for _kind, adopter in sorted(units.items()):
        for unit, files in adopter(project, claimed):
            manifest = manifest.with_unit(unit, files, fastapi_forge.__version__)
            base.update(files)
            claimed |= set(files)
            result.units.append(unit)
    result.unattributed = [path for path in _project_files(project.root) if path not in claimed]
    if not dry_run:
        planned = [
            PlannedFile(path=path, content=content, replaces=False)
            for path, content in record_files(manifest, base).items()
        ]
        with write_errors_refused(project.root):
            apply_files(project.root, planned)
    return result


def _project_files(root: Path) -> list[str]:
    """The project's files worth attributing, as sorted relative POSIX paths."""
    found = []
    for folder, subfolders, filenames in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in _SKIPPED_FOLDERS)
        here = Path(folder)
        for name in filenames:
            if name in _SKIPPED_FILES or name.endswith(_SKIPPED_SUFFIXES):
                continue
            found.append((here / name).relative_to(root).as_posix())
    return sorted(found)
