"""The manifest: forge's committed record of everything it generated in a project.

``.forge/manifest.toml`` holds the forge version that last wrote the project, the project's
answers, one entry per unit a generator added (``[[feature]]``, ``[[component]]``, ...) with
the specification it was made from, and the SHA-256 of every file as forge wrote it, grouped
by the unit that owns the file. ``.forge/base/`` keeps the exact bytes of that last pristine
render: it is the merge base of ``forge update`` and of the commands that evolve a slice.

The engine knows nothing of any one generator: a unit is a kind, a name and a table of plain
TOML values, which the generator that owns the kind reads back and validates.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w
from packaging.version import InvalidVersion, Version

from fastapi_forge.errors import UserError

__all__ = [
    "BASE_DIR",
    "MANIFEST_FILE",
    "PROJECT_OWNER",
    "SCHEMA_VERSION",
    "FileState",
    "Manifest",
    "Unit",
    "broken_manifest",
    "digest",
    "file_states",
    "is_record_path",
    "parse_manifest",
    "read_manifest",
    "read_manifest_if_any",
    "record_files",
    "render_manifest",
]

MANIFEST_FILE = ".forge/manifest.toml"
"""Where the manifest lives, relative to the project root."""
BASE_DIR = ".forge/base"
"""The pristine render of the last forge command, relative to the project root."""
SCHEMA_VERSION = 1
"""The manifest format this forge writes; a newer one is refused, never guessed at."""
PROJECT_OWNER = "project"
"""The owner of the files ``forge new`` wrote."""

HEADER = (
    "# Written by fastapi-forge: what it generated in this project, and the digest of each\n"
    "# file as forge wrote it. forge reads it to update and evolve the project; commit it,\n"
    "# and let forge edit it.\n"
)
_DIGEST = re.compile(r"[0-9a-f]{64}")
_UNIT_KIND = re.compile(r"[a-z][a-z0-9_]*")
_RESERVED_TABLES = frozenset({"schema", "forge_version", "project", "files"})


def digest(content: bytes) -> str:
    """The hex SHA-256 of ``content``: how the manifest identifies a file's bytes."""
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Unit:
    """One thing a generator added: a feature, a component, a job..."""

    kind: str
    """The TOML array the unit is stored in (``feature``, ``component``...)."""
    name: str
    """Unique within its kind."""
    spec: Mapping[str, Any] = field(default_factory=dict)
    """Everything needed to render the unit again, as plain TOML values."""

    @property
    def owner(self) -> str:
        """The key of the unit's files in ``[files]``: ``feature:orders``."""
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest of a project."""

    forge_version: str
    answers: Mapping[str, Any]
    units: tuple[Unit, ...] = ()
    files: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Owner (``project``, ``feature:orders``) to {relative path: SHA-256}."""

    def units_of(self, kind: str) -> tuple[Unit, ...]:
        """The units of one kind, in the order they were added."""
        return tuple(unit for unit in self.units if unit.kind == kind)

    def unit(self, kind: str, name: str) -> Unit | None:
        """The unit ``kind:name``, if the project has it."""
        return next((u for u in self.units if u.kind == kind and u.name == name), None)

    def all_files(self) -> dict[str, str]:
        """Every generated file, relative path to SHA-256."""
        return {path: sha for owned in self.files.values() for path, sha in owned.items()}

    def owner_of(self, path: str) -> str | None:
        """Which unit wrote ``path`` (``project`` for the project's own files)."""
        return next((owner for owner, owned in self.files.items() if path in owned), None)

    def with_unit(self, unit: Unit, files: Mapping[str, bytes], forge_version: str) -> Manifest:
        """A copy with ``unit`` added (or replaced) and owning exactly ``files``.

        A file another owner had (such as the registry, which every feature edits) moves to
        the new owner only if it is not the project's: shared files stay with the project,
        with their new digest.
        """
        units = (*(u for u in self.units if u.owner != unit.owner), unit)
        owned = {owner: dict(paths) for owner, paths in self.files.items() if owner != unit.owner}
        mine: dict[str, str] = {}
        for path, content in files.items():
            current = next((o for o, paths in owned.items() if path in paths), None)
            if current is not None:
                owned[current][path] = digest(content)
            else:
                mine[path] = digest(content)
        if mine:
            owned[unit.owner] = mine
        return replace(self, forge_version=forge_version, units=units, files=owned)

    def without_unit(self, kind: str, name: str) -> Manifest:
        """A copy without the unit ``kind:name`` and its files."""
        owner = f"{kind}:{name}"
        return replace(
            self,
            units=tuple(u for u in self.units if u.owner != owner),
            files={o: paths for o, paths in self.files.items() if o != owner},
        )


def render_manifest(manifest: Manifest) -> bytes:
    """The manifest as the TOML text forge writes (stable: sorted paths, units in order)."""
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "forge_version": manifest.forge_version,
        "project": dict(manifest.answers),
    }
    for unit in manifest.units:
        document.setdefault(unit.kind, []).append({"name": unit.name, **unit.spec})
    document["files"] = {
        owner: dict(sorted(manifest.files[owner].items()))
        for owner in sorted(manifest.files, key=lambda o: (o != PROJECT_OWNER, o))
    }
    return (HEADER + "\n" + tomli_w.dumps(document)).encode()


