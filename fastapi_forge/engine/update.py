"""``forge update``: bring a project to the installed forge's templates by a three-way
merge, file by file, and report everything a person must look at.

Base is the pristine render recorded at the last forge command (``.forge/base``), ours the
project as it is on disk, theirs a fresh render of the same answers and units with the
installed templates (:func:`~fastapi_forge.engine.replay.replay`). Per file:

====================================  =============================================
base → theirs, ours                   outcome
====================================  =============================================
unchanged by the templates            left alone (``yours`` if the user changed it)
changed; ours is base                 ``updated``: theirs is written
changed; ours changed too             ``merged``, or ``conflict`` with markers
changed; ours deleted                 ``kept-deleted``: stays deleted, reported
new; nothing there                    ``added``
new; the user has a file there        ``conflict`` (merged with an empty base)
removed; ours is base                 ``removed``
removed; ours changed                 ``kept``: stays, no longer forge's, reported
====================================  =============================================

Migrations are history: a migration forge wrote before is never rewritten (a template
change to it is reported as ``migration-kept``), and a migration the templates ship anew is
chained onto the project's current head. The manifest and the base copies move forward
only when the update is applied, in the same all-or-nothing step as the files.
"""

from __future__ import annotations

import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from fastapi_forge.engine import git
from fastapi_forge.engine.manifest import (
    BASE_DIR,
    MANIFEST_FILE,
    Manifest,
    digest,
    read_manifest,
    record_files,
)
from fastapi_forge.engine.merge import merge_three_way, same_text
from fastapi_forge.engine.migrations import (
    read_revisions,
    rechained,
    revision_identity,
    single_head,
)
from fastapi_forge.engine.replay import ProjectReplay, UnitReplay, replay
from fastapi_forge.engine.status import base_problems
from fastapi_forge.engine.target import Project, find_project
from fastapi_forge.engine.workspace import PlannedFile, apply_files
from fastapi_forge.errors import ForgeError, UserError

__all__ = [
    "ACTIONS",
    "ATTENTION",
    "REPORT_SCHEMA",
    "DependencyChange",
    "FileChange",
    "NewMigration",
    "UpdatePlan",
    "UpdateResult",
    "apply_plan",
    "branch_name",
    "check_base",
    "plan_render",
    "plan_update",
    "update_project",
]

REPORT_SCHEMA = 1
"""The version of the ``--json`` report's shape; bumped on any incompatible change."""

UPDATED = "updated"
ADDED = "added"
MERGED = "merged"
CONFLICT = "conflict"
REMOVED = "removed"
KEPT = "kept"
KEPT_DELETED = "kept-deleted"
MIGRATION_KEPT = "migration-kept"
YOURS = "yours"

ACTIONS: Mapping[str, str] = {
    CONFLICT: "changed by you and by the templates in the same place: resolve the markers",
    KEPT: "removed from the templates, but you changed it: kept, and no longer forge's",
    KEPT_DELETED: "you deleted it and the templates changed it: it stays deleted",
    MIGRATION_KEPT: "the templates changed a migration forge wrote before: not rewritten",
    MERGED: "changed by you and by the templates: merged cleanly",
    UPDATED: "unchanged by you: replaced by the new version",
    ADDED: "new in the templates",
    REMOVED: "removed from the templates, unchanged by you: deleted",
    YOURS: "changed by you, not by the templates: left alone",
}
"""Every outcome of a file, and what it means (the order in which reports list them)."""
ATTENTION = frozenset({CONFLICT, KEPT, KEPT_DELETED, MIGRATION_KEPT})
"""The outcomes a person must look at."""

_VERSIONS = "migrations/versions/"
_ENV_EXAMPLE = ".env.example"
_ENV_FILE = ".env"
_PYPROJECT = "pyproject.toml"
_ENV_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.MULTILINE)


@dataclass(frozen=True)
class FileChange:
    """What the update does to one file."""

    path: str
    action: str
    owner: str
    detail: str = ""
    content: bytes | None = None
    """What is written, when something is."""
    delete: bool = False
    executable: bool | None = None
    """The mode written with ``content`` (None keeps the file's own)."""

    @property
    def needs_attention(self) -> bool:
        """Whether a person must look at this file."""
        return self.action in ATTENTION


