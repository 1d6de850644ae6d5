"""``forge update``: bring the project to this forge's templates by a three-way merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from packaging.version import InvalidVersion, Version
from rich.table import Table

from fastapi_forge import __version__, console
from fastapi_forge.engine.update import ACTIONS, YOURS, UpdatePlan, UpdateResult, update_project
from fastapi_forge.errors import EXIT_CONFLICTS, EXIT_INTERRUPTED, UserError

__all__ = ["print_file_changes", "print_report", "update"]


def update(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the report of what would change; write nothing."),
    ] = False,
    to_version: Annotated[
        str | None,
        typer.Option(
            "--to-version",
            metavar="VERSION",
            help="The forge version to update to; it must be the installed one "
            "(install that version first: pip install fastapi-forge==VERSION).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="Print the report as JSON (schema 1) instead of a table."),
    ] = False,
    branch: Annotated[
        bool,
        typer.Option(
            "--branch/--no-branch",
            help="Leave the update on a new branch forge/update-VERSION (the default), or on "
            "the current branch.",
        ),
    ] = True,
) -> None:
    """Update the project to this forge's templates, keeping every change you made.

    Each generated file is merged three ways: what forge wrote last time, your copy, and
    what the templates give today. Clean merges are applied, overlapping changes get git's
    conflict markers, and every file you must look at is listed. The result is left as
    uncommitted changes (conflicted files unstaged) for review; undo it with
    [bold]git reset --hard[/bold]. Run it anywhere inside a project made by forge.
    """
    if to_version is not None:
        _check_version(to_version)
    from fastapi_forge.cli.replay import unit_replays
    from fastapi_forge.generators.project.generator import replay_project

    result = update_project(
        Path.cwd(),
        forge_version=__version__,
        project=replay_project,
        units=unit_replays(),
        dry_run=dry_run,
        branch=branch,
    )
    try:
        if json_output:
            console.stdout.print(
                json.dumps(result.to_json(), indent=2), markup=False, soft_wrap=True
            )
        else:
            print_report(result, dry_run=dry_run)
    except KeyboardInterrupt:
        if not result.applied:
            raise
        where = f"on the branch {result.branch}" if result.branch else "on the current branch"
        console.print_error(
            f"interrupted while printing the report; the update was applied {where}: "
            "see git status, or run forge update --dry-run on the branch you came from"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if result.applied and result.plan.conflicts:
        raise typer.Exit(EXIT_CONFLICTS)


def _check_version(wanted: str) -> None:
    """Refuse a --to-version other than the installed forge (or not a version at all)."""
    text = wanted.strip()
    try:
        same = Version(text) == Version(__version__)
    except InvalidVersion:
        raise UserError(
            f"--to-version {wanted!r} is not a version; pass one such as {__version__}"
        ) from None
    if not same:
        raise UserError(
            f"this forge is {__version__}, not {text}; install that version "
            f"(pip install fastapi-forge=={text}) and run forge update again"
        )


def print_file_changes(plan: UpdatePlan) -> None:
    """The table of what happens to each file, and the count of each outcome (shared by
    every command that merges a render onto the project)."""
    out = console.stdout
    shown = [change for change in plan.changes if change.action != YOURS]
    if shown:
        table = Table(title="Files", title_justify="left")
        for column in ("outcome", "file", "owner", "detail"):
            table.add_column(column, overflow="fold")
        for change in shown:
            outcome = f"[bold red]{change.action}[/]" if change.needs_attention else change.action
            table.add_row(outcome, change.path, change.owner, change.detail or "")
        out.print(table)
    yours = plan.of(YOURS)
    if yours:
        out.print(
            f"{len(yours)} files you changed that the templates did not: left alone", markup=False
        )
    counts = {action: len(plan.of(action)) for action in ACTIONS}
    out.print(
        ", ".join(f"{count} {action}" for action, count in counts.items() if count) or "no files",
        markup=False,
    )


def print_report(result: UpdateResult, *, dry_run: bool, title: str | None = None) -> None:
    """The update's report; ``title`` replaces the first line (``forge add worker`` uses it)."""
    plan = result.plan
    out = console.stdout
    if plan.current and title is None:
        out.print(
            f"nothing to do: the project is current with forge {plan.to_version}'s templates",
            markup=False,
        )
        return
    out.print(
        (title or f"forge update {plan.from_version} → {plan.to_version}")
        + (" (dry run: nothing was written)" if dry_run else ""),
        markup=False,
    )
    print_file_changes(plan)
    if plan.env_exists:
        for key in plan.settings_missing:
            out.print(f"new setting {key}: add it to .env (see .env.example)", markup=False)
        for key in plan.settings_gone:
            out.print(
                f"setting {key} is gone from the templates: remove it from .env", markup=False
            )
    elif plan.settings_missing or plan.settings_gone:
        changed = ", ".join((*plan.settings_missing, *plan.settings_gone))
        out.print(
            f"settings changed in .env.example ({changed}); the project has no .env: where "
            "you set them (your deployment's environment), set them the same way",
            markup=False,
        )
    for migration in plan.migrations:
        out.print(
            f"new migration {migration.path} (revision {migration.revision}, after "
            f"{migration.down_revision}): run uv run alembic upgrade head",
            markup=False,
        )
    for dependency in plan.dependencies:
        what = (
            f"added {dependency.after}"
            if dependency.before is None
            else f"removed {dependency.before}"
            if dependency.after is None
            else f"{dependency.before} → {dependency.after}"
        )
        out.print(f"dependency ({dependency.group}) {dependency.name}: {what}", markup=False)
    if plan.dependencies:
        out.print("dependencies changed: run uv sync (it updates uv.lock)", markup=False)
    if dry_run:
        return
    if result.branch:
        out.print(
            f"left on the new branch {result.branch} (from "
            f"{result.previous_branch or 'a detached HEAD'}) as "
            "uncommitted changes",
            markup=False,
        )
    conflicts = plan.conflicts
    if conflicts:
        console.print_note(
            f"{len(conflicts)} {'file has' if len(conflicts) == 1 else 'files have'} "
            "conflicts: resolve the <<<<<<< markers, then "
            "git add them; run the checks (uv run ruff check . && uv run mypy && uv run "
            "pytest), and commit"
        )
    else:
        console.print_note(
            "review with git diff --cached, run the checks (uv run ruff check . && uv run "
            "mypy && uv run pytest), and commit"
        )
    back = result.previous_branch or (
        f"--detach {result.previous_commit}" if result.previous_commit else None
    )
    undo = "git reset --hard"
    if result.branch and back:
        undo += f" && git switch {back} && git branch -D {result.branch}"
    console.print_note(f"undo: {undo}")
