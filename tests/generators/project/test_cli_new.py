"""``forge --version``, ``forge --help`` and ``forge new``, through Typer's CliRunner.

Tests named ``*_real_template`` render the actual project template (the slow part,
done once per module); the others replace the render with a stub so that they
exercise the CLI's own behaviour quickly and independently of the template.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import fastapi_forge
from fastapi_forge.cli import app
from fastapi_forge.cli import new as cli
from fastapi_forge.generators.project import generator as project
from tests.helpers.tree import LOCAL, staging_leftovers, tree_snapshot, write_stub_project

SECRET_LINE = re.compile(r"^(?P<prefix>[A-Z0-9_]+_)JWT_SECRET=(?P<value>.*)$", re.MULTILINE)


def single_error_line(result: Result) -> str:
    """Assert the run failed with exactly one ``error:`` line on stderr; return it."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- version and help ------------------------------------------------------------------


def test_version_prints_forge_and_the_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.stdout.strip() == f"forge {fastapi_forge.__version__}"


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])

    assert "Usage" in result.output
    assert "new" in result.output


def test_new_help_mentions_every_option(runner: CliRunner) -> None:
    result = runner.invoke(app, ["new", "--help"], terminal_width=200)

    assert result.exit_code == 0
    for option in (
        "--description",
        "--database",
        "--python",
        "--defaults",
        "--no-input",
        "--dry-run",
        "--quiet",
    ):
        assert option in result.stdout
    for choice in ("sqlite", "postgres", "3.11", "3.12", "3.13"):
        assert choice in result.stdout


# --- the real template -----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A ``forge new`` run against the real template."""

    result: Result
    destination: Path
    workdir: Path


def _run_real(tmp_path_factory: pytest.TempPathFactory, args: list[str], dirname: str) -> Run:
    """Run ``forge new`` with ``args`` in a fresh folder; return the outcome."""
    workdir = tmp_path_factory.mktemp("real")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        patch.delenv("CI", raising=False)
        result = CliRunner().invoke(app, ["new", *LOCAL, *args])
    return Run(result=result, destination=workdir / dirname, workdir=workdir)


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``forge new my-api --defaults`` into the current folder."""
    return _run_real(tmp_path_factory, ["my-api", "--defaults"], "my-api")


@pytest.fixture(scope="module")
def postgres_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``forge new My-API service --database postgres --python 3.13`` without a TTY."""
    return _run_real(
        tmp_path_factory,
        ["My-API", "service", "--database", "postgres", "--python", "3.13"],
        "service",
    )


def _answers(run: Run) -> dict[str, Any]:
    """The parsed ``.copier-answers.yml`` of a run."""
    answers = yaml.safe_load((run.destination / ".copier-answers.yml").read_text())
    assert isinstance(answers, dict)
    return answers


def _secret(run: Run, filename: str = ".env") -> str:
    """The JWT secret of a run's ``.env`` (or another env file)."""
    match = SECRET_LINE.search((run.destination / filename).read_text())
    assert match is not None
    assert match["prefix"] == "MY_API_"
    return match["value"]


def test_new_real_template_writes_the_project(sqlite_run: Run) -> None:
    assert sqlite_run.result.exit_code == 0, sqlite_run.result.output
    assert sqlite_run.result.stderr == ""
    for relative in ("pyproject.toml", ".env.example", ".env", ".copier-answers.yml"):
        assert (sqlite_run.destination / relative).is_file(), relative
    assert (sqlite_run.destination / "src" / "my_api").is_dir()
    assert staging_leftovers(sqlite_run.workdir) == []


def test_new_real_template_answers_record_answers_and_forge_version(sqlite_run: Run) -> None:
    assert sqlite_run.result.exit_code == 0, sqlite_run.result.output

    answers = _answers(sqlite_run)

    assert answers["project_name"] == "my-api"
    assert answers["description"] == project.DEFAULT_DESCRIPTION
    assert answers["database"] == "sqlite"
    assert answers["python_version"] == project.DEFAULT_PYTHON_VERSION
    # The template records forge's own values under underscore keys.
    assert answers["_forge_version"] == fastapi_forge.__version__
    assert answers["_forge_template"] == "project"


