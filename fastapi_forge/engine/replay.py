"""Render a project again from its manifest alone: the pristine output of every generator,
as the installed forge's templates make it.

The engine knows no generator: each registers, when its package is imported, how to replay
what it recorded (the project's answers, or one unit of its kind), and :func:`replay` calls
them in the order the manifest holds; the caller imports the generators it needs. This is
the "theirs" of ``forge update`` and of the commands that evolve a slice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi_forge.engine.manifest import Manifest, Unit
from fastapi_forge.errors import ForgeError

__all__ = ["register_project", "register_unit", "replay"]

ProjectReplay = Callable[[Path, Mapping[str, Any]], None]
UnitReplay = Callable[[Path, Unit], None]

_project: list[ProjectReplay] = []
_units: dict[str, UnitReplay] = {}


def register_project(replay_project: ProjectReplay) -> None:
    """Register how the project generator renders a project from its recorded answers."""
    _project[:] = [replay_project]


def register_unit(kind: str, replay_unit: UnitReplay) -> None:
    """Register how the generator of ``kind`` adds one recorded unit to a project."""
    _units[kind] = replay_unit


def replay(manifest: Manifest, destination: Path) -> None:
    """Render the project of ``manifest`` into ``destination`` (missing or empty), then add
    each of its units, in order, exactly as they were recorded."""
    if not _project:
        raise ForgeError("no project generator is registered")
    _project[0](destination, manifest.answers)
    for unit in manifest.units:
        if unit.kind not in _units:
            raise ForgeError(
                f"the manifest has a [[{unit.kind}]] '{unit.name}' that this forge cannot "
                "render; upgrade forge"
            )
        _units[unit.kind](destination, unit)
