"""Run the benchmarks: ``python -m bench [NAME ...] [--quick] [--output FILE]``.

Prints one table and writes every figure, with its target and the machine it was measured
on, as JSON. Targets that are missed are reported, never turned into a failure; the exit
status is non-zero only when a benchmark could not run at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

import fastapi_forge
from bench import audit, green, jobs, load, render, startup, suite, update
from bench.common import BenchError, Measurement, Workspace
from bench.harness import HarnessError

BENCHMARKS = ("render", "green", "suite", "load", "startup", "update", "audit", "jobs")
DEFAULT_OUTPUT = Path("bench") / "results" / "latest.json"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        choices=[*BENCHMARKS, []],
        metavar="NAME",
        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repetitions, shorter load, fewer features (a smoke run)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where the JSON goes (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--copier-template",
        metavar="PATH[@REF]",
        default=os.environ.get("BENCH_COPIER_TEMPLATE"),
        help="also time `copier copy` of this Copier template (a local checkout, "
        "e.g. fastapi/full-stack-fastapi-template@0.10.0)",
    )
    parser.add_argument(
        "--peer",
        metavar="PATH[@REF]",
        default=os.environ.get("BENCH_PEER"),
        help="load: also serve the backend of this checkout of "
        "fastapi/full-stack-fastapi-template (e.g. ~/src/full-stack-fastapi-template@0.10.0)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    return parser.parse_args(argv)


def run_all(
    names: list[str], args: argparse.Namespace, workspace: Workspace, results: list[Measurement]
) -> None:
    """Run ``names`` in order, appending to ``results`` (kept if a later one fails)."""
    quick = args.quick
    for name in names:
        started = time.perf_counter()
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        if name == "render":
            results += render.measure(
                workspace,
                repeat=5 if quick else 15,
                reference_repeat=2 if quick else 5,
                copier_template=args.copier_template,
            )
        elif name == "green":
            results += green.measure(workspace)
        elif name == "suite":
            results += suite.measure(
                workspace, counts=(0, 1, 5) if quick else (0, 1, 5, 20), repeat=1 if quick else 3
            )
        elif name == "load":
            results += load.measure(
                workspace,
                seconds=3 if quick else 10,
                warmup=1 if quick else 3,
                rounds=1 if quick else 2,
                peer=args.peer,
            )
        elif name == "startup":
            results += startup.measure(
                workspace, counts=(1, 20) if quick else (1, 20, 100), repeat=3 if quick else 5
            )
        elif name == "update":
            results += update.measure(workspace, repeat=1 if quick else 3)
        elif name == "audit":
            results += audit.measure(workspace, repeat=3 if quick else 9)
        elif name == "jobs":
            results += jobs.measure(
                workspace, samples=20 if quick else 100, count=200 if quick else 2000
            )
        print(f"bench: {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr)


def environment() -> dict[str, object]:
    """What the figures were measured on."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "forge_version": fastapi_forge.__version__,
        "commit": commit or None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def print_table(results: list[Measurement]) -> None:
    table = Table(title="fastapi_forge benchmarks", show_lines=False)
    for column in ("benchmark", "metric", "value", "target", "met"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for item in results:
        value = f"{item.value:,.3f}" if abs(item.value) < 100 else f"{item.value:,.0f}"
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: ""}[item.met]
        table.add_row(item.benchmark, item.metric, f"{value} {item.unit}", item.target, met)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a log or a pipe: keep one figure per line
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    root = Path(tempfile.mkdtemp(prefix="forge-bench-"))
    results: list[Measurement] = []
    failure: str | None = None
    try:
        run_all(names, args, Workspace(root), results)
    except (BenchError, HarnessError) as exc:
        failure = str(exc)
    finally:
        if args.keep:
            print(f"bench: scratch folder kept at {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "environment": environment(),
        "quick": args.quick,
        "results": [item.as_json() for item in results],
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    missed = [item.metric for item in results if item.met is False]
    print(f"bench: wrote {args.output}; targets missed: {len(missed)}", file=sys.stderr)
    if failure is not None:
        print(f"error: a benchmark could not run: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
