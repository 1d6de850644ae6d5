"""Evolve a slice that exists: ``forge add field``, ``forge remove field`` and
``forge remove feature``.

Each command checks its input against the project and its manifest, then computes the
manifest the project should have (the feature's spec with the fields changed, and one new
migration recorded in ``[[feature.evolutions]]``, chained onto the head of the moment), and
hands it to :func:`~fastapi_forge.engine.update.plan_render`: the project is rendered again
from that manifest in a scratch folder and merged file by file onto the project (base: the
last pristine render in ``.forge/base``), exactly as ``forge update`` merges. Nothing is
written before everything has been checked; :func:`~fastapi_forge.engine.update.apply_plan`
then writes the files, the manifest and the base copies together, or none of them.

A migration forge wrote before is history: the slice's first migration keeps the fields it
was written with (``created_with``), and each change is a migration of its own.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import fastapi_forge
from fastapi_forge.engine.manifest import MANIFEST_FILE, Manifest, Unit, file_states, read_manifest
from fastapi_forge.engine.migrations import chained_revision, read_revisions, single_head
from fastapi_forge.engine.replay import ProjectReplay, UnitReplay
from fastapi_forge.engine.target import Project, find_project
from fastapi_forge.engine.update import (
    CONFLICT,
    KEPT,
    REMOVED,
    YOURS,
    FileChange,
    UpdatePlan,
    apply_plan,
    check_base,
    plan_render,
)
from fastapi_forge.engine.workspace import write_errors_refused
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.context import now
from fastapi_forge.generators.feature.evolve import (
    ADD,
    DROP,
    REMOVE,
    Evolution,
    migration_suffix,
)
from fastapi_forge.generators.feature.fields import FieldKind, FieldSpec, parse_fields
from fastapi_forge.generators.feature.generator import _plain
from fastapi_forge.generators.feature.refs import (
    existing_features,
    referencing_features,
    resolve_ref,
)
from fastapi_forge.naming import FeatureNames, feature_names

__all__ = ["ChangeResult", "add_fields", "remove_feature", "remove_field"]


@dataclass(frozen=True)
class ChangeResult:
    """What a change of a slice does (or, for a dry run, would do)."""

    plan: UpdatePlan
    feature: str
    summary: str
    migration: str
    dry_run: bool
    notes: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        """The files left with conflict markers."""
        return self.plan.conflicts


@dataclass(frozen=True)
class _Context:
    target: Project
    manifest: Manifest
    unit: Unit
    names: FeatureNames
    fields: tuple[str, ...]
    owned: bool


def _version() -> str:
    return fastapi_forge.__version__


def _load(start: Path, typed: str) -> _Context:
    """The project, its manifest and the feature ``typed`` names, all checked."""
    target = find_project(start)
    manifest = read_manifest(target.root, forge_version=_version())
    check_base(target.root, manifest)
    live = [u for u in manifest.units_of("feature") if not u.spec.get("removed")]
    derived = feature_names(typed)
    as_typed = typed.strip().replace("-", "_").lower()
    unit = next(
        (u for candidate in (derived.plural_snake, as_typed) for u in live if u.name == candidate),
        None,
    )
    if unit is None:
        removed = manifest.unit("feature", derived.plural_snake) or manifest.unit(
            "feature", as_typed
        )
        if removed is not None:
            raise UserError(f"feature '{removed.name}' was removed already; nothing to change")
        known = ", ".join(u.name for u in live) or "none yet"
        raise UserError(
            f"feature '{derived.plural_snake}' does not exist (the project's features: "
            f"{known}); check the name with `forge status`"
        )
    spec = unit.spec
    if not spec.get("fields"):
        raise UserError(
            f"feature '{unit.name}' was adopted from a project made before forge kept a "
            "manifest, so its fields are unknown; record them first with "
            f"`forge add feature {unit.name} --force --field ...` (the same fields)"
        )
    package = target.features_dir / unit.name
    if not (package / "__init__.py").is_file():
        shown = package.relative_to(target.root).as_posix()
        raise UserError(
            f"{MANIFEST_FILE} records feature '{unit.name}' but {shown}/ is not there; "
            f"restore it from version control (git checkout -- {shown})"
        )
    recorded = [str(spec["migration"]["file"])] + [
        str(entry["file"]) for entry in spec.get("evolutions", ())
    ]
    for migration in recorded:
        if not (target.root / migration).is_file():
            raise UserError(
                f"{MANIFEST_FILE} records the migration {migration} of feature '{unit.name}', "
                f"but it is not there; migrations are history: restore it (git checkout -- "
                f"{migration})"
            )
    names = feature_names(
        str(spec.get("argument", unit.name)),
        singular=spec.get("singular"),
        plural=spec.get("plural"),
    )
    return _Context(
        target=target,
        manifest=manifest,
        unit=unit,
        names=names,
        fields=tuple(str(s) for s in spec["fields"]),
        owned=spec.get("access", "owner") == "owner",
    )


def _evolution(context: _Context, change: str, specs: Sequence[FieldSpec]) -> Evolution:
    """The next migration of the slice, chained onto the project's single head."""
    head = single_head(read_revisions(context.target.versions_dir))
    table = context.names.plural_snake
    columns = [spec.column_name for spec in specs]
    stem, revision = chained_revision(
        head,
        f"{table}:{change}:{','.join(columns)}",
        migration_suffix(change, table, columns),
        now(),
    )
    return Evolution(
        change=change,
        fields=tuple(spec.spec for spec in specs),
        file=f"migrations/versions/{stem}.py",
        revision=revision,
        down_revision=head,
        create_date=f"{now():%Y-%m-%d %H:%M:%S%z}",
    )