def test_new_real_template_env_has_a_fresh_secret(sqlite_run: Run) -> None:
    assert sqlite_run.result.exit_code == 0, sqlite_run.result.output

    secret = _secret(sqlite_run)

    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", secret)
    assert secret != _secret(sqlite_run, ".env.example")
    assert (sqlite_run.destination / ".env").stat().st_mode & 0o777 == 0o600


def test_new_real_template_secret_differs_between_runs(sqlite_run: Run, postgres_run: Run) -> None:
    assert postgres_run.result.exit_code == 0, postgres_run.result.output

    assert _secret(sqlite_run) != _secret(postgres_run)


def test_new_real_template_options_reach_the_answers_file(
    sqlite_run: Run, postgres_run: Run
) -> None:
    assert postgres_run.result.exit_code == 0, postgres_run.result.output

    assert _answers(sqlite_run)["database"] == "sqlite"
    assert _answers(postgres_run)["database"] == "postgres"
    assert _answers(postgres_run)["python_version"] == "3.13"


def test_new_real_template_tells_the_user_about_normalisation(postgres_run: Run) -> None:
    assert postgres_run.result.exit_code == 0, postgres_run.result.output

    assert "'My-API' was normalised to project 'my-api'" in postgres_run.result.stdout
    assert "package 'my_api'" in postgres_run.result.stdout
    assert _answers(postgres_run)["project_name"] == "my-api"


def test_new_real_template_prints_names_tree_time_and_next_steps(sqlite_run: Run) -> None:
    assert sqlite_run.result.exit_code == 0, sqlite_run.result.output
    out = sqlite_run.result.stdout

    assert "MY_API_" in out
    assert "my-api/" in out
    assert re.search(r"rendered in \d+\.\d\d s", out)
    steps = out[out.index("Next steps:") :].split()
    assert " ".join(steps) == (
        "Next steps: cd my-api uv sync uv run alembic upgrade head "
        "uv run uvicorn my_api.main:create_app --factory --reload uv run pytest"
    )


def test_dry_run_real_template_writes_nothing(runner: CliRunner, workdir: Path) -> None:
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "--dry-run", "--defaults"])

    assert result.exit_code == 0, result.output
    assert tree_snapshot(workdir) == before
    assert "pyproject.toml" in result.stdout
    assert "nothing was written" in result.stdout


# --- CLI behaviour with a stub render --------------------------------------------------


def test_without_a_tty_defaults_are_used_and_nothing_waits_for_input(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    result = runner.invoke(app, ["new", *LOCAL, "my-api"], input="")

    assert result.exit_code == 0, result.output
    assert stub_render == [
        {
            "project_name": "my-api",
            "description": project.DEFAULT_DESCRIPTION,
            "database": project.DEFAULT_DATABASE,
            "python_version": project.DEFAULT_PYTHON_VERSION,
            "worker": False,
            "broker": "redis",
            "tracing": False,
            "package_name": "my_api",
            "env_prefix": "MY_API_",
            "project_title": "My Api",
            "default_database_url": "sqlite+aiosqlite:///./my_api.db",
            "description_py": '"A production-grade FastAPI service."',
            "description_toml": '"A production-grade FastAPI service."',
            "forge_version": fastapi_forge.__version__,
        }
    ]
    assert (workdir / "my-api" / ".env").is_file()


def test_with_a_tty_missing_answers_are_asked(
    runner: CliRunner,
    workdir: Path,
    stub_render: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "_stdin_is_interactive", lambda: True)

    answers = "Orders\nmysql\npostgres\n\nyes\nrabbitmq\n\n"
    result = runner.invoke(app, ["new", *LOCAL, "my-api"], input=answers)

    assert result.exit_code == 0, result.output
    assert stub_render[0]["description"] == "Orders"
    assert stub_render[0]["database"] == "postgres"
    assert stub_render[0]["python_version"] == project.DEFAULT_PYTHON_VERSION
    assert stub_render[0]["worker"] is True
    assert stub_render[0]["broker"] == "rabbitmq"
    assert stub_render[0]["tracing"] is False


@pytest.mark.parametrize("flag", ["--defaults", "--no-input"])
def test_with_a_tty_defaults_and_no_input_ask_nothing(
    runner: CliRunner,
    workdir: Path,
    stub_render: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
) -> None:
    monkeypatch.setattr(cli, "_stdin_is_interactive", lambda: True)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", flag, "--python", "3.11"], input="")

    assert result.exit_code == 0, result.output
    assert stub_render[0]["description"] == project.DEFAULT_DESCRIPTION
    assert stub_render[0]["python_version"] == "3.11"


@pytest.mark.parametrize(("value", "interactive"), [("true", False), ("", True), ("0", True)])
def test_ci_variable_disables_questions(
    monkeypatch: pytest.MonkeyPatch, value: str, interactive: bool
) -> None:
    monkeypatch.setenv("CI", value)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    assert cli._stdin_is_interactive() is interactive


def test_existing_empty_directory_is_filled_in_place(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    target = workdir / "here"
    target.mkdir()
    inode = target.stat().st_ino

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "here"])

    assert result.exit_code == 0, result.output
    assert target.stat().st_ino == inode
    assert (target / "README.md").read_text() == "# My Api\n"
    assert staging_leftovers(workdir) == []


