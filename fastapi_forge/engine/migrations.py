"""Read an Alembic history without importing it: revisions, the single head, chaining a new
revision onto it, and the revisions a SQLite database forge can see has applied.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi_forge.engine.target import Project, database_url
from fastapi_forge.errors import UserError

__all__ = [
    "Revision",
    "ancestors",
    "applied_revisions",
    "chained_revision",
    "read_revisions",
    "rechained",
    "revision_identity",
    "single_head",
]


@dataclass(frozen=True)
class Revision:
    """One migration file's identity."""

    path: Path
    revision: str
    down_revisions: tuple[str, ...]


def read_revisions(versions_dir: Path) -> list[Revision]:
    """Every migration's revision and parents, read without importing anything."""
    revisions: list[Revision] = []
    for path in sorted(versions_dir.glob("*.py")):
        try:
            identity = revision_identity(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read migration {path}: {exc}; fix or remove it") from None
        if identity is not None:
            revision, parents = identity
            revisions.append(Revision(path=path, revision=revision, down_revisions=parents))
    return revisions


def revision_identity(source: str) -> tuple[str, tuple[str, ...]] | None:
    """(revision, parents) of a migration's source, or None when it declares no revision.

    Raises :class:`SyntaxError` for source that does not parse.
    """
    values: dict[str, Any] = {}
    for node in ast.parse(source).body:
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            target, value = node.targets[0].id, node.value
        if target in ("revision", "down_revision") and value is not None:
            with contextlib.suppress(ValueError):
                values[target] = ast.literal_eval(value)
    revision = values.get("revision")
    if not isinstance(revision, str):
        return None
    down = values.get("down_revision")
    parents = (
        (down,) if isinstance(down, str) else tuple(down) if isinstance(down, list | tuple) else ()
    )
    return revision, parents


_DOWN_REVISION = re.compile(r"^(down_revision\b[^=\n]*=\s*).*$", re.MULTILINE)
_REVISES = re.compile(r"^Revises:.*$", re.MULTILINE)


def rechained(source: str, down_revision: str) -> str:
    """A migration's source with its parent replaced by ``down_revision`` (the assignment
    and the ``Revises:`` line of its docstring)."""
    source = _DOWN_REVISION.sub(lambda match: f'{match.group(1)}"{down_revision}"', source, 1)
    return _REVISES.sub(f"Revises: {down_revision}", source, 1)


def single_head(revisions: Sequence[Revision]) -> str:
    """The one head of the history; several heads or none stop the command."""
    parents = {parent for revision in revisions for parent in revision.down_revisions}
    heads = sorted(revision.revision for revision in revisions if revision.revision not in parents)
    if len(heads) == 1:
        return heads[0]
    if not heads:
        raise UserError(
            "no migration head found in migrations/versions; restore the initial migration"
        )
    raise UserError(
        f"the migration history has {len(heads)} heads ({', '.join(heads)}); "
        "merge them first with `uv run alembic merge heads -m merge`"
    )


def applied_revisions(project: Project) -> tuple[Path, set[str]] | None:
    """(database file, revisions in its ``alembic_version``) for a SQLite database forge
    can see; None for another database or one that does not exist yet."""
    url = database_url(project)
    if url is None or not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    database = Path(path) if Path(path).is_absolute() else project.root / path
    if not database.is_file():
        return None
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        ) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return database, set()  # no alembic_version table: nothing applied
    return database, {str(row[0]) for row in rows}


def chained_revision(head: str, key: str, suffix: str, now: datetime) -> tuple[str, str]:
    """(file stem, revision id) of a new migration after ``head``.

    The id is derived from the head and ``key`` (not random), so rendering the same change
    onto the same history twice gives the same migration.
    """
    digest = hashlib.sha256(f"{head}:{key}".encode()).hexdigest()[:12]
    return f"{now:%Y_%m_%d_%H%M}-{digest}{suffix}", digest


def ancestors(heads: Iterable[str], revisions: Sequence[Revision]) -> set[str]:
    """Every revision reachable from ``heads`` through the parents, the heads included."""
    parents: Mapping[str, tuple[str, ...]] = {
        revision.revision: revision.down_revisions for revision in revisions
    }
    found: set[str] = set()
    pending = list(heads)
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(parents.get(current, ()))
    return found
