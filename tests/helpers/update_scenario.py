"""An older forge, for the tests of ``forge update``: a copy of today's templates with
deliberate differences, rendered by today's engine (the templates are all that differs
between forge versions as far as a project can tell).

:data:`OLD_EDITS` make the copy the "before" side: each is (template file, text of today,
text of the older templates). Updating a project rendered from the copy to today's
templates must then undo each one, merged with what the user did meanwhile.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastapi_forge.engine import render
from fastapi_forge.generators.feature import context, reserved

__all__ = [
    "EXTRA_OLD_FILES",
    "MISSING_OLD_FILES",
    "OLD_EDITS",
    "older_templates",
    "templates_at",
]

PROJECT = "project/template"
PACKAGE = f"{PROJECT}/src/{{{{ package_name }}}}"
SLICE = "feature/template/src/{{ package_name }}/features/{{ plural_snake }}"

OLD_EDITS: tuple[tuple[str, str, str], ...] = (
    # A line the user edits too: a conflict.
    (
        f"{PROJECT}/README.md.jinja",
        "## Quick start\n",
        "## Getting started\n",
    ),
    # Far from the user's edit of the same file: a clean merge.
    (
        f"{PACKAGE}/core/config.py.jinja",
        '"""Application settings, read from the environment',
        '"""Settings of the application, read from the environment',
    ),
    # A file the user leaves alone: replaced.
    (
        f"{PACKAGE}/main.py.jinja",
        '"""The application factory.',
        '"""The app factory.',
    ),
    # A file the user deletes: it stays deleted.
    (
        f"{PROJECT}/.pre-commit-config.yaml",
        "# pre-commit install  # once, then the hooks run on every commit\n",
        "# pre-commit install  # run once\n",
    ),
    # A dependency the templates raise, in the file where the user adds one of their own.
    (
        f"{PROJECT}/pyproject.toml.jinja",
        '    "structlog>=24.4",\n',
        '    "structlog>=24.1",\n',
    ),
    # A setting the templates add: reported, since the user's .env lacks it.
    (
        f"{PROJECT}/.env.example.jinja",
        "{{ env_prefix }}LOG_LEVEL=INFO\n",
        "",
    ),
    # A slice template change: it reaches every feature.
    (
        f"{SLICE}/router.py.jinja",
        "Thin: validate, call the service, shape the reply.",
        "Thin: validate, call the service, and shape the reply.",
    ),
    # A change to the slice migration: applied migrations are history, never rewritten.
    (
        "feature/template/migrations/versions/{{ migration_file }}.jinja",
        '"""Create {{ plural_snake }}.\n',
        '"""Create the {{ plural_snake }} table.\n',
    ),
)
EXTRA_OLD_FILES: dict[str, str] = {
    # Gone from today's templates: removed where untouched, kept where the user edited it.
    f"{PROJECT}/docs/upgrading.md": "# Upgrading\n\nRead the changelog first.\n",
    f"{PROJECT}/docs/operations.md": "# Operations\n\nWatch /ready.\n",
    # A setting the older templates had: gone now (the .env still sets it).
    f"{PROJECT}/.env.example.jinja": "{{ env_prefix }}LEGACY_MODE=false\n",
}
MISSING_OLD_FILES: tuple[str, ...] = (
    # New in today's templates: added.
    f"{PACKAGE}/py.typed",
)


def older_templates(destination: Path) -> Path:
    """Write the older templates under ``destination``; return it.

    Fails loudly when an edit no longer matches today's templates (so the scenario is
    revised together with the templates, instead of testing nothing)."""
    source = render.template_dir("project").parent
    shutil.copytree(source, destination)
    for relative, today, older in OLD_EDITS:
        path = destination / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(today) == 1, f"{relative} no longer holds {today!r}: revise the scenario"
        path.write_text(text.replace(today, older), encoding="utf-8")
    for relative, content in EXTRA_OLD_FILES.items():
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(content)
    for relative in MISSING_OLD_FILES:
        (destination / relative).unlink()
    return destination


@contextlib.contextmanager
def templates_at(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Iterator[None]:
    """Render every template from ``folder`` (holding ``project/`` and ``feature/``) while
    the block runs, as an older forge would."""
    with monkeypatch.context() as patch:
        for module in (render, context, reserved):
            patch.setattr(module, "template_dir", lambda name: folder / name)
        yield