def test_missing_parent_folders_are_created(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    result = runner.invoke(app, ["new", *LOCAL, "my-api", "a/b/my-api"])

    assert result.exit_code == 0, result.output
    assert (workdir / "a" / "b" / "my-api" / ".env").is_file()
    assert "cd a/b/my-api" in result.stdout


def test_quiet_prints_nothing(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    result = runner.invoke(app, ["new", *LOCAL, "My-API", "--quiet"])

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (workdir / "my-api").is_dir()


# --- refusals: one error line, nothing written -------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "the project name is empty"),
        ("1api", "must start with a letter; try 'api1'"),
        ("class", "'class' is a Python keyword"),
        ("my$api", "'$' is not allowed"),
        ("json", "shadow the standard-library module 'json'"),
        ("fastapi", "shadow the 'fastapi' module"),
        ("test", "shadow the 'test' module"),
        ("requests", "'requests' is a package the generated project installs"),
        ("ünï", "try 'uni'"),
    ],
)
def test_bad_name_is_refused(
    runner: CliRunner,
    workdir: Path,
    stub_render: list[dict[str, Any]],
    name: str,
    problem: str,
) -> None:
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, name, "--defaults"])

    assert result.exit_code == 1
    assert problem in single_error_line(result)
    assert tree_snapshot(workdir) == before
    assert stub_render == []


@pytest.mark.parametrize("value", ["true", "False", "yes", "1"])
def test_a_value_after_a_flag_is_not_taken_as_the_directory(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]], value: str
) -> None:
    """`forge new app --defaults true` used to create ./true."""
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", "my-api", "--defaults", value])

    assert result.exit_code == 1
    line = single_error_line(result)
    assert "--defaults" in line
    assert f"./{value}" in line
    assert tree_snapshot(workdir) == before
    assert stub_render == []


def test_a_folder_named_like_a_flag_value_can_be_given_as_a_path(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    result = runner.invoke(app, ["new", "my-api", "./true", "--defaults"])

    assert result.exit_code == 0, result.output
    assert (workdir / "true").is_dir()


def test_multi_line_description_is_refused(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    before = tree_snapshot(workdir)

    result = runner.invoke(
        app, ["new", *LOCAL, "my-api", "--description", "one\ntwo", "--defaults"]
    )

    assert result.exit_code == 1
    assert "must be one line of printable text" in single_error_line(result)
    assert tree_snapshot(workdir) == before
    assert stub_render == []


def test_existing_non_empty_directory_is_refused(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    (workdir / "my-api").mkdir()
    (workdir / "my-api" / "notes.txt").write_text("mine\n")
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "--defaults"])

    assert result.exit_code == 1
    assert "already exists and is not empty" in single_error_line(result)
    assert tree_snapshot(workdir) == before
    assert stub_render == []


def test_destination_that_is_a_file_is_refused(
    runner: CliRunner, workdir: Path, stub_render: list[dict[str, Any]]
) -> None:
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "unrelated.txt", "--defaults"])

    assert result.exit_code == 1
    assert "exists and is not a folder" in single_error_line(result)
    assert tree_snapshot(workdir) == before


