"""Plan, then apply atomically, with rollback.

Two ways to write: a new tree (``forge new``) is built in a hidden staging folder beside
its destination and appears with one ``os.rename``, or not at all; files planned into an
existing project (:class:`PlannedFile`, ``add feature``) are written together by
:func:`apply_files`, and any failure, including ``KeyboardInterrupt``, restores every file
that was touched. Planned Python files are formatted with the project's own ruff settings
(:func:`format_python`) before anything is written.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from fastapi_forge.errors import ForgeError, UserError

__all__ = [
    "STAGING_PREFIX",
    "PlannedFile",
    "apply_files",
    "create_tree",
    "display_path",
    "format_python",
    "list_files",
    "nearest_existing",
    "plan_files",
    "write_errors_refused",
]

STAGING_PREFIX = ".forge-"
T = TypeVar("T")


@dataclass(frozen=True)
class PlannedFile:
    """One file the command writes, and whether it replaces an existing one."""

    path: str
    content: bytes
    replaces: bool
    executable: bool | None = None
    """Whether the file gets the executable bits; None keeps the mode of the file it
    replaces (a new file gets the default mode)."""


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Return ``path`` relative to ``cwd`` (default: the current folder) when below it."""
    cwd = (cwd or Path.cwd()).resolve()
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def _ruff() -> str:
    # The ruff wheel (a dependency of forge) knows where its binary is, whatever the
    # install scheme; it ships no type information, hence the dynamic import.
    ruff_main = importlib.import_module("ruff.__main__")
    return str(ruff_main.find_ruff_bin())


def format_python(files: Sequence[Path], config: Path) -> None:
    """Sort imports, drop unused ones, and format, with the project's own ruff settings."""
    if not files:
        return
    ruff = _ruff()
    paths = [str(path) for path in files]
    for arguments in (
        ["check", "--fix", "--select", "I,F401", "--quiet", "--exit-zero", "--no-cache"],
        ["format", "--quiet", "--no-cache"],
    ):
        # Run from the project so ruff resolves `src = [...]` there: that is how it tells
        # the project's own package (first-party) from libraries when sorting imports.
        result = subprocess.run(
            [ruff, *arguments, "--config", str(config), *paths],
            cwd=config.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ForgeError(f"ruff {arguments[0]} failed on the generated code: {result.stderr}")


def plan_files(
    root: Path, build: Callable[[Path], None], *, ruff_config: Path
) -> list[PlannedFile]:
    """Plan the files ``build(folder)`` writes, as they would land under ``root``.

    ``build`` writes into a scratch folder in the system's temporary folder (never near
    ``root``); its Python files are then formatted with the ruff settings of
    ``ruff_config`` (:func:`format_python`), and every file is read back as a
    :class:`PlannedFile`, sorted by path, marked when it would replace one under ``root``.
    """
    with tempfile.TemporaryDirectory(prefix=".forge-feature-") as scratch:
        staging = Path(scratch) / "out"
        try:
            build(staging)
        except OSError as exc:
            raise UserError(
                f"cannot render in the temporary folder '{scratch}': {exc.strerror or exc}; "
                "set TMPDIR to a writable folder"
            ) from exc
        format_python(sorted(staging.rglob("*.py")), ruff_config)
        return [
            PlannedFile(
                path=(relative := path.relative_to(staging).as_posix()),
                content=path.read_bytes(),
                replaces=(root / relative).exists(),
            )
            for path in sorted(p for p in staging.rglob("*") if p.is_file())
        ]


def apply_files(
    root: Path,
    files: Sequence[PlannedFile],
    deletes: Sequence[str] = (),
    *,
    then: Callable[[], None] | None = None,
) -> None:
    """Write every file and delete every path of ``deletes`` (relative to ``root``; folders
    they leave empty go too), or none: any failure (or Ctrl-C) restores what was there.

    ``then`` runs once everything is written, inside the same all-or-nothing step: if it
    fails (or is interrupted), the files are restored too.
    """
    backups: dict[Path, tuple[bytes, int]] = {}
    written: list[Path] = []
    created_dirs: list[Path] = []
    removed_dirs: list[Path] = []
    try:
        for planned in files:
            target = root / planned.path
            for parent in _missing_dirs(target.parent, root):
                parent.mkdir()
                created_dirs.append(parent)
            mode = None
            if target.exists():
                mode = target.stat().st_mode & 0o7777
                backups[target] = (target.read_bytes(), mode)
            temporary = target.with_name(f".{target.name}.forge-tmp")
            temporary.write_bytes(planned.content)
            new_mode = _mode(temporary.stat().st_mode & 0o7777, mode, planned.executable)
            if new_mode is not None:
                temporary.chmod(new_mode)
            temporary.replace(target)
            written.append(target)
        for relative in deletes:
            target = root / relative
            backups[target] = (target.read_bytes(), target.stat().st_mode & 0o7777)
            target.unlink()
            written.append(target)
            folder = target.parent
            while folder != root and not any(folder.iterdir()):
                folder.rmdir()
                removed_dirs.append(folder)
                folder = folder.parent
        if then is not None:
            then()
    except BaseException:
        for folder in reversed(removed_dirs):
            folder.mkdir(exist_ok=True)
        _rollback(backups, written, created_dirs, files, root)
        raise


def _mode(default: int, existing: int | None, executable: bool | None) -> int | None:
    """The mode a written file gets (None: leave the new file's default)."""
    if executable is None:
        return existing
    start = default if existing is None else existing
    if executable:
        return start | ((start & 0o444) >> 2)
    return start & ~0o111


def _missing_dirs(folder: Path, root: Path) -> Iterator[Path]:
    missing = []
    while folder != root and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    yield from reversed(missing)


def _rollback(
    backups: dict[Path, tuple[bytes, int]],
    written: list[Path],
    created_dirs: list[Path],
    files: Sequence[PlannedFile],
    root: Path,
) -> None:
    for target in reversed(written):
        if target in backups:
            content, mode = backups[target]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(mode)
        else:
            target.unlink(missing_ok=True)
    for planned in files:
        target = root / planned.path
        target.with_name(f".{target.name}.forge-tmp").unlink(missing_ok=True)
    for folder in reversed(created_dirs):
        shutil.rmtree(folder, ignore_errors=True)


def create_tree(
    destination: Path, build: Callable[[Path], T], *, hint: str
) -> tuple[T, tuple[str, ...]]:
    """Build a new tree with ``build(folder)`` in a staging folder beside ``destination``,
    then move it into place; return what ``build`` returned and every file of the tree.

    On any failure, including ``KeyboardInterrupt``, the staging folder and the parent
    folders this call created are removed again. An ``OSError`` becomes a
    :class:`~fastapi_forge.errors.UserError` naming the path as the user knows it, followed
    by ``hint``.
    """
    created_parents = _missing_ancestors(destination.parent)
    staging: Path | None = None
    try:
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=destination.parent))
            # A subfolder (not the mkdtemp folder, which is mode 0o700) so that the
            # tree gets the permissions the user's umask asks for.
            rendered = staging / destination.name
            built = build(rendered)
            files = list_files(rendered)
            _move_into_place(rendered, destination)
        except OSError as exc:
            where = _shown_path(exc.filename, staging, destination)
            reason = exc.strerror or str(exc)
            raise UserError(f"cannot write '{where}': {reason}; {hint}") from exc
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for folder in created_parents:
            _remove_if_empty(folder)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return built, files


