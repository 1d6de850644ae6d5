"""Shared helpers and fixtures for the forge CLI tests."""

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastapi_forge import project

StubRender = Callable[[str, Path, Mapping[str, Any]], None]

# `forge new` without its install and git steps: tests of the render stay fast and offline,
# and see only the rendered files (tests/test_new_steps.py tests the two steps).
LOCAL = ("--no-install", "--no-git")


def tree_snapshot(path: Path) -> dict[str, bytes]:
    """Every entry under ``path``: relative POSIX path -> file bytes.

    Folders are recorded as ``"name/" -> b""`` (so an empty folder left behind shows
    up) and symlinks as ``"name@" -> target``.
    """
    snapshot: dict[str, bytes] = {}
    for folder, subfolders, filenames in os.walk(path):
        here = Path(folder)
        for name in subfolders:
            entry = here / name
            relative = entry.relative_to(path).as_posix()
            if entry.is_symlink():
                snapshot[f"{relative}@"] = str(entry.readlink()).encode()
            else:
                snapshot[f"{relative}/"] = b""
        for name in filenames:
            entry = here / name
            relative = entry.relative_to(path).as_posix()
            if entry.is_symlink():
                snapshot[f"{relative}@"] = str(entry.readlink()).encode()
            else:
                snapshot[relative] = entry.read_bytes()
    return snapshot


def staging_leftovers(path: Path) -> list[Path]:
    """Staging folders (``.forge-*``) left anywhere under ``path``."""
    return sorted(path.rglob(f"{project.STAGING_PREFIX}*"))


def write_stub_project(destination: Path, data: Mapping[str, Any]) -> None:
    """Write a tiny stand-in for the rendered project template."""
    prefix = data["env_prefix"]
    package = destination / "src" / data["package_name"]
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Stub."""\n')
    (destination / "README.md").write_text(f"# {data['project_title']}\n")
    (destination / ".env.example").write_text(
        f"{prefix}ENVIRONMENT=development\n{prefix}JWT_SECRET=change-me-in-production\n"
    )


@pytest.fixture(autouse=True)
def _private_template_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep forge's compiled-template cache out of the user's home during the tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def runner() -> CliRunner:
    """A Typer test runner; its stdin is never a terminal."""
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the current folder, holding one unrelated file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "unrelated.txt").write_text("keep me\n")
    return tmp_path


@pytest.fixture
def stub_render(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the Copier render with a fast stub; yields the data of every call."""
    calls: list[dict[str, Any]] = []

    def render(name: str, destination: Path, data: Mapping[str, Any]) -> None:
        calls.append(dict(data))
        write_stub_project(destination, data)

    monkeypatch.setattr(project, "render_template", render)
    return calls