def test_unwritable_parent_is_refused(
    runner: CliRunner,
    workdir: Path,
    stub_render: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tests may run as root, which ignores permission bits, so a chmod-ed folder
    # would not prove anything: simulate the refusal os.access would give instead.
    def no_write_access(path: Any, mode: int, **kwargs: Any) -> bool:
        return not (mode & os.W_OK)

    monkeypatch.setattr(project.os, "access", no_write_access)
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "sub/my-api", "--defaults"])

    assert result.exit_code == 1
    line = single_error_line(result)
    assert f"'{workdir}' is not writable" in line
    assert tree_snapshot(workdir) == before
    assert stub_render == []


@pytest.fixture
def failing_rename(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the second rename out of a staging folder fail; yields the attempted sources."""
    attempts: list[str] = []
    real_rename = os.rename

    def rename(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if f"/{project.STAGING_PREFIX}" in os.fspath(source):
            attempts.append(os.fspath(source))
            if len(attempts) == 2 or Path(source).name == "my-api":
                raise OSError(28, "No space left on device", os.fspath(target))
        real_rename(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    return attempts


@pytest.mark.parametrize("existing_empty_dir", [False, True])
def test_failed_move_leaves_everything_as_it_was(
    runner: CliRunner,
    workdir: Path,
    stub_render: list[dict[str, Any]],
    failing_rename: list[str],
    existing_empty_dir: bool,
) -> None:
    if existing_empty_dir:
        (workdir / "my-api").mkdir()
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "--defaults"])

    assert result.exit_code == 1
    line = single_error_line(result)
    assert "No space left on device" in line
    assert str(workdir / "my-api") in line
    assert failing_rename, "the move into place was never attempted"
    assert tree_snapshot(workdir) == before
    assert staging_leftovers(workdir) == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_ctrl_c_during_render_leaves_everything_as_it_was(
    runner: CliRunner,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    dry_run: bool,
) -> None:
    seen: list[Path] = []

    def interrupted_render(name: str, destination: Path, data: dict[str, Any]) -> None:
        write_stub_project(destination, data)
        seen.append(destination)
        raise KeyboardInterrupt

    monkeypatch.setattr(project, "render_template", interrupted_render)
    before = tree_snapshot(workdir)

    args = ["new", *LOCAL, "my-api", "deep/er/my-api", "--defaults"]
    result = runner.invoke(app, [*args, "--dry-run"] if dry_run else args)

    assert result.exit_code == 130
    assert "interrupted" in single_error_line(result)
    assert seen
    assert not seen[0].exists()
    assert tree_snapshot(workdir) == before
    assert staging_leftovers(workdir) == []


def test_broken_template_is_reported_and_leaves_nothing(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render_without_env_example(name: str, destination: Path, data: dict[str, Any]) -> None:
        write_stub_project(destination, data)
        (destination / ".env.example").unlink()

    monkeypatch.setattr(project, "render_template", render_without_env_example)
    before = tree_snapshot(workdir)

    result = runner.invoke(app, ["new", *LOCAL, "my-api", "--defaults"])

    assert result.exit_code == 1
    assert "did not render .env.example" in single_error_line(result)
    assert tree_snapshot(workdir) == before


def test_ctrl_c_while_forge_starts_is_one_line_and_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C during the imports used to print a raw traceback."""
    from fastapi_forge import entry

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(entry, "_load_app", interrupted)
    with pytest.raises(SystemExit) as caught:
        entry.main()

    assert caught.value.code == 130
    assert capsys.readouterr().err == "error: interrupted; nothing was written\n"


def test_the_forge_executable_is_the_interrupt_safe_entry_point() -> None:
    import tomllib

    pyproject = tomllib.loads(
        (Path(fastapi_forge.__file__).parent.parent / "pyproject.toml").read_text()
    )
    assert pyproject["project"]["scripts"]["forge"] == "fastapi_forge.entry:main"
