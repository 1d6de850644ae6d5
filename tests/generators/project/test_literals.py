"""The description reaches Python and TOML files as literals that are exact and lint-clean."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fastapi_forge.generators.project.generator import python_string_literal, toml_string_literal

TEXTS = [
    "A production-grade FastAPI service.",
    'Bills "customers" and more',
    "Bob's orders",
    "Both ' and \" quotes",
    'Back\\slash and "quote"',
    "Jinja {{ braces }} {% tags %} & <html>",
    "Unicode: café — naïve ✓",
    "Tab\tinside",
]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize("text", TEXTS)
def test_python_literal_round_trips(text: str) -> None:
    assert ast.literal_eval(python_string_literal(text)) == text


@pytest.mark.parametrize("text", TEXTS)
def test_python_literal_is_already_ruff_formatted(text: str) -> None:
    source = f"description = {python_string_literal(text)}\n"
    result = subprocess.run(
        [str(RUFF), "format", "--check", "--diff", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("text", TEXTS)
def test_toml_literal_round_trips(text: str) -> None:
    assert tomllib.loads(f"description = {toml_string_literal(text)}\n")["description"] == text
