"""``forge new NAME [DIRECTORY]``: options, questions, and the report of the project generator."""

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from fastapi_forge import console
from fastapi_forge.engine.workspace import display_path
from fastapi_forge.errors import EXIT_INTERRUPTED, UserError
from fastapi_forge.generators.project.generator import (
    BROKERS,
    COMPONENTS,
    DATABASES,
    DEFAULT_BROKER,
    DEFAULT_DATABASE,
    DEFAULT_DESCRIPTION,
    DEFAULT_PYTHON_VERSION,
    PYTHON_VERSIONS,
    Broker,
    Components,
    Database,
    ProjectResult,
    PythonVersion,
    check_description,
    check_destination,
    create_project,
    next_steps,
)
from fastapi_forge.generators.project.steps import StepResult, init_git, install_dependencies
from fastapi_forge.naming import normalize_project_name

__all__ = ["new"]


def _stdin_is_interactive() -> bool:
    """Whether questions may be asked: stdin is a terminal and we are not in CI."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return sys.stdin.isatty() and not in_ci


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
    with_components: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            help="An optional component: worker (background jobs on a broker) or tracing "
            "(OpenTelemetry); repeat for both.",
            metavar="COMPONENT",
            show_default=False,
        ),
    ] = None,
    broker: Annotated[
        Broker | None,
        typer.Option(
            help=f"The worker's broker (with --with worker). Default: {DEFAULT_BROKER}.",
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
    names = normalize_project_name(name)
    _check_not_a_flag_value(directory)
    destination = check_destination(
        Path(directory) if directory else Path.cwd() / names.project_name
    )
    if description is not None:
        description = check_description(description)
    chosen = check_components(with_components or [], broker)
    if names.change_summary and not quiet:
        console.print_note(names.change_summary)
    if _stdin_is_interactive() and not (defaults or no_input):
        if description is None:
            description = console.ask_text("Description", DEFAULT_DESCRIPTION)
        if database is None:
            database = _ask_database()
        if python is None:
            python = _ask_python()
        if not with_components:
            chosen = _ask_components(broker)
    result = create_project(
        names,
        destination,
        description=DEFAULT_DESCRIPTION if description is None else description,
        database=database or DEFAULT_DATABASE,
        python_version=python or DEFAULT_PYTHON_VERSION,
        dry_run=dry_run,
        components=chosen,
    )
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
    extra = [("Database", result.database), ("Python", result.python_version)]
    components = result.components
    if components.names:
        shown_components = [
            f"worker ({components.broker})" if name == "worker" else name
            for name in components.names
        ]
        extra.append(("Components", ", ".join(shown_components)))
    console.print_names(result.names, extra=extra)
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


def check_components(names: list[str], broker: str | None) -> Components:
    """The components of ``--with`` (each at most once) and ``--broker`` (worker only)."""
    seen: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if name not in COMPONENTS:
            raise UserError(
                f"unknown component '{raw}' for --with; use one of: {', '.join(COMPONENTS)}"
            )
        if name in seen:
            raise UserError(f"--with {name} is given twice; give each component once")
        seen.append(name)
    if broker is not None and "worker" not in seen:
        raise UserError(
            "--broker chooses the worker's broker; add --with worker, or leave --broker out"
        )
    chosen = next((b for b in BROKERS if b == broker), DEFAULT_BROKER)
    return Components(worker="worker" in seen, broker=chosen, tracing="tracing" in seen)


def _ask_components(broker: str | None) -> Components:
    """Ask which optional components to add (and the worker's broker)."""
    worker = console.ask_choice("Background jobs (worker)", ("no", "yes"), "no") == "yes"
    chosen: str = broker or DEFAULT_BROKER
    if worker and broker is None:
        chosen = console.ask_choice("Broker", BROKERS, DEFAULT_BROKER)
    tracing = console.ask_choice("OpenTelemetry tracing", ("no", "yes"), "no") == "yes"
    return Components(
        worker=worker,
        broker=next((b for b in BROKERS if b == chosen), DEFAULT_BROKER),
        tracing=tracing,
    )
