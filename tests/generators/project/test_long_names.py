"""Accepted means green for names at their limits: a project named with the longest name
forge accepts, grown with the longest feature names (one referencing another, one public),
passes its own ruff check and ruff format --check on both databases, with and without the
worker and tracing components (and a job with a long name given the long feature), and
after `forge add field` and `forge remove field` with the longest field names.

A template line that grows with the project's name (a docstring naming the package, an
import from it) breaks this long before it breaks for the names of the examples.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine.workspace import _ruff
from fastapi_forge.generators.feature.fields import MAX_FIELD_NAME_LENGTH
from fastapi_forge.naming import MAX_FEATURE_NAME_LENGTH, MAX_NAME_LENGTH
from tests.helpers.tree import LOCAL

LONGEST = ("abcdefghij-" * 4)[:MAX_NAME_LENGTH].rstrip("-")
FEATURE = "q" * (MAX_FEATURE_NAME_LENGTH - 1) + "s"
JOB = "j" * MAX_FEATURE_NAME_LENGTH


@pytest.mark.parametrize(
    ("database", "components"),
    [
        ("sqlite", []),
        ("postgres", []),
        ("sqlite", ["--with", "worker", "--with", "tracing"]),
        ("postgres", ["--with", "worker", "--broker", "rabbitmq", "--with", "tracing"]),
    ],
)
def test_the_longest_names_give_a_project_its_own_ruff_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str, components: list[str]
) -> None:
    assert len(LONGEST) == MAX_NAME_LENGTH
    project = tmp_path / LONGEST
    runner = CliRunner()
    result = runner.invoke(
        app, ["new", LONGEST, str(project), "--database", database, *components, "-q", *LOCAL]
    )
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(project)
    for arguments in (
        [FEATURE, "--field", "name:str"],
        ["orders", "--field", f"o:ref={FEATURE}", "--field", "total:int"],
        ["n" * (MAX_FEATURE_NAME_LENGTH - 1) + "s", "--public", "--field", "headline:str"],
    ):
        result = runner.invoke(app, ["add", "feature", *arguments, "-q"])
        assert result.exit_code == 0, result.output
    if components:
        job = ["add", "job", JOB, "--cron", "0 4 * * *", "--feature", FEATURE, "-q"]
        result = runner.invoke(app, job)
        assert result.exit_code == 0, result.output
    # Evolutions: their migrations' docstrings list the columns.
    fields = [f"{letter * (MAX_FIELD_NAME_LENGTH - 1)}s" for letter in "fg"]
    specs = [argument for name in fields for argument in ("--field", f"{name}:str:default=x")]
    for command in (
        ["add", "field", "orders", *specs],
        ["remove", "field", "orders", fields[0]],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        run = subprocess.run([_ruff(), *command], cwd=project, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
