"""The ``forge`` command line: a thin Typer layer over the plain modules.

Commands parse options, ask what is missing, call the logic, and turn its
:class:`~fastapi_forge.errors.ForgeError` into one ``error: ...`` line on stderr
and exit status 1; an interrupt exits with status 130.
"""

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from fastapi_forge import __version__, console
from fastapi_forge.errors import ForgeError, UserError
from fastapi_forge.naming import normalize_project_name
from fastapi_forge.project import (
    DATABASES,
    DEFAULT_DATABASE,
    DEFAULT_DESCRIPTION,
    DEFAULT_PYTHON_VERSION,
    PYTHON_VERSIONS,
    Database,
    ProjectResult,
    PythonVersion,
    StepResult,
    check_description,
    check_destination,
    create_project,
    display_path,
    init_git,
    install_dependencies,
    next_steps,
)

__all__ = ["app"]

FIELD_HELP = (
    "A field, NAME:TYPE[?][:MODIFIER]...; repeat for more. Types: str text int float "
    "decimal bool date datetime uuid enum=a,b json ref=<feature>; '?' makes it optional. "
    "Modifiers: max= min= ge= gt= le= lt= unique index default= digits= places=. "
    "See the README for the whole language."
)
EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="forge",
    help="Generate production-grade FastAPI services.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    """Print ``forge <version>`` and exit when ``--version`` is given."""
    if value:
        console.stdout.print(f"forge {__version__}", markup=False)
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Generate production-grade FastAPI services, then grow them one slice at a time."""


def _stdin_is_interactive() -> bool:
    """Whether questions may be asked: stdin is a terminal and we are not in CI."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return sys.stdin.isatty() and not in_ci


@app.command()
def new(
    name: Annotated[
        str,
        typer.Argument(
            help="Project name, e.g. my-api: letters, digits, '-', '_' or spaces.",
            metavar="NAME",
            show_default=False,
        ),
    ],
    directory: Annotated[
        str | None,
        typer.Argument(
            help="Folder to create (missing or empty). Default: ./<project-name>.",
            metavar="DIRECTORY",
            show_default=False,
        ),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(
            help=f"One-line description of the service. Default: '{DEFAULT_DESCRIPTION}'",
            show_default=False,
        ),
    ] = None,
    database: Annotated[
        Database | None,
        typer.Option(
            help=f"Database the service uses by default. Default: {DEFAULT_DATABASE}.",
            show_default=False,
        ),
    ] = None,
    python: Annotated[
        PythonVersion | None,
        typer.Option(
            "--python",
            help=f"Python version for the Docker image and CI. Default: {DEFAULT_PYTHON_VERSION}.",
            show_default=False,
        ),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults",
            help="Use the default for every option not given; ask no questions.",
        ),
    ] = False,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input",
            help="Never prompt (automatic when stdin is not a terminal or CI is set).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show the files that would be created; write nothing.",
        ),
    ] = False,
    no_install: Annotated[
        bool,
        typer.Option(
            "--no-install",
            help="Do not run `uv sync` in the new project (it is run when uv is on PATH).",
        ),
    ] = False,
    no_git: Annotated[
        bool,
        typer.Option(
            "--no-git",
            help="Do not create a git repository with a first commit (created when git is "
            "on PATH and the project is not inside a repository).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing but errors and warnings."),
    ] = False,
) -> None:
    """Create a new FastAPI project in [bold]DIRECTORY[/bold] (default: ./<project-name>)."""
    try:
        names = normalize_project_name(name)
        _check_not_a_flag_value(directory)
        destination = check_destination(
            Path(directory) if directory else Path.cwd() / names.project_name
        )
        if description is not None:
            description = check_description(description)
        if names.change_summary and not quiet:
            console.print_note(names.change_summary)
        if _stdin_is_interactive() and not (defaults or no_input):
            if description is None:
                description = console.ask_text("Description", DEFAULT_DESCRIPTION)
            if database is None:
                database = _ask_database()
            if python is None:
                python = _ask_python()
        result = create_project(
            names,
            destination,
            description=DEFAULT_DESCRIPTION if description is None else description,
            database=database or DEFAULT_DATABASE,
            python_version=python or DEFAULT_PYTHON_VERSION,
            dry_run=dry_run,
        )
    except ForgeError as exc:
        console.print_error(str(exc))
        raise typer.Exit(EXIT_USER_ERROR) from None
    except (KeyboardInterrupt, EOFError):
        console.print_error("interrupted; nothing was written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if result.dry_run:
        if not quiet:
            _print_render(result)
        return
    _after_render(result, no_install=no_install, no_git=no_git, quiet=quiet)


def _after_render(result: ProjectResult, *, no_install: bool, no_git: bool, quiet: bool) -> None:
    """Report the render, then install the dependencies and commit; the project stays
    whatever these steps do (their failures are warnings, the exit status stays 0)."""
    if not quiet:
        _print_render(result)
    try:
        if not (quiet or no_install) and shutil.which("uv"):
            console.print_note("running uv sync (skip it with --no-install)")
        install = install_dependencies(result.destination, skip=no_install)
        _print_step(install, quiet=quiet)
        # After the install, so that uv.lock is in the first commit.
        _print_step(init_git(result.destination, skip=no_git), quiet=quiet)
    except KeyboardInterrupt:
        console.print_error(f"interrupted; the project is in {display_path(result.destination)}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not quiet:
        console.print_next_steps(next_steps(result, installed=install.status == "done"))


def _print_step(step: StepResult, *, quiet: bool) -> None:
    """A step's outcome: a note on stdout, or a warning on stderr when it failed."""
    if step.status == "failed":
        line = Text("warning: ", style="bold yellow")
        line.append(" ".join(step.message.split()))
        console.stderr.print(line, soft_wrap=True)
    elif not quiet:
        console.print_note(step.message)