@dataclass(frozen=True)
class NewMigration:
    """A migration the templates ship anew, as it is chained into the project."""

    path: str
    revision: str
    down_revision: str


@dataclass(frozen=True)
class DependencyChange:
    """A dependency of ``pyproject.toml`` the templates added, removed or changed."""

    group: str
    """``project``, ``optional:<extra>`` or ``group:<name>``."""
    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class UpdatePlan:
    """Everything the update would do, computed without writing anything."""

    root: Path
    from_version: str
    to_version: str
    changes: tuple[FileChange, ...]
    manifest: Manifest
    """The manifest once applied."""
    records: Mapping[str, bytes]
    """The manifest and base copies to write once applied (relative path to content)."""
    executable_records: frozenset[str]
    stale_records: tuple[str, ...]
    """Base copies to delete once applied."""
    settings_missing: tuple[str, ...] = ()
    settings_gone: tuple[str, ...] = ()
    env_exists: bool = True
    migrations: tuple[NewMigration, ...] = ()
    dependencies: tuple[DependencyChange, ...] = ()
    current: bool = False
    """True when the templates give exactly the recorded base: nothing to do."""

    @property
    def conflicts(self) -> list[str]:
        """Every file left with conflict markers (or unmerged, when not text)."""
        return [change.path for change in self.changes if change.action == CONFLICT]

    def of(self, action: str) -> list[FileChange]:
        """The changes with one outcome."""
        return [change for change in self.changes if change.action == action]

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (schema :data:`REPORT_SCHEMA`)."""
        return {
            "schema": REPORT_SCHEMA,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "current": self.current,
            "files": [
                {
                    "path": change.path,
                    "action": change.action,
                    "owner": change.owner,
                    "detail": change.detail,
                    "needs_attention": change.needs_attention,
                }
                for change in self.changes
            ],
            "conflicts": self.conflicts,
            "settings": {
                "env_exists": self.env_exists,
                "missing_from_env": list(self.settings_missing),
                "gone_from_templates": list(self.settings_gone),
            },
            "migrations": [
                {"path": m.path, "revision": m.revision, "down_revision": m.down_revision}
                for m in self.migrations
            ],
            "dependencies": [
                {"group": d.group, "name": d.name, "before": d.before, "after": d.after}
                for d in self.dependencies
            ],
        }


@dataclass(frozen=True)
class UpdateResult:
    """A plan, and whether (and where) it was applied."""

    plan: UpdatePlan
    applied: bool
    branch: str | None = None
    """The branch the update was left on, when one was created."""
    previous_branch: str | None = None
    previous_commit: str | None = None
    """The commit of a detached HEAD the branch was made from."""

    def to_json(self) -> dict[str, Any]:
        """The plan's report, with where it was applied."""
        return {**self.plan.to_json(), "applied": self.applied, "branch": self.branch}


def branch_name(version: str) -> str:
    """The branch an update to forge ``version`` is left on."""
    return f"forge/update-{version}"


def update_project(
    start: Path,
    *,
    forge_version: str,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    dry_run: bool = False,
    branch: bool = True,
) -> UpdateResult:
    """Update the project containing ``start`` to the installed templates.

    Refuses (:class:`UserError`, nothing written) when the manifest is missing or broken,
    or when it and the base copies disagree. A project already current gives a plan with
    ``current`` set, and nothing is written; so does ``dry_run``. Otherwise it refuses when
    the project is not in a git repository, has uncommitted changes, or the update branch
    exists.
    With ``branch`` the update is left as uncommitted changes on a new branch
    :func:`branch_name`; every changed file but the conflicted ones is staged.
    """
    target = find_project(start)
    manifest = read_manifest(target.root, forge_version=forge_version)
    check_base(target.root, manifest)
    plan = plan_render(
        target, manifest, manifest, forge_version=forge_version, project=project, units=units
    )
    if dry_run or plan.current:
        return UpdateResult(plan=plan, applied=False)
    _check_repository(target.root, forge_version, branch=branch)
    name = branch_name(forge_version) if branch else None
    previous = git.current_branch(target.root)
    commit = git.head_commit(target.root) if previous is None else None
    apply_plan(plan, branch=name, stage=True)
    return UpdateResult(
        plan=plan, applied=True, branch=name, previous_branch=previous, previous_commit=commit
    )