def _refs(context: _Context, specs: Sequence[FieldSpec]) -> dict[str, dict[str, Any]]:
    """What each referenced feature is called, recorded so that a render of the slice
    needs no other slice (a target may come later in the manifest, or be gone)."""
    recorded: dict[str, dict[str, Any]] = {
        target: dict(ref) for target, ref in context.unit.spec.get("refs", {}).items()
    }
    existing = existing_features(context.target)
    for spec in specs:
        if spec.kind not in (FieldKind.REF, FieldKind.REFS) or str(spec.ref_target) in recorded:
            continue
        ref = resolve_ref(context.target, spec, context.names, existing, not context.owned)
        recorded[str(spec.ref_target)] = dataclasses.asdict(ref)
    return recorded


def _every_spec(context: _Context, fields: Sequence[str], evolution: Evolution) -> list[FieldSpec]:
    spec = context.unit.spec
    every = [
        *spec.get("created_with", context.fields),
        *fields,
        *(s for entry in spec.get("evolutions", ()) for s in entry.get("fields", ())),
        *evolution.fields,
    ]
    found: dict[str, FieldSpec] = {}
    for text in every:
        found.setdefault(str(text), parse_fields([str(text)])[0])
    return list(found.values())


def _wanted(
    context: _Context, fields: Sequence[str], evolution: Evolution, *, removed: bool = False
) -> Manifest:
    """The manifest with the slice's new fields and its new migration recorded."""
    spec = dict(context.unit.spec)
    spec["fields"] = list(fields)
    spec["parsed"] = [_plain(dataclasses.asdict(parsed)) for parsed in parse_fields(fields)]
    spec.setdefault("created_with", list(context.fields))
    spec["created_with"] = list(spec["created_with"])
    refs = _refs(context, _every_spec(context, fields, evolution))
    if refs:
        spec["refs"] = refs
    spec["evolutions"] = [*spec.get("evolutions", ()), evolution.to_spec()]
    if removed:
        spec["removed"] = True
    unit = Unit(kind="feature", name=context.unit.name, spec=spec)
    units = tuple(unit if u.owner == unit.owner else u for u in context.manifest.units)
    return replace(context.manifest, units=units)


def _plan(
    context: _Context,
    wanted: Manifest,
    evolution: Evolution,
    *,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    registry_changes: bool = False,
) -> UpdatePlan:
    plan = plan_render(
        context.target,
        context.manifest,
        wanted,
        forge_version=_version(),
        project=project,
        units=units,
    )
    owner = context.unit.owner
    registry = context.target.registry.relative_to(context.target.root).as_posix()
    for change in plan.changes:
        if change.action == YOURS or change.owner == owner or change.path == evolution.file:
            continue
        if registry_changes and change.path == registry:
            continue
        raise UserError(
            f"this forge renders {change.path} differently from the last render recorded in "
            f"{MANIFEST_FILE} (the templates changed since forge "
            f"{context.manifest.forge_version} wrote it); run `forge update` first, then this "
            "command again"
        )
    return plan


def _result(
    context: _Context,
    plan: UpdatePlan,
    evolution: Evolution,
    summary: str,
    *,
    dry_run: bool,
    notes: Sequence[str] = (),
) -> ChangeResult:
    if not dry_run:
        with write_errors_refused(context.target.root):
            apply_plan(plan)
    return ChangeResult(
        plan=plan,
        feature=context.unit.name,
        summary=summary,
        migration=evolution.file,
        dry_run=dry_run,
        notes=list(notes),
    )


