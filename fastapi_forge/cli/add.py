"""``forge add ...``: the commands that add to the project forge runs in.

Today ``forge add feature NAME --field ...`` (also spelt ``forge add-feature``); later issues
add ``field``, ``job``, ``worker`` and ``tracing`` here, one function each.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from fastapi_forge import console
from fastapi_forge.errors import EXIT_CONFLICTS

if TYPE_CHECKING:
    from fastapi_forge.generators.feature.generator import FeatureResult

__all__ = [
    "FEATURE_EPILOG",
    "add_feature_command",
    "add_job_command",
    "add_tracing_command",
    "add_worker_command",
    "feature_next_steps",
    "print_feature",
]

FIELD_HELP = (
    "A field, NAME:TYPE[?][:MODIFIER]...; repeat for more. Types: str text int float "
    "decimal bool date datetime uuid enum=a,b json ref=<feature> refs=<feature>; '?' makes "
    "it optional. "
    "Modifiers: max= min= ge= gt= le= lt= unique index default= digits= places=. "
    "See the README for the whole language."
)
FEATURE_EPILOG = (
    "Examples:\n\n"
    "  forge add feature customers --field name:str:max=120:unique --field email:str?\n\n"
    "  forge add feature orders --field total:decimal:gt=0 "
    "--field status:enum=pending,paid,shipped --field customer:ref=customers\n\n"
    "  forge add feature announcements --public --field title:str --field body:text\n\n"
    "`forge add-feature` is the same command under its first name."
)


def add_feature_command(
    name: Annotated[
        str,
        typer.Argument(
            help="Feature name, singular or plural: order, orders, order-items, people.",
            metavar="NAME",
            show_default=False,
        ),
    ],
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-f",
            help=FIELD_HELP,
            metavar="SPEC",
            show_default=False,
        ),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="No owner: anyone may read the rows, signed in or not; only admins may "
            "create, change or delete them.",
        ),
    ] = False,
    public_writes: Annotated[
        bool,
        typer.Option(
            "--public-writes",
            help="A public slice that anyone may also write, anonymously (implies --public; "
            "writes are rate-limited per client by RATE_LIMIT_PUBLIC_WRITES).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Re-render an existing slice's own files (the registry is left as it is).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the files and the registry edit; write nothing."),
    ] = False,
    singular: Annotated[
        str | None,
        typer.Option(
            "--singular",
            help="The singular form, when the derived one is wrong: --singular campus.",
            show_default=False,
        ),
    ] = None,
    plural: Annotated[
        str | None,
        typer.Option(
            "--plural",
            help="The plural form, when the derived one is wrong: --plural campi.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing but errors."),
    ] = False,
) -> None:
    """Add a typed CRUD slice (model, schemas, repository, service, router, migration, tests).

    Run it anywhere inside a project made by [bold]forge new[/bold]. Without --field, the
    slice gets one field, [bold]name:str[/bold].
    """
    # Imported here: `forge new` and `forge --help` never load the slice generator.
    from fastapi_forge.generators.feature.generator import add_feature

    result = add_feature(
        Path.cwd(),
        name,
        fields or [],
        public=public,
        public_writes=public_writes,
        force=force,
        dry_run=dry_run,
        singular=singular,
        plural=plural,
    )
    if quiet:
        return
    if result.default_fields_used:
        console.print_note("no --field given: the slice has one field, name:str")
    print_feature(result)
    console.print_file_tree([planned.path for planned in result.files], "./")
    if result.registry_diff:
        console.stdout.print(result.registry_diff, markup=False, highlight=False)
    count = len(result.files)
    if result.dry_run:
        console.print_note(f"dry run: would write {count} files; nothing was written")
        return
    console.print_note(f"wrote {count} files in {result.seconds:.2f} s")
    for note in result.notes:
        console.print_note(note)
    console.print_next_steps(feature_next_steps(result.project.root, result.names.plural_snake))


def feature_next_steps(root: Path, plural_snake: str, cwd: Path | None = None) -> list[str]:
    """The commands after ``add feature``; they run in the project root, wherever forge ran."""
    relative = os.path.relpath(root.resolve(), (cwd or Path.cwd()).resolve())
    steps = [] if relative == "." else [f"cd {shlex.quote(Path(relative).as_posix())}"]
    return [*steps, "uv run alembic upgrade head", f"uv run pytest tests/{plural_snake}"]


def print_feature(result: FeatureResult) -> None:
    """The derived names, the fields and the routes of a new slice."""
    names = result.names
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Singular / plural", f"{names.singular_snake} / {names.plural_snake}")
    table.add_row("Class", names.singular_pascal)
    table.add_row("Table / package", names.plural_snake)
    table.add_row("URL", f"/api/v1/{names.plural_kebab}")
    access = {
        "owner": "owner or admin",
        "admin": "anyone reads, admins write",
        "anyone": "anyone reads and writes (rate-limited)",
    }[result.write_access]
    table.add_row("Access", access)
    table.add_row("Fields", ", ".join(spec.spec for spec in result.fields))
    table.add_row("Migration", result.migration)
    console.stdout.print(table)
    for route in result.routes:
        console.stdout.print(f"  {route}", markup=False, highlight=False)


def add_job_command(
    name: Annotated[
        str,
        typer.Argument(
            help="Job name: send-report, nightly_cleanup.", metavar="NAME", show_default=False
        ),
    ],
    cron: Annotated[
        str | None,
        typer.Option(
            "--cron",
            metavar="EXPR",
            help="Schedule it: five cron fields in UTC, such as '0 4 * * *'.",
            show_default=False,
        ),
    ] = None,
    feature: Annotated[
        str | None,
        typer.Option(
            "--feature",
            metavar="FEATURE",
            help="Give the job that feature's service, on the job's session.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the files and the registry edit; write nothing."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing but errors."),
    ] = False,
) -> None:
    """Add a typed background job (module, registration, enqueue helper, test).

    Run it inside a project that has the worker ([bold]forge new --with worker[/bold]).
    """
    from fastapi_forge.generators.job.generator import add_job

    result = add_job(Path.cwd(), name, cron=cron, feature=feature, dry_run=dry_run)
    if quiet:
        return
    console.print_file_tree([planned.path for planned in result.files], "./")
    console.stdout.print(result.registry_diff, markup=False, highlight=False)
    count = len(result.files)
    if result.dry_run:
        console.print_note(f"dry run: would write {count} files; nothing was written")
        return
    console.print_note(
        f"wrote {count} files in {result.seconds:.2f} s: job '{result.name}'"
        + (f", scheduled '{result.cron}' (UTC)" if result.cron else "")
        + (f", with the {result.feature} service" if result.feature else "")
    )
    for note in result.notes:
        console.print_note(note)
    relative = os.path.relpath(result.project.root.resolve(), Path.cwd().resolve())
    steps = [] if relative == "." else [f"cd {shlex.quote(Path(relative).as_posix())}"]
    console.print_next_steps([*steps, f"uv run pytest tests/test_job_{result.name}.py"])


def add_worker_command(
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker",
            metavar="redis|rabbitmq",
            help="The worker's broker. Default: redis.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would change; write nothing."),
    ] = False,
) -> None:
    """Add the worker (background jobs) to this project, merged into your files.

    The files are those [bold]forge new --with worker[/bold] writes, merged three ways
    with yours like [bold]forge update[/bold]: your changes are kept; overlapping ones
    get conflict markers, listed below.
    """
    _add_component("worker", broker=broker, dry_run=dry_run)


def _add_component(name: str, *, broker: str | None, dry_run: bool) -> None:
    from fastapi_forge import __version__
    from fastapi_forge.cli.replay import unit_replays
    from fastapi_forge.cli.update import print_report
    from fastapi_forge.generators.project.components import add_component
    from fastapi_forge.generators.project.generator import replay_project

    result = add_component(
        Path.cwd(),
        name,
        forge_version=__version__,
        project=replay_project,
        units=unit_replays(),
        broker=broker,
        dry_run=dry_run,
    )
    print_report(result, dry_run=dry_run, title=f"forge add {name}")
    if result.applied and result.plan.conflicts:
        raise typer.Exit(EXIT_CONFLICTS)


def add_tracing_command(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would change; write nothing."),
    ] = False,
) -> None:
    """Add OpenTelemetry tracing to this project, merged into your files.

    The files are those [bold]forge new --with tracing[/bold] writes, merged three ways
    with yours like [bold]forge update[/bold].
    """
    _add_component("tracing", broker=None, dry_run=dry_run)