def check_base(root: Path, manifest: Manifest) -> None:
    """Refuse to merge onto a project whose base copies and manifest disagree."""
    problems = base_problems(root, manifest)
    if problems:
        raise UserError(
            f"{MANIFEST_FILE} and {BASE_DIR} disagree ({problems[0]}"
            + (f", and {len(problems) - 1} more" if len(problems) > 1 else "")
            + "); restore them from version control (git checkout -- .forge) and run the "
            "command again"
        )


def plan_render(
    target: Project,
    recorded: Manifest,
    wanted: Manifest,
    *,
    forge_version: str,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
) -> UpdatePlan:
    """Render ``wanted`` afresh in a scratch folder and plan merging that render onto the
    project, whose last pristine render ``recorded`` describes.

    ``forge update`` passes the recorded manifest twice (new templates, same specs); a
    command that evolves a unit passes the manifest with that unit's spec changed.
    """
    with tempfile.TemporaryDirectory(prefix=".forge-update-") as scratch:
        theirs = Path(scratch) / target.root.name
        try:
            replay(wanted, theirs, project=project, units=units)
        except OSError as exc:
            raise UserError(
                f"cannot render in the temporary folder '{scratch}': {exc.strerror or exc}; "
                "set TMPDIR to a writable folder"
            ) from exc
        return plan_update(target, recorded, theirs, to_version=forge_version)


def _check_repository(root: Path, forge_version: str, *, branch: bool) -> None:
    if not git.is_repository(root):
        raise UserError(
            f"{root} is not in a git repository; forge update leaves its result as a "
            "change to review, so put the project under git first (git init && git add -A "
            "&& git commit -m 'Before forge update'), or use --dry-run"
        )
    if not git.has_commits(root):
        raise UserError(
            "the repository has no commit yet; commit the project first "
            "(git add -A && git commit -m 'Before forge update')"
        )
    dirty = git.uncommitted_paths(root)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UserError(
            f"the working tree has uncommitted changes ({shown}); commit or stash them "
            "first, so that the update is one change you can review and undo"
        )
    name = branch_name(forge_version)
    if branch and git.branch_exists(root, name):
        raise UserError(
            f"the branch {name} exists already (an earlier update); merge or delete it "
            f"(git branch -D {name}), or pass --no-branch to update the current branch"
        )


def apply_plan(plan: UpdatePlan, *, branch: str | None = None, stage: bool = False) -> None:
    """Write the plan's files, deletions, manifest and base copies, all or nothing.

    With ``branch``, a new git branch of that name is checked out first (and removed
    again if the writing fails); with ``stage``, every written or deleted path but the
    conflicted ones is staged, as git leaves a merge.
    """
    root = plan.root
    writes = [
        PlannedFile(
            path=change.path,
            content=change.content,
            replaces=(root / change.path).exists(),
            executable=change.executable,
        )
        for change in plan.changes
        if change.content is not None
    ]
    writes += [
        PlannedFile(
            path=path,
            content=content,
            replaces=(root / path).exists(),
            executable=path in plan.executable_records,
        )
        for path, content in plan.records.items()
        if _record_differs(root / path, content, path in plan.executable_records)
    ]
    deletes = [change.path for change in plan.changes if change.delete]
    deletes += list(plan.stale_records)
    previous = git.current_branch(root) if branch is not None else None
    detached = git.head_commit(root) if branch is not None and previous is None else None
    conflicted = set(plan.conflicts)
    touched = [planned.path for planned in writes] + deletes

    def stage_changes() -> None:
        if stage:
            skipped = git.ignored(root, touched) | conflicted
            git.stage(root, [path for path in touched if path not in skipped])

    try:
        if branch is not None:
            git.create_branch(root, branch)
        apply_files(root, writes, deletes, then=stage_changes)
    except BaseException as exc:
        if stage:
            git.unstage_all(root)
        if branch is not None and git.branch_exists(root, branch):
            if previous is not None:
                git.switch_branch(root, previous)
            elif detached is not None:
                git.switch_detached(root, detached)
            git.delete_branch(root, branch)
        if isinstance(exc, OSError):
            where = exc.filename if isinstance(exc.filename, str) else root
            raise UserError(
                f"cannot write '{where}': {exc.strerror or exc}; nothing was changed "
                "(every file was restored); fix the permissions or free space and run it again"
            ) from exc
        raise


