"""`--run` and `--run-tests` without an installed project: the interpreter is chosen, a failed
import is one line of the report (the static audit stands), and the tests' verdict counts.
The real thing, on a generated project with its own venv, is an e2e test
(tests/e2e/test_generated_project.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from fastapi_forge.audit.runtime import interpreter
from fastapi_forge.cli import app
from tests.audit.conftest import write_files
from tests.helpers.tree import tree_snapshot

MAIN = 'from fastapi import FastAPI\n\napp = FastAPI(title="T")\n'


def test_the_projects_own_venv_is_preferred(tmp_path: Path) -> None:
    assert interpreter(tmp_path) == sys.executable
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)

    assert interpreter(tmp_path) == str(python)


def test_an_app_that_cannot_be_imported_is_reported_not_raised(tmp_path: Path) -> None:
    # forge's own environment has no FastAPI: the import fails in the subprocess.
    write_files(tmp_path, {"service/main.py": MAIN})
    before = tree_snapshot(tmp_path)

    result = CliRunner().invoke(app, ["audit", str(tmp_path), "--json", "--run"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    runtime = document["runtime"]
    assert runtime["app"] == "service.main:app"
    assert runtime["error"].startswith("importing service.main:app failed: ModuleNotFoundError")
    assert "fastapi" in runtime["error"]
    assert document["health"]["max"] == 16, "the static audit is still there"
    text = CliRunner().invoke(app, ["audit", str(tmp_path), "--run"])
    assert "--run: importing service.main:app failed" in text.stdout
    assert "Traceback" not in text.stdout
    assert tree_snapshot(tmp_path) == before


def test_a_failing_suite_fails_tests_in_ci(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "service/main.py": MAIN,
            "tests/test_service.py": "def test_ok() -> None:\n    assert 1 + 1 == 3\n",
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pytest\n",
        },
    )
    before = tree_snapshot(tmp_path)

    result = CliRunner().invoke(app, ["audit", str(tmp_path), "--json", "--run-tests"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    tests = document["runtime"]["tests"]
    assert tests["passed"] is False
    assert "1 failed" in tests["summary"]
    item = next(item for item in document["p0"]["items"] if item["id"] == "p0.tests_in_ci")
    assert (item["status"], item["summary"]) == ("not_met", "the test suite fails (--run)")
    assert tree_snapshot(tmp_path) == before, "no cache, bytecode or coverage file is left"
