"""Shared helpers and fixtures for the forge CLI tests."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastapi_forge.generators.project import generator as project
from tests.helpers.tree import (
    LOCAL,
    StubRender,
    staging_leftovers,
    tree_snapshot,
    write_stub_project,
)

__all__ = ["LOCAL", "StubRender", "staging_leftovers", "tree_snapshot", "write_stub_project"]


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