def _print_render(result: ProjectResult) -> None:
    """The names, the file tree and the time of a render."""
    shown = display_path(result.destination)
    console.print_names(
        result.names,
        extra=[("Database", result.database), ("Python", result.python_version)],
    )
    console.print_file_tree(result.files, f"{shown}/")
    count = len(result.files)
    seconds = f"{result.render_seconds:.2f} s"
    if result.dry_run:
        console.print_note(f"dry run: would create {count} files in {shown}/; nothing was written")
        return
    console.print_note(f"created {count} files in {shown}/ (rendered in {seconds})")


_FLAG_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


def _check_not_a_flag_value(directory: str | None) -> None:
    """Refuse ``forge new app true``: ``--defaults true`` makes ``true`` the DIRECTORY."""
    if directory is not None and directory.strip().lower() in _FLAG_VALUES:
        raise UserError(
            f"DIRECTORY {directory!r} looks like a value for an option: --defaults, "
            "--no-input and --dry-run are flags that take none, so write `--defaults` alone "
            f"(to create a folder named {directory!r}, pass ./{directory})"
        )


def _ask_database() -> Database:
    """Ask which database to use."""
    answer = console.ask_choice("Database", DATABASES, DEFAULT_DATABASE)
    return next(choice for choice in DATABASES if choice == answer)


def _ask_python() -> PythonVersion:
    """Ask which Python version to target."""
    answer = console.ask_choice("Python version", PYTHON_VERSIONS, DEFAULT_PYTHON_VERSION)
    return next(choice for choice in PYTHON_VERSIONS if choice == answer)


@app.command(
    "add-feature",
    epilog=(
        "Examples:\n\n"
        "  forge add-feature customers --field name:str:max=120:unique --field email:str?\n\n"
        "  forge add-feature orders --field total:decimal:gt=0 "
        "--field status:enum=pending,paid,shipped --field customer:ref=customers\n\n"
        "  forge add-feature announcements --public --field title:str --field body:text"
    ),
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
    # Imported here: the slice generator pulls in Pydantic, which `forge new` never needs.
    from fastapi_forge.feature import add_feature

    try:
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
    except ForgeError as exc:
        console.print_error(str(exc))
        raise typer.Exit(EXIT_USER_ERROR) from None
    except (KeyboardInterrupt, EOFError):
        console.print_error("interrupted; the project was left as it was")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if quiet:
        return
    if result.default_fields_used:
        console.print_note("no --field given: the slice has one field, name:str")
    console.print_feature(result)
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
    """The commands after add-feature; they run in the project root, wherever forge ran."""
    relative = os.path.relpath(root.resolve(), (cwd or Path.cwd()).resolve())
    steps = [] if relative == "." else [f"cd {shlex.quote(Path(relative).as_posix())}"]
    return [*steps, "uv run alembic upgrade head", f"uv run pytest tests/{plural_snake}"]