def _record_differs(path: Path, content: bytes, executable: bool) -> bool:
    try:
        return path.read_bytes() != content or bool(path.stat().st_mode & 0o100) != executable
    except FileNotFoundError:
        return True


def plan_update(
    target: Project, manifest: Manifest, theirs_root: Path, *, to_version: str
) -> UpdatePlan:
    """Plan the update of ``target`` (recorded in ``manifest``) to the render at
    ``theirs_root`` (a replay of the manifest with the installed templates)."""
    root = target.root
    theirs_manifest = read_manifest(theirs_root, forge_version=to_version)
    base = {path: (root / BASE_DIR / path).read_bytes() for path in manifest.all_files()}
    base_executable = {path for path in base if (root / BASE_DIR / path).stat().st_mode & 0o100}
    theirs = {path: (theirs_root / path).read_bytes() for path in theirs_manifest.all_files()}
    theirs_executable = {path for path in theirs if (theirs_root / path).stat().st_mode & 0o100}
    changes: list[FileChange] = []
    theirs, migration_notes, migrations = _settle_migrations(target, base, theirs)
    for path in sorted(base.keys() | theirs.keys()):
        if path == _ENV_FILE:
            continue  # the secret .env is the user's alone, whatever the manifest says
        owner = theirs_manifest.owner_of(path) or manifest.owner_of(path) or "project"
        change = _plan_file(
            root,
            path,
            owner,
            base.get(path),
            theirs.get(path),
            base_executable=path in base_executable,
            theirs_executable=path in theirs_executable,
            labels=("yours", f"forge {manifest.forge_version}", f"forge {to_version}"),
        )
        if path in migration_notes:
            change = FileChange(path, MIGRATION_KEPT, owner, migration_notes[path])
        if change is not None:
            changes.append(change)
    new_files = {
        owner: {path: digest(theirs[path]) for path in owned}
        for owner, owned in theirs_manifest.files.items()
    }
    new_manifest = replace(theirs_manifest, files=new_files)
    records = record_files(new_manifest, theirs)
    order = list(ACTIONS)
    changes.sort(key=lambda change: (order.index(change.action), change.path))
    settings_missing, settings_gone, env_exists = _settings(root, base, theirs)
    current = new_files == {owner: dict(owned) for owner, owned in manifest.files.items()} and (
        base_executable == {path for path in theirs if path in theirs_executable}
    )
    return UpdatePlan(
        root=root,
        from_version=manifest.forge_version,
        to_version=to_version,
        changes=tuple(changes),
        manifest=new_manifest,
        records=records,
        executable_records=frozenset(f"{BASE_DIR}/{path}" for path in theirs_executable),
        stale_records=tuple(
            f"{BASE_DIR}/{path}"
            for path in sorted(base.keys() - theirs.keys())
            if (root / BASE_DIR / path).is_file()
        ),
        settings_missing=settings_missing,
        settings_gone=settings_gone,
        env_exists=env_exists,
        migrations=migrations,
        dependencies=_dependency_changes(base.get(_PYPROJECT), theirs.get(_PYPROJECT)),
        current=current,
    )


def _obstruction(root: Path, path: str) -> str | None:
    """Why forge must not write or delete ``path``: it, or a folder on the way to it, is
    a link (forge never writes through one) or is not what it was."""
    target = root / path
    for folder in reversed(target.parents):
        if not folder.is_relative_to(root) or folder == root:
            continue
        if folder.is_symlink():
            return f"{folder.relative_to(root).as_posix()} is a link now"
        if folder.exists() and not folder.is_dir():
            return f"{folder.relative_to(root).as_posix()} is a file now, not a folder"
    if target.is_symlink():
        return "it is a link now"
    if target.is_dir():
        return "it is a folder now"
    return None


