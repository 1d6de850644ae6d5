"""Developer sessions: lint, tests, e2e, fuzz, snapshots, bench (`nox -l` lists them)."""

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format) and mypy --strict on our own code."""
    session.install("-e", ".[test]")
    session.run("ruff", "check", "fastapi_forge", "tests", "bench", "noxfile.py")
    session.run("ruff", "format", "--check", "fastapi_forge", "tests", "bench", "noxfile.py")
    session.run("mypy")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The fast tier: CLI, naming, literals and render tests."""
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "2", "--dist", "loadscope", "-m", "not e2e", *session.posargs)


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """Generated projects: install, lint, type check, test and migrate them, on both databases."""
    session.install("-e", ".[test]")
    marks = "e2e and not fuzz"
    session.run("pytest", "-n", "2", "--dist", "loadscope", "-m", marks, *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Schemathesis against a running generated app with three slices, SQLite and PostgreSQL."""
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "2", "--dist", "loadscope", "-m", "fuzz", *session.posargs)


@nox.session(python=PYTHON)
def snapshots(session: nox.Session) -> None:
    """Render the snapshot scenarios again into tests/snapshots/ (review the diff!)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.snapshot_scenarios", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmarks (never pass/fail): `nox -s bench -- [NAME...] [--quick]`.

    forge is installed as a user installs it (not editable, bytecode compiled), so that
    start-up is timed as users see it.
    """
    session.env["UV_COMPILE_BYTECODE"] = "1"
    session.install(".[test]")
    session.run("python", "-m", "bench", *session.posargs)
