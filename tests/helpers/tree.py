"""Helpers the tests share: tree snapshots (every byte of a folder), staging leftovers, and
a stub of the project render.
"""

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi_forge.engine.workspace import STAGING_PREFIX

__all__ = ["LOCAL", "StubRender", "staging_leftovers", "tree_snapshot", "write_stub_project"]

StubRender = Callable[[str, Path, Mapping[str, Any]], None]

# `forge new` without its install and git steps: tests of the render stay fast and offline,
# and see only the rendered files (tests/generators/project/test_new_steps.py tests the two steps).
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
    return sorted(path.rglob(f"{STAGING_PREFIX}*"))


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
