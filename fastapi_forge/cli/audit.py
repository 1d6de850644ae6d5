"""``forge audit [PATH]``: score a FastAPI project against the production bar, gaps first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from fastapi_forge import __version__, console
from fastapi_forge.audit import audit as run_audit
from fastapi_forge.audit.model import Check, Report, Section, Status

__all__ = ["EXIT_BELOW_THRESHOLD", "audit"]

EXIT_BELOW_THRESHOLD = 3
"""The exit status when the score is under ``--fail-under`` (1 is an ``error:``, 2 bad usage)."""

_MARKS = {
    Status.HEALTHY: ("✓", "green"),
    Status.MET: ("✓", "green"),
    Status.PARTIAL: ("~", "yellow"),
    Status.UNKNOWN: ("?", "yellow"),
    Status.UNHEALTHY: ("✗", "red"),
    Status.NOT_MET: ("✗", "red"),
}
_BAND_STYLES = {
    "production-grade": "bold green",
    "solid": "bold cyan",
    "needs work": "bold yellow",
    "critical": "bold red",
}
_TITLES = {
    Section.HEALTH: "Health check",
    Section.SECURITY: "Security checklist",
    Section.P0: "P0 production checklist",
    Section.P1: "P1 production checklist (recommended)",
}


def audit(
    path: Annotated[
        Path, typer.Argument(help="The project's folder. Default: the current directory.")
    ] = Path(),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (schema 1, see the README).")
    ] = False,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            metavar="SCORE",
            help=f"Exit with status {EXIT_BELOW_THRESHOLD} when the score is below SCORE (0-100).",
        ),
    ] = None,
    run: Annotated[
        bool,
        typer.Option(
            "--run",
            help="Also import the app in a subprocess (the project's .venv) to read its real "
            "routes, middleware and OpenAPI. Executes the project's code.",
        ),
    ] = False,
    run_tests: Annotated[
        bool,
        typer.Option(
            "--run-tests",
            help="With --run: also run the project's tests for coverage (implies --run).",
        ),
    ] = False,
) -> None:
    """Score a FastAPI project against the production bar: the 16-point health check, the
    security and P0/P1 checklists and the 0-100 quality score, each gap with its fix.

    Static by default: the code is parsed, never imported or run (safe on an untrusted
    checkout), and nothing is written.
    """
    report = run_audit(path, forge_version=__version__, run=run or run_tests, run_tests=run_tests)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print_report(report)
    if fail_under is not None and report.score < fail_under:
        if not as_json:
            console.print_note(f"score {report.score:g} is below --fail-under {fail_under:g}")
        raise typer.Exit(EXIT_BELOW_THRESHOLD)


def _mark(status: Status) -> Text:
    symbol, style = _MARKS[status]
    return Text(symbol, style=style)


def _count(report: Report, section: Section) -> str:
    items = report.section(section)
    if section is Section.HEALTH:
        return f"{report.health_points}/{2 * len(items)}"
    return f"{sum(1 for item in items if item.status is Status.MET)}/{len(items)}"


def print_report(report: Report) -> None:
    """The report a person reads in a minute: score and band, the gaps, then the lists."""
    out = console.stdout
    kind = "forge project" if report.forge_project else "FastAPI project"
    apps = ", ".join(
        f"{app.path}:{app.line} {app.name}{'()' if app.factory else ''}" for app in report.apps
    )
    out.print(Text(f"forge audit · {report.root} · {kind} · app: {apps}"), soft_wrap=True)
    headline = Text("Score ")
    headline.append(f"{report.score:g}/100", style="bold")
    headline.append(" · ")
    headline.append(report.band, style=_BAND_STYLES[report.band])
    headline.append(
        f" · health {_count(report, Section.HEALTH)} · security {_count(report, Section.SECURITY)}"
        f" · P0 {_count(report, Section.P0)} · P1 {_count(report, Section.P1)}"
    )
    out.print(headline, soft_wrap=True)
    if report.skipped:
        console.print_note(
            f"{len(report.skipped)} files could not be read (listed at the end): verdicts that "
            "depend on them may be wrong"
        )

    gaps = [check for check in report.checks if check.status.is_gap]
    # Failures first, then what could not be judged, then the recommended (P1) items.
    gaps.sort(key=lambda check: (check.section is Section.P1, check.status is Status.UNKNOWN))
    below = [item for item in report.dimensions if item.level < 100]
    out.print()
    if not gaps and not below:
        out.print(Text("No gaps: every check passes and every dimension is at 100.", style="green"))
    else:
        out.print(Text(f"Gaps ({len(gaps)} checks, {len(below)} score dimensions)", style="bold"))
        for check in gaps:
            _print_gap(check)
        for item in below:
            line = Text("  ")
            line.append("▲", style="yellow")
            line.append(f" score.{item.dimension.id}  ", style="dim")
            line.append(
                f"{item.dimension.name} {item.level}/100 ({item.reason}); next: {item.next_level}"
            )
            out.print(line, soft_wrap=True)
            if item.fix:
                out.print(Text(f"      fix: {item.fix}", style="cyan"), soft_wrap=True)

    scores = Table(title="Quality score", title_justify="left", show_edge=False)
    for column in ("dimension", "weight", "level", "reached", "next"):
        scores.add_column(column, justify="right" if column in {"weight", "level"} else "left")
    for item in report.dimensions:
        scores.add_row(
            item.dimension.name,
            f"{item.dimension.weight}%",
            str(item.level),
            Text(item.reason),
            Text(item.next_level or "—"),
        )
    out.print()
    out.print(scores)
    for section in Section:
        table = Table(
            title=f"{_TITLES[section]} {_count(report, section)}",
            title_justify="left",
            show_edge=False,
        )
        for column in ("", "item", "verdict", "evidence"):
            table.add_column(column)
        for check in report.section(section):
            evidence = str(check.evidence[0]) if check.evidence else ""
            table.add_row(
                _mark(check.status), Text(check.title), Text(check.summary), Text(evidence)
            )
        out.print()
        out.print(table)
    if report.runtime is not None:
        _print_runtime(report)
    if report.skipped:
        out.print()
        out.print(Text(f"Skipped {len(report.skipped)} files:", style="bold yellow"))
        for skipped in report.skipped:
            out.print(Text(f"  {skipped.path}: {skipped.reason}"), soft_wrap=True)
    out.print(
        Text(
            f"\n{report.files_scanned} files read; nothing was imported, run or written"
            if report.runtime is None
            else f"\n{report.files_scanned} files read; the app was imported (--run)",
            style="dim",
        )
    )


def _print_gap(check: Check) -> None:
    out = console.stdout
    line = Text("  ")
    line.append_text(_mark(check.status))
    line.append(f" {check.id}  ", style="dim")
    line.append(f"{check.title}: ", style="bold")
    line.append(check.summary)
    out.print(line, soft_wrap=True)
    for evidence in check.evidence[:3]:
        out.print(Text(f"      at {evidence}", style="dim"), soft_wrap=True)
    if check.fix:
        out.print(Text(f"      fix: {check.fix}", style="cyan"), soft_wrap=True)


def _print_runtime(report: Report) -> None:
    out = console.stdout
    runtime = report.runtime or {}
    out.print()
    if runtime.get("error"):
        out.print(Text(f"--run: {runtime['error']}", style="yellow"), soft_wrap=True)
    else:
        openapi = runtime.get("openapi") or {}
        out.print(
            Text(
                f"--run: {runtime.get('app')} with {runtime.get('interpreter')}: "
                f"{len(runtime.get('routes') or [])} routes, "
                f"{len(runtime.get('middleware') or [])} middleware "
                f"({', '.join(runtime.get('middleware') or [])}), "
                f"{openapi.get('operations', 0)} OpenAPI operations"
            ),
            soft_wrap=True,
        )
        missing = openapi.get("without_response_schema") or []
        if missing:
            out.print(
                Text(f"  without a response schema: {', '.join(missing)}", style="yellow"),
                soft_wrap=True,
            )
    tests = runtime.get("tests")
    if isinstance(tests, dict):
        coverage = tests.get("coverage")
        shown = f", coverage {coverage}%" if coverage is not None else ""
        verdict = tests.get("error") or tests.get("summary")
        out.print(Text(f"--run-tests: {verdict}{shown}"), soft_wrap=True)
