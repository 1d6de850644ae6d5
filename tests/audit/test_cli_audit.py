"""`forge audit` on the command line: the report, --json, --fail-under, and bad input (one
``error:`` line, nothing written, never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.cli.audit import EXIT_BELOW_THRESHOLD
from fastapi_forge.errors import EXIT_USER_ERROR
from tests.audit.conftest import write_files
from tests.helpers.tree import tree_snapshot

MINIMAL_APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\nasync def root() -> str:\n    """Hello."""\n    return "hi"\n'  # noqa: E501


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_the_report_starts_with_the_score_and_band_then_the_gaps(generated: Path) -> None:
    before = tree_snapshot(generated)

    result = CliRunner().invoke(app, ["audit", str(generated)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"forge audit · {generated} · forge project · app: ")
    assert lines[1].startswith("Score 88.75/100 · production-grade · health 16/16")
    assert "security 10/10 · P0 11/11 · P1 4/8" in lines[1]
    assert lines[3].startswith("Gaps (4 checks, 3 score dimensions)")
    assert "score.performance" in result.stdout
    assert "nothing was imported, run or written" in result.stdout
    assert tree_snapshot(generated) == before


def test_the_default_path_is_the_current_folder(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(generated)

    result = CliRunner().invoke(app, ["audit", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["project"]["root"] == "."
    assert document["score"]["value"] == 88.75


def test_json_follows_schema_1(generated: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(generated), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == 1
    assert set(document) == {
        "schema", "forge_version", "project", "score", "health", "security", "p0", "p1", "runtime",
    }  # fmt: skip
    assert document["project"]["forge_project"] is True
    assert document["project"]["apps"][0]["factory"] is True
    assert document["score"]["value"] == 88.75
    assert document["score"]["band"] == "production-grade"
    assert [item["weight"] for item in document["score"]["dimensions"]] == [
        15, 15, 15, 15, 10, 10, 10, 10,
    ]  # fmt: skip
    assert (document["health"]["points"], document["health"]["max"]) == (16, 16)
    assert len(document["health"]["signals"]) == 8
    assert (document["security"]["met"], document["security"]["total"]) == (10, 10)
    assert (document["p0"]["met"], document["p0"]["total"]) == (11, 11)
    assert document["p1"]["total"] == 8
    for item in [*document["health"]["signals"], *document["security"]["items"]]:
        assert {"id", "title", "dimension", "status", "summary", "evidence", "fix"} <= set(item)
    assert {item["priority"] for item in document["security"]["items"]} == {"P0", "P1"}
    caching = next(item for item in document["p1"]["items"] if item["id"] == "p1.caching")
    assert caching["status"] == "not_met"
    assert caching["fix"]
    assert document["runtime"] is None


@pytest.mark.parametrize(("threshold", "status"), [("88", 0), ("88.75", 0), ("90", 3)])
def test_fail_under_exits_3_below_the_threshold(
    generated: Path, threshold: str, status: int
) -> None:
    result = CliRunner().invoke(app, ["audit", str(generated), "--json", "--fail-under", threshold])

    assert result.exit_code == status, result.output
    assert EXIT_BELOW_THRESHOLD == 3
    assert json.loads(result.stdout)["score"]["value"] == 88.75


def test_a_threshold_out_of_range_is_a_usage_error(generated: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(generated), "--fail-under", "101"])

    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_missing_path_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(tmp_path / "nowhere")])

    assert result.exit_code == EXIT_USER_ERROR
    assert "does not exist" in one_error_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("files", "target", "message"),
    [
        ({"README.md": "# notes\n", "data.json": "{}"}, "", "is not a Python project"),
        ({"main.py": "print('hello')\n", "lib/util.py": "X = 1\n"}, "", "no FastAPI app found"),
        ({"main.py": MINIMAL_APP}, "main.py", "is not a folder"),
        ({"main.py": "def broken(:\n"}, "", "no Python file"),
        ({"tests/test_app.py": MINIMAL_APP}, "", "no FastAPI app found"),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    tmp_path: Path, files: dict[str, str], target: str, message: str
) -> None:
    write_files(tmp_path, files)
    before = tree_snapshot(tmp_path)

    result = CliRunner().invoke(app, ["audit", str(tmp_path / target)])

    assert result.exit_code == EXIT_USER_ERROR, result.output
    assert message in one_error_line(result.stderr)
    assert tree_snapshot(tmp_path) == before


def test_a_file_that_does_not_parse_is_skipped_and_listed(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": MINIMAL_APP,
            "app/broken.py": "def broken(:\n",
            "app/latin1.py": "",
        },
    )
    (tmp_path / "app" / "latin1.py").write_bytes(b"NAME = '\xe9'\n")
    before = tree_snapshot(tmp_path)

    result = CliRunner().invoke(app, ["audit", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    skipped = json.loads(result.stdout)["project"]["skipped"]
    assert skipped == [
        {"path": "app/broken.py", "reason": "does not parse: invalid syntax (line 1)"},
        {"path": "app/latin1.py", "reason": "not UTF-8 text"},
    ]
    text = CliRunner().invoke(app, ["audit", str(tmp_path)])
    assert "Skipped 2 files:" in text.stdout
    assert text.stdout.splitlines()[2].startswith("note: 2 files could not be read")
    assert "app/broken.py: does not parse" in text.stdout
    assert tree_snapshot(tmp_path) == before


def test_environments_and_caches_are_not_read(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "main.py": MINIMAL_APP,
            ".venv/lib/site.py": "def broken(:\n",
            "env2/pyvenv.cfg": "home = /usr\n",
            "env2/lib/mod.py": "def broken(:\n",
            "node_modules/x.py": "def broken(:\n",
        },
    )

    result = CliRunner().invoke(app, ["audit", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["project"]["skipped"] == []
    assert document["project"]["files_scanned"] == 1


def test_the_audited_code_is_never_imported(tmp_path: Path) -> None:
    """A module that would write a file when imported is only read: nothing appears."""
    write_files(
        tmp_path / "project",
        {
            "main.py": MINIMAL_APP + "\nopen(__file__ + '.imported', 'w').close()\n",
            "conftest.py": "open('conftest.imported', 'w').close()\n",
        },
    )
    script = (
        "import sys\n"
        "from fastapi_forge.entry import main\n"
        f"sys.argv = ['forge', 'audit', {str(tmp_path / 'project')!r}, '--json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('fastapi_forge.', 'copier')))\n"
        "print('\\n'.join(loaded), file=sys.stderr)\n"
    )
    before = tree_snapshot(tmp_path)

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )

    assert json.loads(result.stdout)["project"]["apps"][0]["name"] == "app"
    assert tree_snapshot(tmp_path) == before
    loaded = result.stderr.split()
    assert "fastapi_forge.audit.runtime" not in loaded, "--run's module stays unloaded"
    assert not [module for module in loaded if module.startswith("copier")]
    assert not [m for m in loaded if m.startswith("fastapi_forge.generators.feature")]


def test_a_module_nested_too_deeply_is_skipped_not_a_traceback(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "main.py": MINIMAL_APP,
            "parser.py": "x = 1" + " + 1" * 100_000 + "\n",  # the parser gives up
            "walker.py": "x = 1" + " + 1" * 800 + "\n",  # parses; too deep to walk
        },
    )

    result = CliRunner().invoke(app, ["audit", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    skipped = json.loads(result.stdout)["project"]["skipped"]
    assert skipped == [
        {"path": "parser.py", "reason": "does not parse: nested too deeply"},
        {"path": "walker.py", "reason": "nested too deeply to analyse"},
    ]