def _move_into_place(rendered: Path, destination: Path) -> None:
    """Move the rendered project to ``destination``, all or nothing.

    A missing destination is created by one ``os.rename``. An existing empty
    folder is kept (it may be the shell's current folder or a mount point) and
    the project's entries are renamed into it, undoing the moves on failure.
    """
    if not destination.is_dir():
        rendered.rename(destination)
        return
    moved: list[str] = []
    try:
        for entry in sorted(child.name for child in rendered.iterdir()):
            (rendered / entry).rename(destination / entry)
            moved.append(entry)
    except BaseException:
        for entry in reversed(moved):
            try:
                (destination / entry).rename(rendered / entry)
            except OSError:
                shutil.rmtree(destination / entry, ignore_errors=True)
        raise


def list_files(root: Path) -> tuple[str, ...]:
    """Return every non-directory entry under ``root`` as sorted relative POSIX paths."""
    found: list[str] = []
    for folder, subfolders, filenames in os.walk(root):
        here = Path(folder)
        found.extend((here / name).relative_to(root).as_posix() for name in filenames)
        found.extend(
            (here / name).relative_to(root).as_posix()
            for name in subfolders
            if (here / name).is_symlink()
        )
    return tuple(sorted(found))


def _shown_path(filename: object, staging: Path | None, destination: Path) -> Path:
    """Name the path an OSError is about as the user will know it (not the staging copy)."""
    if not isinstance(filename, str | os.PathLike):
        return destination
    path = Path(filename)
    if staging is not None and path.is_relative_to(staging / destination.name):
        return destination / path.relative_to(staging / destination.name)
    if any(part.startswith(STAGING_PREFIX) for part in path.parts):
        return destination.parent
    return path


def nearest_existing(path: Path) -> Path:
    """Return ``path`` or its closest ancestor that exists."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _missing_ancestors(path: Path) -> list[Path]:
    """Return the folders ``path.mkdir(parents=True)`` would create, deepest first."""
    missing: list[Path] = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it exists and is empty; ignore every failure."""
    with contextlib.suppress(OSError):
        folder.rmdir()


@contextlib.contextmanager
def write_errors_refused(root: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing into one line: :func:`apply_files` has put every
    file back before it is raised."""
    try:
        yield
    except OSError as exc:
        raise UserError(
            f"cannot write {exc.filename or root}: {exc.strerror or exc}; "
            "the project was left as it was"
        ) from exc
