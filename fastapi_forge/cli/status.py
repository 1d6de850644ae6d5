"""``forge status``: what forge generated in this project, and what changed since."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from fastapi_forge import __version__, console
from fastapi_forge.engine.manifest import MANIFEST_FILE
from fastapi_forge.engine.status import project_status

__all__ = ["status"]


def status() -> None:
    """Show the project's manifest: forge version, features, components, and every
    generated file changed or deleted since forge wrote it.

    Run it anywhere inside a project made by [bold]forge new[/bold].
    """
    report = project_status(Path.cwd(), forge_version=__version__)
    manifest = report.manifest
    out = console.stdout
    out.print(
        f"{report.project.package} · manifest written by forge {manifest.forge_version} "
        f"(this is forge {__version__})",
        markup=False,
        highlight=False,
    )
    answers = ", ".join(f"{key}={value}" for key, value in manifest.answers.items())
    out.print(f"answers: {answers}", markup=False, highlight=False)
    units = Table(title="Generated units", title_justify="left")
    for column in ("kind", "name", "details"):
        units.add_column(column)
    for unit in manifest.units:
        details = ", ".join(str(value) for value in unit.spec.get("fields", ()))
        access = unit.spec.get("access")
        if unit.spec.get("removed"):
            units.add_row(unit.kind, unit.name, "removed (its migrations stay in the history)")
            continue
        units.add_row(unit.kind, unit.name, f"{access}: {details}" if access else details)
    if manifest.units:
        out.print(units)
    else:
        out.print("no features or components added yet", highlight=False)
    if report.changed:
        changed = Table(title="Changed since forge wrote them", title_justify="left")
        for column in ("state", "file", "owner"):
            changed.add_column(column)
        for state in report.changed:
            changed.add_row(state.state, state.path, state.owner)
        out.print(changed)
    else:
        out.print(
            f"all {len(report.states)} generated files are as forge wrote them", highlight=False
        )
    for problem in report.problems:
        console.print_note(f"{MANIFEST_FILE} and .forge/base disagree: {problem}")
