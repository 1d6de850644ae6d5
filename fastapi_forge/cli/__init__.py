"""The ``forge`` command line: the Typer app, and the one error wrapper every command runs in.

Each command lives in a module of its own (``cli/new.py``, ``cli/add.py``, ...) as a plain
function that parses options, asks what is missing and calls a generator. It never catches
errors itself: :func:`command` wraps it when it is registered here, turning a
:class:`~fastapi_forge.errors.ForgeError` into one ``error: ...`` line on stderr and exit
status 1, and Ctrl-C (or end of input at a prompt) into one line and exit status 130.

A new command is one module and one registration line below. Generators are imported by
the command modules lazily where they are heavy: ``forge new`` never imports the slice
generator (nor Pydantic, nor Copier).
"""

import functools
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer

from fastapi_forge import __version__, console
from fastapi_forge.cli import add, adopt, audit, evolve, new, status, update
from fastapi_forge.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR, ForgeError

__all__ = ["EXIT_INTERRUPTED", "EXIT_USER_ERROR", "app", "command"]

P = ParamSpec("P")
R = TypeVar("R")


def command(interrupted: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a command inside the one error wrapper; ``interrupted`` is the Ctrl-C message."""

    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except ForgeError as exc:
                console.print_error(str(exc))
                raise typer.Exit(EXIT_USER_ERROR) from None
            except (KeyboardInterrupt, EOFError):
                console.print_error(interrupted)
                raise typer.Exit(EXIT_INTERRUPTED) from None

        return wrapper

    return wrap


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


_NOTHING_WRITTEN = "interrupted; nothing was written"
_PROJECT_UNCHANGED = "interrupted; the project was left as it was"

app.command("new")(command(_NOTHING_WRITTEN)(new.new))

add_app = typer.Typer(
    name="add",
    help="Add something to the project you are in: [bold]forge add feature NAME[/bold].",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
add_app.command("feature", epilog=add.FEATURE_EPILOG)(
    command(_PROJECT_UNCHANGED)(add.add_feature_command)
)
add_app.command("field", epilog=evolve.ADD_FIELD_EPILOG)(
    command(_PROJECT_UNCHANGED)(evolve.add_field_command)
)
add_app.command("job")(command(_PROJECT_UNCHANGED)(add.add_job_command))
add_app.command("worker")(command(_PROJECT_UNCHANGED)(add.add_worker_command))
add_app.command("tracing")(command(_PROJECT_UNCHANGED)(add.add_tracing_command))
app.add_typer(add_app, name="add")
remove_app = typer.Typer(
    name="remove",
    help="Remove something from the project you are in: [bold]forge remove field[/bold], "
    "[bold]forge remove feature[/bold].",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
remove_app.command("field", epilog=evolve.REMOVE_FIELD_EPILOG)(
    command(_PROJECT_UNCHANGED)(evolve.remove_field_command)
)
remove_app.command("feature", epilog=evolve.REMOVE_FEATURE_EPILOG)(
    command(_PROJECT_UNCHANGED)(evolve.remove_feature_command)
)
app.add_typer(remove_app, name="remove")
# The first spelling, kept as an alias: same options, same behaviour.
app.command(
    "add-feature",
    epilog=add.FEATURE_EPILOG,
    help="Alias of [bold]forge add feature[/bold]. " + (add.add_feature_command.__doc__ or ""),
)(command(_PROJECT_UNCHANGED)(add.add_feature_command))

app.command("status")(command("interrupted")(status.status))
app.command("adopt")(command(_PROJECT_UNCHANGED)(adopt.adopt))
app.command("update")(command(_PROJECT_UNCHANGED)(update.update))
app.command("audit")(command("interrupted; nothing was written")(audit.audit))
