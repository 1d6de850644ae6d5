"""The command line as a whole: every command runs in the one error wrapper, and
``forge add feature`` and its alias ``forge add-feature`` are the same command."""

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fastapi_forge.cli import add_app, app, command
from fastapi_forge.generators.feature import generator as feature_generator
from fastapi_forge.generators.project.generator import create_project
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import tree_snapshot

FIELDS = ["--field", "total:decimal:gt=0", "--field", "status:enum=new,paid"]


def _callbacks(typer_app: typer.Typer) -> dict[str, object]:
    return {
        info.name or getattr(info.callback, "__name__", ""): info.callback
        for info in typer_app.registered_commands
    }


def test_every_command_runs_in_the_one_wrapper() -> None:
    commands = {**_callbacks(app), **{f"add {k}": v for k, v in _callbacks(add_app).items()}}
    assert {"new", "add-feature", "add feature"} <= commands.keys()
    wrapper_code = command("x")(lambda: None).__code__
    for name, callback in commands.items():
        assert getattr(callback, "__code__", None) is wrapper_code, f"{name} is not wrapped"
        assert hasattr(callback, "__wrapped__"), name


def test_the_wrapper_turns_errors_into_one_line_and_a_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from fastapi_forge.errors import UserError

    def refused() -> None:
        raise UserError("bad   thing;\n do this")

    def interrupted() -> None:
        raise KeyboardInterrupt

    def eof() -> None:
        raise EOFError

    with pytest.raises(typer.Exit) as exit_info:
        command("stopped")(refused)()
    assert exit_info.value.exit_code == 1
    with pytest.raises(typer.Exit) as exit_info:
        command("stopped")(interrupted)()
    assert exit_info.value.exit_code == 130
    with pytest.raises(typer.Exit) as exit_info:
        command("stopped")(eof)()
    assert exit_info.value.exit_code == 130
    assert capsys.readouterr().err.splitlines() == [
        "error: bad thing; do this",
        "error: stopped",
        "error: stopped",
    ]


def _project(parent: Path) -> Path:
    root = parent / "shop"
    create_project(
        normalize_project_name("shop"),
        root,
        description="A shop.",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    return root


def test_add_feature_is_an_alias_of_add_feature(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    trees = []
    for spelling, folder in ((["add", "feature"], "new"), (["add-feature"], "old")):
        root = _project(tmp_path / folder)
        monkeypatch.chdir(root)
        result = runner.invoke(app, [*spelling, "orders", *FIELDS])
        assert result.exit_code == 0, result.output
        assert "wrote" in result.output
        tree = tree_snapshot(root)
        tree.pop(".env")  # a fresh secret per project
        trees.append(tree)
    assert any(path.startswith("src/shop/features/orders/") for path in trees[0])
    assert trees[0] == trees[1]


@pytest.mark.parametrize("spelling", [["add", "feature"], ["add-feature"]], ids=" ".join)
def test_both_spellings_refuse_outside_a_project(
    spelling: list[str], workdir: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, [*spelling, "orders"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no fastapi-forge project found")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("spelling", [["add", "feature"], ["add-feature"]], ids=" ".join)
def test_both_spellings_report_ctrl_c_in_one_line(
    spelling: list[str], workdir: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(feature_generator, "add_feature", interrupted)
    result = runner.invoke(app, [*spelling, "orders"])
    assert result.exit_code == 130
    assert result.output == "error: interrupted; the project was left as it was\n"


def test_help_shows_the_new_spelling_and_the_alias(runner: CliRunner) -> None:
    top = runner.invoke(app, ["--help"], terminal_width=200)
    assert top.exit_code == 0
    assert " add " in top.output
    assert "add-feature" in top.output
    assert "Alias of forge add feature" in top.output
    add = runner.invoke(app, ["add", "--help"], terminal_width=200)
    assert add.exit_code == 0
    assert "feature" in add.output
    feature = runner.invoke(app, ["add", "feature", "--help"], terminal_width=200)
    assert "forge add feature customers" in feature.output
    assert "forge add-feature" in feature.output


def test_field_specs_are_printed_as_typed(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``:date:`` is an emoji code to rich; the spec must not turn into a calendar.
    root = _project(tmp_path / "shop")
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["add", "feature", "events", "--field", "starts_on:date:index"])
    assert result.exit_code == 0, result.output
    assert "starts_on:date:index" in result.output
    status = runner.invoke(app, ["status"])
    assert "starts_on:date:index" in status.output
    assert "\N{CALENDAR}" not in result.output + status.output
