"""Render a project again from its manifest alone: the pristine output of every generator,
as the installed forge's templates make it.

The engine knows no generator: the caller passes how to render the project from its
answers and how to add each kind of unit, and :func:`replay` calls them in the order the
manifest holds. This is the "theirs" of ``forge update`` and of the commands that evolve
a slice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi_forge.engine.manifest import Manifest, Unit
from fastapi_forge.errors import ForgeError

__all__ = ["ProjectReplay", "UnitReplay", "replay"]

ProjectReplay = Callable[[Path, Mapping[str, Any]], None]
"""Renders a project from its recorded answers into a folder."""
UnitReplay = Callable[[Path, Unit], None]
"""Adds one recorded unit to the project at a folder."""


def replay(
    manifest: Manifest,
    destination: Path,
    *,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
) -> None:
    """Render the project of ``manifest`` into ``destination`` (missing or empty), then add
    each of its units exactly as they were recorded: kind by kind in the order of ``units``
    (TOML keeps the order within a kind, not across kinds: a job may use a feature, so
    features come first), each kind in the order its units were added."""
    project(destination, manifest.answers)
    for unit in manifest.units:
        if unit.kind not in units:
            raise ForgeError(
                f"the manifest has a [[{unit.kind}]] '{unit.name}' that this forge cannot "
                "render; upgrade forge"
            )
    order = list(units)
    for unit in sorted(manifest.units, key=lambda u: order.index(u.kind)):
        units[unit.kind](destination, unit)
