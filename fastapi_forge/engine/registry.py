"""Insert lines at ``# forge:`` marker comments, generically.

A generator says which lines go before which marker (:func:`insert_at_markers`); the file
is refused, with one line naming the problem, when a marker is missing or doubled, and
lines already present are not added twice, so wiring the same thing in again is a no-op.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from fastapi_forge.errors import UserError

__all__ = ["insert_at_markers", "registry_diff"]


def insert_at_markers(
    text: str,
    additions: Mapping[str, Sequence[str]],
    *,
    file_label: str,
    what: str,
    required: Sequence[str] = (),
) -> str:
    """``text`` with each marker's lines inserted just above the marker line.

    ``additions`` maps a marker (``# forge:routers``) to its lines, in order; a line whose
    stripped text is already in ``text`` is skipped. ``required`` names that must still be
    defined in ``text``. ``file_label`` and ``what`` (``the feature``) shape the errors.
    """
    for marker in additions:
        count = text.count(marker)
        if count != 1:
            raise UserError(
                f"{file_label} has {count} '{marker}' markers instead of 1, so it cannot be "
                "edited safely; restore the marker lines (see the forge template) or wire "
                f"{what} in by hand"
            )
    lines = text.splitlines()
    present = {line.strip() for line in lines}
    result: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped in additions:
            result.extend(
                addition for addition in additions[stripped] if addition.strip() not in present
            )
        result.append(line)
    for name in required:
        if name not in text:
            raise UserError(
                f"{file_label} no longer defines {name}; restore it (see the forge "
                f"template) or wire {what} in by hand"
            )
    return "\n".join(result) + "\n"


def registry_diff(path: str, before: str, after: str) -> str:
    """The unified diff of the registry file at ``path`` (what a command shows it wired)."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