def add_fields(
    start: Path,
    feature: str,
    field_specs: Sequence[str],
    *,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    dry_run: bool = False,
) -> ChangeResult:
    """Add ``field_specs`` to the slice ``feature``: its code re-rendered and merged with
    the user's edits, and a migration that adds the columns (existing rows get each
    field's default)."""
    if not field_specs:
        raise UserError("no --field given; add at least one, e.g. --field quantity:int:default=1")
    context = _load(start, feature)
    current = parse_fields(context.fields)
    new = parse_fields(field_specs)
    taken = {spec.name: spec for spec in current} | {spec.column_name: spec for spec in current}
    for spec in new:
        clash = taken.get(spec.name) or taken.get(spec.column_name)
        if clash is not None:
            raise UserError(
                f"feature '{context.unit.name}' already has the field '{clash.name}' "
                f"({clash.spec}); choose another name, or remove it first with "
                f"`forge remove field {context.unit.name} {clash.name}`"
            )
        if not spec.optional and not spec.has_default and spec.kind is not FieldKind.REFS:
            raise UserError(_backfill_refusal(spec, context.unit.name))
    fields = [*context.fields, *(spec.spec for spec in new)]
    parse_fields(fields)  # duplicates between the new specs themselves
    evolution = _evolution(context, ADD, new)
    wanted = _wanted(context, fields, evolution)
    plan = _plan(context, wanted, evolution, project=project, units=units, registry_changes=True)
    added = ", ".join(spec.spec for spec in new)
    return _result(
        context, plan, evolution, f"added {added} to {context.unit.name}", dry_run=dry_run
    )


def _backfill_refusal(spec: FieldSpec, table: str) -> str:
    """Why a required field cannot be added to a table that may have rows, and the fix."""
    if spec.kind is FieldKind.REF:
        name, _, rest = spec.spec.partition(":")
        kind, _, modifiers = rest.partition(":")
        fixed = ":".join(part for part in (name, kind + "?", modifiers) if part)
        return (
            f"the field '{spec.spec}' is a required reference, and '{table}' may already have "
            f"rows that would point nowhere; make it optional: --field {fixed}"
        )
    return (
        f"the field '{spec.spec}' is required, and '{table}' may already have rows that would "
        f"have no value for it; give it a default= (existing rows get it), e.g. "
        f"--field {spec.spec}:default=..., or make it optional with ?"
    )


def _uses(text: str, column: str) -> list[int]:
    word = re.compile(rf"\b{re.escape(column)}\b")
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if word.search(line.split("#", 1)[0])
    ]


def remove_field(
    start: Path,
    feature: str,
    name: str,
    *,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    dry_run: bool = False,
) -> ChangeResult:
    """Remove the field ``name`` from the slice ``feature``, with a migration that drops
    its column (the downgrade adds it back)."""
    context = _load(start, feature)
    current = parse_fields(context.fields)
    typed = name.strip()
    spec = next((s for s in current if typed in (s.name, s.column_name)), None)
    if spec is None:
        known = ", ".join(s.name for s in current)
        raise UserError(
            f"feature '{context.unit.name}' has no field '{typed}' (its fields: {known})"
        )
    fields = [s.spec for s in current if s is not spec]
    if not fields:
        raise UserError(
            f"'{spec.name}' is the only field of '{context.unit.name}'; a slice needs one: add "
            f"another first (forge add field {context.unit.name} --field ...), or remove the "
            f"feature (forge remove feature {context.unit.name})"
        )
    evolution = _evolution(context, REMOVE, [spec])
    wanted = _wanted(context, fields, evolution)
    plan = _plan(context, wanted, evolution, project=project, units=units, registry_changes=True)
    _check_unused(context, plan, spec)
    return _result(
        context,
        plan,
        evolution,
        f"removed {spec.spec} from {context.unit.name}",
        dry_run=dry_run,
    )


def _check_unused(context: _Context, plan: UpdatePlan, spec: FieldSpec) -> None:
    """Refuse when code forge will not rewrite still uses the column: the user's own
    edits that the merge keeps, or a file of the user's that imports the slice."""
    root = context.target.root
    column = spec.column_name
    for change in plan.changes:
        if change.path.startswith("migrations/") or not change.path.endswith(".py"):
            continue
        if change.action == YOURS:
            content = (root / change.path).read_bytes() if (root / change.path).is_file() else b""
            theirs = plan.records.get(f".forge/base/{change.path}", b"")
        elif change.content is not None:
            content = change.content
            theirs = plan.records.get(f".forge/base/{change.path}", b"")
        else:
            continue
        kept = _uses(content.decode("utf-8", "replace"), column)
        if kept and not _uses(theirs.decode("utf-8", "replace"), column):
            raise UserError(
                f"{change.path}:{kept[0]} still uses '{column}' (a change of yours the merge "
                f"would keep); remove that use first, then run the command again"
            )
    generated = context.manifest.all_files()
    package = f"features.{context.unit.name}"
    for folder in ("src", "tests"):
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in generated or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if package not in text and f"features/{context.unit.name}" not in text:
                continue
            lines = _uses(text, column)
            if lines:
                raise UserError(
                    f"{relative}:{lines[0]} uses '{column}' of feature '{context.unit.name}'; "
                    "remove that use first, then run the command again"
                )


