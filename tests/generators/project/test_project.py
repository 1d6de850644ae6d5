"""The project generator and ``fastapi_forge.console``, without the CLI around them."""

from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from rich.console import Console

from fastapi_forge.console import build_file_tree
from fastapi_forge.engine.render import template_dir
from fastapi_forge.errors import ForgeError, UserError
from fastapi_forge.generators.project import generator as project
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import tree_snapshot, write_stub_project

NAMES = normalize_project_name("my-api")


def _create(destination: Path, *, dry_run: bool = False) -> project.ProjectResult:
    return project.create_project(
        NAMES,
        destination,
        description="An API.",
        database="sqlite",
        python_version="3.12",
        dry_run=dry_run,
    )


def test_choices_and_defaults_match_the_template() -> None:
    questions = yaml.safe_load((template_dir("project") / "copier.yml").read_text())

    assert tuple(questions["database"]["choices"]) == project.DATABASES
    assert questions["database"]["default"] == project.DEFAULT_DATABASE
    assert tuple(questions["python_version"]["choices"]) == project.PYTHON_VERSIONS
    assert questions["python_version"]["default"] == project.DEFAULT_PYTHON_VERSION
    assert questions["description"]["default"] == project.DEFAULT_DESCRIPTION


def test_result_lists_every_file_sorted(tmp_path: Path, stub_render: list[dict[str, Any]]) -> None:
    result = _create(tmp_path / "my-api")

    assert result.files == (
        ".env",
        ".env.example",
        ".forge/manifest.toml",
        "README.md",
        "src/my_api/__init__.py",
    )
    assert result.destination == tmp_path / "my-api"
    assert not result.dry_run


def test_dry_run_lists_the_same_files_and_writes_nothing(
    tmp_path: Path, stub_render: list[dict[str, Any]]
) -> None:
    before = tree_snapshot(tmp_path)

    result = _create(tmp_path / "my-api", dry_run=True)

    assert result.files == (
        ".env",
        ".env.example",
        ".forge/manifest.toml",
        "README.md",
        "src/my_api/__init__.py",
    )
    assert tree_snapshot(tmp_path) == before


def test_env_keeps_every_other_line_and_line_endings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render(name: str, destination: Path, data: dict[str, Any]) -> None:
        write_stub_project(destination, data)
        (destination / ".env.example").write_bytes(
            b"# comment\r\nMY_API_JWT_SECRET=change-me\r\nMY_API_JWT_SECRET_OLD=x\r\n"
        )

    monkeypatch.setattr(project, "render_template", render)

    _create(tmp_path / "my-api")

    lines = (tmp_path / "my-api" / ".env").read_bytes().split(b"\r\n")
    assert lines[0] == b"# comment"
    assert lines[1].startswith(b"MY_API_JWT_SECRET=")
    assert len(lines[1]) == len("MY_API_JWT_SECRET=") + 64
    assert lines[2] == b"MY_API_JWT_SECRET_OLD=x"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no-secret-line", "has no 'MY_API_JWT_SECRET=' line"),
        ("env-rendered", "rendered a .env file"),
    ],
)
def test_template_breakage_is_a_forge_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breakage: str, message: str
) -> None:
    def render(name: str, destination: Path, data: dict[str, Any]) -> None:
        write_stub_project(destination, data)
        if breakage == "no-secret-line":
            (destination / ".env.example").write_text("MY_API_DEBUG=false\n")
        else:
            (destination / ".env").write_text("MY_API_JWT_SECRET=oops\n")

    monkeypatch.setattr(project, "render_template", render)

    with pytest.raises(ForgeError, match=message):
        _create(tmp_path / "my-api")

    assert tree_snapshot(tmp_path) == {}


def test_unknown_database_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown database 'mysql'; use one of: sqlite, postgres"):
        project.create_project(
            NAMES,
            tmp_path / "x",
            description="",
            database=cast(Any, "mysql"),
            python_version="3.12",
            dry_run=True,
        )


def test_destination_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")

    with pytest.raises(UserError, match="is not a folder"):
        project.check_destination(tmp_path / "file" / "my-api")


@pytest.mark.parametrize(
    ("destination", "first_step"),
    [
        ("my-api", "cd my-api"),
        ("with space/my-api", "cd 'with space/my-api'"),
        (".", None),
    ],
)
def test_next_steps(tmp_path: Path, destination: str, first_step: str | None) -> None:
    result = project.ProjectResult(
        names=NAMES,
        destination=(tmp_path / destination).resolve(),
        files=(),
        render_seconds=0.0,
        dry_run=False,
    )

    steps = project.next_steps(result, cwd=tmp_path)

    assert steps[-4:] == [
        "uv sync",
        "uv run alembic upgrade head",
        "uv run uvicorn my_api.main:create_app --factory --reload",
        "uv run pytest",
    ]
    assert steps[:-4] == ([first_step] if first_step else [])


def test_file_tree_collapses_deep_folders() -> None:
    files = [
        "README.md",
        "src/my_api/main.py",
        "src/my_api/core/config.py",
        "src/my_api/features/auth/router.py",
        "src/my_api/features/auth/service.py",
        "src/my_api/features/users/router.py",
    ]
    out = Console(width=100, record=True, color_system=None)

    out.print(build_file_tree(files, "my-api/", max_depth=3))

    text = out.export_text()
    assert "core/ (1 file)" in text
    assert "features/ (3 files)" in text
    assert "main.py" in text
    assert "router.py" not in text
