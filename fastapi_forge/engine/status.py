"""What forge knows of a project: its manifest, and how each generated file compares.

``forge status`` prints this; the commands that change a project later read the same
states to tell a file the user edited from one forge may replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi_forge.engine.manifest import (
    BASE_DIR,
    FileState,
    Manifest,
    digest,
    file_states,
    read_manifest,
)
from fastapi_forge.engine.target import Project, find_project

__all__ = ["ProjectStatus", "base_problems", "project_status"]


@dataclass(frozen=True)
class ProjectStatus:
    """A project, its manifest, the state of every generated file, and any disagreement
    between the manifest and forge's base copies."""

    project: Project
    manifest: Manifest
    states: list[FileState]
    problems: list[str]

    @property
    def changed(self) -> list[FileState]:
        """The generated files the user changed or deleted since forge wrote them."""
        return [state for state in self.states if state.state != "unchanged"]


def project_status(start: Path, *, forge_version: str) -> ProjectStatus:
    """The status of the project containing ``start`` (its manifest validated)."""
    project = find_project(start)
    manifest = read_manifest(project.root, forge_version=forge_version)
    return ProjectStatus(
        project=project,
        manifest=manifest,
        states=file_states(project.root, manifest),
        problems=base_problems(project.root, manifest),
    )


def base_problems(root: Path, manifest: Manifest) -> list[str]:
    """Where ``.forge/base`` and the manifest disagree (a hand edit of either)."""
    base = root / BASE_DIR
    listed = manifest.all_files()
    problems = []
    for path, sha in sorted(listed.items()):
        copy = base / path
        if not copy.is_file():
            problems.append(f"{path}: listed in the manifest, but its base copy is missing")
        elif digest(copy.read_bytes()) != sha:
            problems.append(f"{path}: its base copy differs from the digest in the manifest")
    if base.is_dir():
        for copy in sorted(base.rglob("*")):
            relative = copy.relative_to(base).as_posix()
            if copy.is_file() and relative not in listed:
                problems.append(f"{relative}: has a base copy but is not in the manifest")
    return problems