def read_manifest(root: Path, *, forge_version: str) -> Manifest:
    """Read and validate ``root/.forge/manifest.toml``.

    Raises :class:`UserError` (one line: what is wrong and what to do) when the file is
    missing, cannot be parsed, does not have the expected shape, or was written by a newer
    forge than ``forge_version``.
    """
    path = root / MANIFEST_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UserError(
            f"{MANIFEST_FILE} is missing in {root}; restore it from version control, or run "
            "`forge adopt` to record a project made by an older forge"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"cannot read {MANIFEST_FILE}: {exc}; restore it from version control"
        ) from None
    return parse_manifest(text, forge_version=forge_version)


def parse_manifest(text: str, *, forge_version: str) -> Manifest:
    """Parse and validate the text of a manifest (see :func:`read_manifest`)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _broken(f"it is not valid TOML ({exc})") from None
    schema = document.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise _broken("'schema' must be a whole number")
    written_by = document.get("forge_version")
    if not isinstance(written_by, str) or not written_by:
        raise _broken("'forge_version' must be a version string")
    if schema > SCHEMA_VERSION or _newer(written_by, forge_version):
        raise UserError(
            f"{MANIFEST_FILE} was written by forge {written_by} (manifest schema {schema}), "
            f"newer than this forge {forge_version}; upgrade forge "
            "(pip install -U fastapi-forge) and run the command again"
        )
    answers = document.get("project")
    if not isinstance(answers, dict) or not isinstance(answers.get("package_name"), str):
        raise _broken("the [project] table must hold the project's answers, package_name included")
    units = []
    for kind, entries in document.items():
        if kind in _RESERVED_TABLES:
            continue
        if not _UNIT_KIND.fullmatch(kind) or not isinstance(entries, list):
            raise _broken(f"'{kind}' is not a list of [[{kind}]] entries")
        seen: set[str] = set()
        for entry in entries:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name:
                raise _broken(f"every [[{kind}]] entry needs a name")
            if name in seen:
                raise _broken(f"[[{kind}]] '{name}' appears twice")
            seen.add(name)
            spec = {key: value for key, value in entry.items() if key != "name"}
            units.append(Unit(kind=kind, name=name, spec=spec))
    files = document.get("files", {})
    if not isinstance(files, dict):
        raise _broken("[files] must map owners to tables of file digests")
    owners = {PROJECT_OWNER} | {unit.owner for unit in units}
    checked: dict[str, dict[str, str]] = {}
    claimed: dict[str, str] = {}
    for owner, owned in files.items():
        if owner not in owners:
            raise _broken(f'[files."{owner}"] belongs to no [[kind]] entry of the manifest')
        if not isinstance(owned, dict):
            raise _broken(f'[files."{owner}"] must map file paths to digests')
        for file_path, sha in owned.items():
            if not isinstance(sha, str) or not _DIGEST.fullmatch(sha):
                raise _broken(f"the digest of '{file_path}' is not a SHA-256 in hex")
            if not _is_safe_relative(file_path):
                raise _broken(f"'{file_path}' is not a relative path inside the project")
            if file_path == ".env":
                raise _broken("it lists .env, which holds secrets and is never recorded")
            if file_path in claimed:
                raise _broken(
                    f"'{file_path}' is listed under both {claimed[file_path]} and {owner}"
                )
            claimed[file_path] = owner
        checked[owner] = dict(owned)
    return Manifest(forge_version=written_by, answers=answers, units=tuple(units), files=checked)


@dataclass(frozen=True)
class FileState:
    """How one generated file compares with what forge wrote."""

    path: str
    owner: str
    state: str
    """``unchanged``, ``modified`` or ``deleted``."""


def read_manifest_if_any(root: Path, *, forge_version: str) -> Manifest | None:
    """The project's manifest, or None for a project made before forge kept one."""
    if not (root / MANIFEST_FILE).exists():
        return None
    return read_manifest(root, forge_version=forge_version)


def record_files(manifest: Manifest, pristine: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files that record a render: the manifest, and the base copy of each file forge
    wrote in this command (``pristine``: relative path to content)."""
    files = {f"{BASE_DIR}/{path}": content for path, content in sorted(pristine.items())}
    files[MANIFEST_FILE] = render_manifest(manifest)
    return files


def is_record_path(path: str) -> bool:
    """Whether ``path`` (relative, POSIX) is one of forge's own records under ``.forge/``."""
    return path == MANIFEST_FILE or path.startswith(f"{BASE_DIR}/")


def file_states(root: Path, manifest: Manifest) -> list[FileState]:
    """Every file of the manifest, compared with the project on disk, sorted by path."""
    states = []
    for owner, owned in manifest.files.items():
        for path, sha in owned.items():
            try:
                content = (root / path).read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                state = "deleted"
            except IsADirectoryError:
                state = "modified"
            else:
                state = "unchanged" if digest(content) == sha else "modified"
            states.append(FileState(path=path, owner=owner, state=state))
    return sorted(states, key=lambda s: s.path)


def changed(states: Iterable[FileState]) -> list[FileState]:
    """The states that are not ``unchanged``."""
    return [state for state in states if state.state != "unchanged"]


def broken_manifest(problem: str) -> UserError:
    """The one-line error for a manifest whose content is wrong (``problem`` says how)."""
    return _broken(problem)


def _broken(problem: str) -> UserError:
    return UserError(
        f"{MANIFEST_FILE} is broken: {problem}; restore it from version control "
        f"(git checkout -- {MANIFEST_FILE})"
    )


def _is_safe_relative(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _newer(written_by: str, running: str) -> bool:
    try:
        return Version(written_by) > Version(running)
    except InvalidVersion:
        raise _broken(f"'forge_version' {written_by!r} is not a version") from None
