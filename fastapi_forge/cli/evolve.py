"""``forge add field``, ``forge remove field`` and ``forge remove feature``: change a slice
that exists, merged with your edits the way ``forge update`` merges."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fastapi_forge import console
from fastapi_forge.cli.add import FIELD_HELP
from fastapi_forge.cli.update import print_file_changes
from fastapi_forge.errors import EXIT_CONFLICTS

if TYPE_CHECKING:
    from fastapi_forge.generators.feature.change import ChangeResult

__all__ = [
    "ADD_FIELD_EPILOG",
    "REMOVE_FEATURE_EPILOG",
    "REMOVE_FIELD_EPILOG",
    "add_field_command",
    "remove_feature_command",
    "remove_field_command",
]

ADD_FIELD_EPILOG = (
    "Examples:\n\n"
    "  forge add field orders --field quantity:int:ge=1:default=1\n\n"
    "  forge add field orders --field notes:text? --field customer:ref=customers?\n\n"
    "A required field needs a default= (the rows the table has get it) or ?."
)
REMOVE_FIELD_EPILOG = "Example:\n\n  forge remove field orders notes"
REMOVE_FEATURE_EPILOG = (
    "Examples:\n\n  forge remove feature orders --dry-run\n\n  forge remove feature orders"
)

_FEATURE = typer.Argument(
    help="The feature, as you named it: orders, order, order-items.",
    metavar="FEATURE",
    show_default=False,
)
_DRY_RUN = typer.Option("--dry-run", help="Print the report of what would change; write nothing.")
_QUIET = typer.Option("--quiet", "-q", help="Print nothing but errors and conflicts.")


def add_field_command(
    feature: Annotated[str, _FEATURE],
    fields: Annotated[
        list[str] | None,
        typer.Option("--field", "-f", help=FIELD_HELP, metavar="SPEC", show_default=False),
    ] = None,
    dry_run: Annotated[bool, _DRY_RUN] = False,
    quiet: Annotated[bool, _QUIET] = False,
) -> None:
    """Add fields to a slice, with a migration that adds their columns.

    The model, schemas, filters and tests are rendered again and merged with your edits;
    the rows the table has get each field's default.
    """
    from fastapi_forge.cli.replay import unit_replays
    from fastapi_forge.generators.feature.change import add_fields
    from fastapi_forge.generators.project.generator import replay_project

    result = add_fields(
        Path.cwd(),
        feature,
        fields or [],
        project=replay_project,
        units=unit_replays(),
        dry_run=dry_run,
    )
    _report(result, quiet=quiet)


def remove_field_command(
    feature: Annotated[str, _FEATURE],
    name: Annotated[
        str,
        typer.Argument(help="The field to remove, as named in its spec.", metavar="NAME"),
    ],
    dry_run: Annotated[bool, _DRY_RUN] = False,
    quiet: Annotated[bool, _QUIET] = False,
) -> None:
    """Remove a field from a slice, with a migration that drops its column.

    Its values are lost; the downgrade adds the column back.
    """
    from fastapi_forge.cli.replay import unit_replays
    from fastapi_forge.generators.feature.change import remove_field
    from fastapi_forge.generators.project.generator import replay_project

    result = remove_field(
        Path.cwd(),
        feature,
        name,
        project=replay_project,
        units=unit_replays(),
        dry_run=dry_run,
    )
    _report(result, quiet=quiet)


def remove_feature_command(
    feature: Annotated[str, _FEATURE],
    force: Annotated[
        bool,
        typer.Option("--force", help="Delete the slice's files even where you changed them."),
    ] = False,
    dry_run: Annotated[bool, _DRY_RUN] = False,
    quiet: Annotated[bool, _QUIET] = False,
) -> None:
    """Remove a slice, with a migration that drops its table.

    It is unwired from the registry and its package and tests are deleted; its earlier
    migrations stay (they are history).
    """
    from fastapi_forge.cli.replay import unit_replays
    from fastapi_forge.generators.feature.change import remove_feature
    from fastapi_forge.generators.project.generator import replay_project

    result = remove_feature(
        Path.cwd(),
        feature,
        project=replay_project,
        units=unit_replays(),
        force=force,
        dry_run=dry_run,
    )
    _report(result, quiet=quiet)


def _report(result: ChangeResult, *, quiet: bool) -> None:
    conflicts = result.conflicts
    if not quiet or conflicts:
        console.stdout.print(
            f"{result.summary}" + (" (dry run: nothing was written)" if result.dry_run else ""),
            markup=False,
        )
        print_file_changes(result.plan)
        console.stdout.print(f"new migration {result.migration}", markup=False)
    for note in result.notes:
        console.print_note(note)
    if result.dry_run:
        return
    if conflicts:
        console.print_note(
            f"{len(conflicts)} {'file has' if len(conflicts) == 1 else 'files have'} "
            "conflicts: resolve the <<<<<<< markers, then run uv run alembic upgrade head "
            "and the checks"
        )
        raise typer.Exit(EXIT_CONFLICTS)
    if not quiet:
        console.print_next_steps(["uv run alembic upgrade head", "uv run pytest"])
