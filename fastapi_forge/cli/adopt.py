"""``forge adopt``: record a project made before forge kept a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastapi_forge import console

__all__ = ["adopt"]

_SHOWN = 20


def adopt(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be recorded; write nothing.")
    ] = False,
) -> None:
    """Write [bold].forge/manifest.toml[/bold] for a project made by an older forge.

    Files the templates give exactly are recorded as forge's; files that differ from them
    are recorded with today's template as their base (so [bold]forge status[/bold] lists
    them as changed); feature slices are recorded as they are; every other file is named
    and left out.
    """
    from fastapi_forge.generators.feature.generator import adopt_features
    from fastapi_forge.generators.project.adopt import adopt as adopt_project

    result = adopt_project(Path.cwd(), dry_run=dry_run, units={"feature": adopt_features})
    out = console.stdout
    out.print(
        f"{len(result.as_generated)} project files are as forge's templates give them today",
        markup=False,
    )
    for title, paths in (
        ("differ from today's templates (edited, or written by an older forge)", result.differing),
        ("are missing (the templates have them)", result.missing),
        ("are not attributed to forge and were left out", result.unattributed),
    ):
        if paths:
            out.print(f"{len(paths)} files {title}:", markup=False)
            for path in paths[:_SHOWN]:
                out.print(f"  {path}", markup=False)
            if len(paths) > _SHOWN:
                out.print(f"  ... and {len(paths) - _SHOWN} more", markup=False)
    for unit in result.units:
        out.print(
            f"{unit.kind} {unit.name}: recorded as it is ({unit.spec.get('access')}); its "
            f"field specs are unknown, record them with `forge add feature {unit.name} "
            "--force --field ...`",
            markup=False,
        )
    if result.dry_run:
        console.print_note("dry run: nothing was written")
    else:
        console.print_note("wrote .forge/manifest.toml and .forge/base/; commit them")