def _read_ours(root: Path, path: str) -> tuple[bytes | None, bool]:
    """(content, executable) of the project's file; content None when there is none."""
    target = root / path
    try:
        return target.read_bytes(), bool(target.stat().st_mode & 0o100)
    except FileNotFoundError:
        return None, False


def _plan_file(
    root: Path,
    path: str,
    owner: str,
    base: bytes | None,
    theirs: bytes | None,
    *,
    base_executable: bool,
    theirs_executable: bool,
    labels: tuple[str, str, str],
) -> FileChange | None:
    """The outcome of one file (None: nothing to do or report)."""
    unchanged = base == theirs and base_executable == theirs_executable
    obstruction = _obstruction(root, path)
    if obstruction is not None:
        if unchanged:
            return FileChange(path, YOURS, owner, f"{obstruction}: left as it is")
        return FileChange(path, CONFLICT, owner, f"{obstruction}: left as it is")
    ours, ours_executable = _read_ours(root, path)
    if base is not None and theirs is not None:
        if unchanged:
            if ours is None:
                return FileChange(path, YOURS, owner, "deleted by you")
            return None if ours == base else FileChange(path, YOURS, owner)
        if ours is None:
            return FileChange(
                path,
                KEPT_DELETED,
                owner,
                f"you deleted it; the new version is {BASE_DIR}/{path} if you want it back",
            )
        if ours == theirs:
            if ours_executable != theirs_executable and ours_executable == base_executable:
                return _mode_change(path, owner, ours, theirs_executable)
            return None
        if same_text(ours, base):
            if ours == base and base == theirs:
                # Only the mode changed in the templates.
                if ours_executable == base_executable:
                    return _mode_change(path, owner, ours, theirs_executable)
                return FileChange(path, YOURS, owner, "you changed its mode")
            content = theirs if ours == base else _with_crlf(theirs)
            executable = theirs_executable if ours_executable == base_executable else None
            detail = "" if ours == base else "kept your CRLF line endings"
            return FileChange(path, UPDATED, owner, detail, content, executable=executable)
        return _merge(path, owner, base, ours, theirs, labels)
    if theirs is not None:
        if ours is None:
            return FileChange(path, ADDED, owner, content=theirs, executable=theirs_executable)
        if same_text(ours, theirs):
            return None
        result = _merge(path, owner, b"", ours, theirs, labels)
        if result.action == MERGED:
            if result.content == ours:
                return FileChange(path, YOURS, owner, "you had this file before the templates")
            return replace(result, detail="you already had a file here: merged cleanly")
        return replace(result, detail=f"you already have a file here; {result.detail}")
    if ours is None:
        return None
    if base is not None and same_text(ours, base):
        return FileChange(path, REMOVED, owner, delete=True)
    return FileChange(
        path, KEPT, owner, "gone from the templates; you changed it, so it stays, as your own file"
    )


def _mode_change(path: str, owner: str, content: bytes, executable: bool) -> FileChange:
    detail = "made executable" if executable else "no longer executable"
    return FileChange(path, UPDATED, owner, detail, content, executable=executable)


def _with_crlf(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _merge(
    path: str, owner: str, base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]
) -> FileChange:
    result = merge_three_way(base, ours, theirs, labels=labels)
    if result.binary:
        return FileChange(
            path,
            CONFLICT,
            owner,
            f"not text, so not merged: yours is kept; the new version is {BASE_DIR}/{path}",
        )
    if result.conflicts:
        regions = "region" if result.conflicts == 1 else "regions"
        return FileChange(
            path, CONFLICT, owner, f"{result.conflicts} conflicting {regions}", result.content
        )
    return FileChange(path, MERGED, owner, content=result.content)