def remove_feature(
    start: Path,
    feature: str,
    *,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    force: bool = False,
    dry_run: bool = False,
) -> ChangeResult:
    """Remove the slice ``feature``: unwired from the registry, its package and tests
    deleted, and a migration that drops its table (the downgrade creates it again). Its
    earlier migrations stay: they are the project's history."""
    context = _load(start, feature)
    table = context.unit.name
    referencing = sorted(
        {
            *referencing_features(context.target, table, existing_features(context.target)),
            *_recorded_references(context),
        }
    )
    if referencing:
        raise UserError(
            f"feature '{table}' is referenced by {', '.join(referencing)}; remove those "
            f"references first (forge remove field FEATURE FIELD), then the feature"
        )
    importers = _importers(context)
    if importers:
        path, owner = importers[0]
        whose = "is not forge's" if owner is None else f"is forge's {owner.replace(':', ' ')}"
        raise UserError(
            f"{path} imports feature '{table}' and {whose}; remove that import "
            "first, then the feature"
        )
    owner = context.unit.owner
    changed = [
        state.path
        for state in file_states(context.target.root, context.manifest)
        if state.owner == owner and state.state == "modified"
    ]
    notes = []
    if changed and not force and dry_run:
        notes.append(
            f"you changed {', '.join(changed)}: without --force, forge refuses to delete them"
        )
    elif changed and not force:
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise UserError(
            f"you changed files of feature '{table}' since forge wrote them ({shown}); "
            "keep what you need elsewhere, then pass --force to delete them anyway"
        )
    current = parse_fields(context.fields)
    evolution = _evolution(context, DROP, current)
    wanted = _wanted(context, context.fields, evolution, removed=True)
    plan = _plan(context, wanted, evolution, project=project, units=units, registry_changes=True)
    if force:
        plan = replace(
            plan,
            changes=tuple(
                FileChange(
                    change.path,
                    REMOVED,
                    change.owner,
                    "you changed it; deleted (--force)",
                    delete=True,
                )
                if change.owner == owner and change.action in (KEPT, CONFLICT)
                else change
                for change in plan.changes
            ),
        )
    result = _result(
        context, plan, evolution, f"removed feature {table}", dry_run=dry_run, notes=notes
    )
    if not dry_run:
        _remove_leftovers(context)
    return result


def _recorded_references(context: _Context) -> list[str]:
    """The live features whose recorded fields reference this one."""
    table = context.unit.name
    found = []
    for unit in context.manifest.units_of("feature"):
        if unit.name == table or unit.spec.get("removed"):
            continue
        for text in unit.spec.get("fields", ()):
            try:
                spec = parse_fields([str(text)])[0]
            except UserError:
                continue
            if (
                spec.kind in (FieldKind.REF, FieldKind.REFS)
                and _target_table(context, spec) == table
            ):
                found.append(unit.name)
                break
    return found


def _target_table(context: _Context, spec: FieldSpec) -> str:
    typed = str(spec.ref_target)
    as_typed = typed.strip().replace("-", "_").lower()
    if as_typed == context.unit.name:
        return as_typed
    return feature_names(typed).plural_snake


def _importers(context: _Context) -> list[tuple[str, str | None]]:
    """The Python files that import the slice and would be left broken, each with the unit
    that wrote it (None: the user's own). The project's files (the registry the removal
    unwires) and other features' (their references are refused before) are not counted; a
    job given the feature's service (``forge add job --feature``) is."""
    root = context.target.root
    manifest = context.manifest
    pattern = re.compile(
        rf"features\.{re.escape(context.unit.name)}\b|features import [^\n]*\b"
        rf"{re.escape(context.unit.name)}\b"
    )
    found: list[tuple[str, str | None]] = []
    for folder in ("src", "tests"):
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            owner = manifest.owner_of(relative)
            if "__pycache__" in path.parts or (
                owner is not None and (owner == "project" or owner.startswith("feature:"))
            ):
                continue
            if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                found.append((relative, owner))
    return found


def _remove_leftovers(context: _Context) -> None:
    """Bytecode caches left in the removed slice's folders, and the folders once empty."""
    for folder in (
        context.target.features_dir / context.unit.name,
        context.target.root / "tests" / context.unit.name,
    ):
        if not folder.is_dir():
            continue
        for cache in sorted(folder.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache, ignore_errors=True)
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
