"""Three-way merge of one file: base (what forge wrote), ours (the file as it is now),
theirs (what forge writes today).

The line merge itself is git's (``git merge-file``): the same algorithm and the same
conflict markers a team resolves every day, rather than a home-made diff. Around it this
module handles what ``git merge-file`` does not: files that are not text (never merged:
the user's copy is kept and the conflict reported) and a user's copy with other line
endings than forge's (merged on LF, written back with the user's endings, so a CRLF
checkout never conflicts on every line).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi_forge.errors import ForgeError, UserError

__all__ = ["MergeResult", "is_text", "merge_three_way", "same_text"]


@dataclass(frozen=True)
class MergeResult:
    """The merged bytes and how many regions conflicted (0: a clean merge)."""

    content: bytes
    conflicts: int
    binary: bool = False
    """True when one side is not text: ``content`` is then ours, unmerged."""


def is_text(content: bytes) -> bool:
    """UTF-8 without NUL bytes: what forge merges line by line."""
    if b"\0" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _uses_crlf(content: bytes) -> bool:
    """Whether most line endings are CRLF (a file converted to CRLF, and perhaps edited
    since with a tool that wrote a few LF lines)."""
    lines = content.count(b"\n")
    return lines > 0 and content.count(b"\r\n") * 2 > lines


def _to_lf(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n")


def same_text(first: bytes, second: bytes) -> bool:
    """Equal, or equal once CRLF line endings are read as LF."""
    return first == second or _to_lf(first) == _to_lf(second)


def merge_three_way(
    base: bytes, ours: bytes, theirs: bytes, *, labels: tuple[str, str, str]
) -> MergeResult:
    """Merge the change from ``base`` to ``theirs`` into ``ours``.

    ``labels`` name ours, base and theirs in the conflict markers
    (``<<<<<<< yours`` ... ``>>>>>>> forge 0.2.0``).
    """
    if not (is_text(base) and is_text(ours) and is_text(theirs)):
        return MergeResult(content=ours, conflicts=1, binary=True)
    crlf = _uses_crlf(ours) and not _uses_crlf(theirs)
    if crlf:
        ours = _to_lf(ours)
    if _uses_crlf(base) and not _uses_crlf(theirs):
        base = _to_lf(base)
    merged, conflicts = _git_merge_file(base, ours, theirs, labels)
    if crlf:
        merged = merged.replace(b"\n", b"\r\n")
    return MergeResult(content=merged, conflicts=conflicts)


def _git_merge_file(
    base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]
) -> tuple[bytes, int]:
    git = shutil.which("git")
    if git is None:
        raise UserError("git is not on PATH; install git (forge merges files with git merge-file)")
    with tempfile.TemporaryDirectory(prefix=".forge-merge-") as scratch:
        folder = Path(scratch)
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = folder / name
            path.write_bytes(content)
            paths.append(str(path))
        label_arguments = [argument for label in labels for argument in ("-L", label)]
        result = subprocess.run(
            [git, "merge-file", "--stdout", *label_arguments, *paths],
            capture_output=True,
            check=False,
        )
    # The exit status is the number of conflicts (capped at 127); negative means failure.
    if result.returncode < 0 or result.returncode > 127:
        raise ForgeError(f"git merge-file failed: {result.stderr.decode(errors='replace')}")
    return result.stdout, result.returncode