def _settle_migrations(
    target: Project, base: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> tuple[dict[str, bytes], dict[str, str], tuple[NewMigration, ...]]:
    """Theirs with migrations as history demands: one forge wrote before is kept as it
    was written; new ones are chained onto the project's current head. Returns theirs,
    a note per migration whose template changed, and the new migrations."""
    settled = dict(theirs)
    notes: dict[str, str] = {}
    for path in theirs:
        if path.startswith(_VERSIONS) and path in base and theirs[path] != base[path]:
            if _without_parent(theirs[path]) != _without_parent(base[path]):
                notes[path] = (
                    "applied migrations are history; if the schema changed, add a migration "
                    "(uv run alembic revision --autogenerate)"
                )
            settled[path] = base[path]
    fresh = sorted(path for path in theirs if path.startswith(_VERSIONS) and path not in base)
    if not fresh:
        return settled, notes, ()
    identities = {}
    for path in fresh:
        try:
            identity = revision_identity(theirs[path].decode("utf-8"))
        except (SyntaxError, UnicodeDecodeError) as exc:
            raise ForgeError(f"the templates' migration {path} does not parse: {exc}") from None
        if identity is not None:
            identities[path] = identity
    revisions = {revision for revision, _ in identities.values()}
    roots = [path for path, (_, parents) in identities.items() if not set(parents) & revisions]
    if len(roots) > 1:
        raise ForgeError(
            f"the templates ship {len(roots)} unrelated new migrations ({', '.join(roots)}); "
            "report this bug"
        )
    head = single_head(read_revisions(target.versions_dir))
    migrations = []
    for path, (revision, parents) in identities.items():
        down = parents[0] if parents else ""
        if path in roots and parents != (head,):
            settled[path] = rechained(theirs[path].decode("utf-8"), head).encode("utf-8")
            down = head
        migrations.append(NewMigration(path=path, revision=revision, down_revision=down))
    return settled, notes, tuple(migrations)


_PARENT_LINES = re.compile(rb"^(down_revision\b.*|Revises:.*)$", re.MULTILINE)


def _without_parent(source: bytes) -> bytes:
    return _PARENT_LINES.sub(b"", source)


def _env_keys(content: bytes | None) -> list[str]:
    if content is None:
        return []
    return _ENV_KEY.findall(content.decode("utf-8", errors="replace"))


def _settings(
    root: Path, base: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(settings new in ``.env.example`` that ``.env`` lacks, settings gone from the
    templates that ``.env`` still sets, whether ``.env`` exists)."""
    before = _env_keys(base.get(_ENV_EXAMPLE))
    after = _env_keys(theirs.get(_ENV_EXAMPLE))
    env_path = root / _ENV_FILE
    env_exists = env_path.is_file()
    env = set(_env_keys(env_path.read_bytes())) if env_exists else set()
    missing = tuple(key for key in after if key not in before and key not in env)
    gone = tuple(key for key in before if key not in after and (key in env or not env_exists))
    return missing, gone, env_exists


def _requirements(content: bytes | None) -> dict[tuple[str, str], str]:
    if content is None:
        return {}
    try:
        document = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    groups: list[tuple[str, Iterable[Any]]] = []
    project = document.get("project", {})
    groups.append(("project", project.get("dependencies", [])))
    for extra, listed in project.get("optional-dependencies", {}).items():
        groups.append((f"optional:{extra}", listed))
    for name, listed in document.get("dependency-groups", {}).items():
        groups.append((f"group:{name}", listed))
    found: dict[tuple[str, str], str] = {}
    for group, listed in groups:
        for item in listed:
            if not isinstance(item, str):
                continue
            try:
                requirement = Requirement(item)
            except InvalidRequirement:
                continue
            found[(group, canonicalize_name(requirement.name))] = item
    return found


def _dependency_changes(before: bytes | None, after: bytes | None) -> tuple[DependencyChange, ...]:
    """What the templates changed in ``pyproject.toml``'s dependencies."""
    old, new = _requirements(before), _requirements(after)
    return tuple(
        DependencyChange(group=group, name=name, before=old.get(key), after=new.get(key))
        for key in sorted(old.keys() | new.keys())
        for group, name in [key]
        if old.get(key) != new.get(key)
    )
