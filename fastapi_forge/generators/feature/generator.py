"""`forge add feature` (alias `forge add-feature`): add a typed CRUD slice to a project.

Everything is checked before anything is written: the project, the name, the fields, the
references, the migration history and the registry. The slice is rendered and formatted in
a staging folder; its files and the registry edit are then applied together, and any
failure (including Ctrl-C) restores every file that was touched.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import fastapi_forge
from fastapi_forge.engine.manifest import (
    Unit,
    broken_manifest,
    read_manifest_if_any,
    record_files,
)
from fastapi_forge.engine.migrations import (
    Revision,
    ancestors,
    applied_revisions,
    chained_revision,
    read_revisions,
    single_head,
)
from fastapi_forge.engine.registry import registry_diff
from fastapi_forge.engine.render import render_template
from fastapi_forge.engine.target import Project, database_url, find_project
from fastapi_forge.engine.workspace import (
    PlannedFile,
    apply_files,
    display_path,
    plan_files,
    write_errors_refused,
)
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.checks import (
    check_field_names,
    check_project_provides,
    check_shadowing,
)
from fastapi_forge.generators.feature.codegen import FieldCode, RefCode, field_code
from fastapi_forge.generators.feature.context import (
    TEMPLATE,
    enum_classes,
    migration_constraints,
    nested_routes,
    now,
    slice_data,
)
from fastapi_forge.generators.feature.evolve import CHANGES, Evolution, evolution_source
from fastapi_forge.generators.feature.fields import (
    DEFAULT_FIELDS,
    FieldKind,
    FieldSpec,
    parse_fields,
)
from fastapi_forge.generators.feature.refs import (
    check_access_change,
    existing_features,
    is_owned,
    resolve_ref,
)
from fastapi_forge.generators.feature.reserved import check_enum_fields, check_feature_names
from fastapi_forge.generators.feature.wiring import plan_registry
from fastapi_forge.naming import FeatureNames, feature_names

__all__ = ["FeatureResult", "add_feature"]


@dataclass
class FeatureResult:
    """What `add_feature` wrote (or, for a dry run, would write)."""

    project: Project
    names: FeatureNames
    fields: tuple[FieldSpec, ...]
    default_fields_used: bool
    owned: bool
    write_access: str
    """Who may write: ``owner`` (and admins), ``admin`` or ``anyone``."""
    files: list[PlannedFile]
    registry_diff: str
    migration: str
    seconds: float
    dry_run: bool
    routes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _migration_identity(
    project: Project, names: FeatureNames, *, force: bool
) -> tuple[str, str, str]:
    """(file stem, revision, down revision) for the slice's migration."""
    revisions = read_revisions(project.versions_dir)
    suffix = f"_create_{names.plural_snake}"
    if force:
        for revision in revisions:
            if revision.path.stem.endswith(suffix) and revision.down_revisions:
                _check_not_applied(project, revision, revisions)
                return revision.path.stem, revision.revision, revision.down_revisions[0]
    head = single_head(revisions)
    stem, digest = chained_revision(head, names.plural_snake, suffix, now())
    return stem, digest, head


def _check_not_applied(project: Project, target: Revision, revisions: Sequence[Revision]) -> None:
    """Refuse --force on a migration the project's SQLite database already has applied."""
    found = applied_revisions(project)
    if found is None:
        return
    database, heads = found
    applied = ancestors(heads, revisions)
    if target.revision in applied:
        shown = display_path(database, Path.cwd())
        raise UserError(
            f"migration {target.path.name} is already applied to the database {shown}, so "
            "rewriting it with --force would leave that database out of step; run "
            f"`uv run alembic downgrade {target.down_revisions[0]}` first, or change the "
            "model and run `uv run alembic revision --autogenerate`"
        )


def _owned_paths(project: Project, names: FeatureNames, migration: str) -> tuple[str, ...]:
    return (
        f"src/{project.package}/features/{names.plural_snake}/",
        f"tests/{names.plural_snake}/",
        f"migrations/versions/{migration}.py",
    )


def add_feature(
    start: Path,
    name: str,
    field_specs: Sequence[str],
    *,
    public: bool = False,
    public_writes: bool = False,
    force: bool = False,
    dry_run: bool = False,
    singular: str | None = None,
    plural: str | None = None,
    recorded_migration: Mapping[str, str] | None = None,
    created_with: Sequence[str] | None = None,
    evolutions: Sequence[Mapping[str, Any]] = (),
    removed: bool = False,
    recorded_refs: Mapping[str, Mapping[str, Any]] | None = None,
) -> FeatureResult:
    """Add the slice ``name`` to the project containing ``start``.

    ``recorded_migration`` (the ``migration`` table of the feature's manifest entry) makes
    the slice's migration exactly the recorded one, as when the project is rendered again
    from its manifest. A slice evolved since (``forge add field``, ``forge remove field``,
    ``forge remove feature``) also has ``created_with`` (the field specs its first
    migration was written with: history is never rewritten), ``evolutions`` (one recorded
    migration per change, see :mod:`~fastapi_forge.generators.feature.evolve`) and
    ``recorded_refs`` (what each referenced feature was called, so that the render needs
    no other slice on disk); a ``removed`` slice renders its migrations only.

    Rows of an owned slice (the default) are seen and changed by their owner and admins.
    A ``public`` slice is read by anyone and written by admins; with ``public_writes``
    anyone may write it too, anonymously, within the ``rate_limit_public_writes`` limit.

    Raises :class:`~fastapi_forge.errors.UserError` for bad input (nothing is written),
    and :class:`~fastapi_forge.errors.ForgeError` when rendering itself fails.
    """
    started = time.perf_counter()
    public = public or public_writes
    write_access = "anyone" if public_writes else "admin" if public else "owner"
    project = find_project(start)
    names = feature_names(name, singular=singular, plural=plural)
    existing = existing_features(project)
    exists = names.plural_snake in existing
    if recorded_migration is None:
        _check_not_removed(project, names.plural_snake, force=force)
    if exists and not force:
        raise UserError(
            f"feature '{names.plural_snake}' already exists; pass --force to re-render its "
            "own files (the registry is left as it is), or choose another name"
        )
    check_access_change(project, names.plural_snake, existing, public=public)
    default_fields_used = not field_specs
    fields = parse_fields(field_specs or DEFAULT_FIELDS)

    def ref_of(spec: FieldSpec) -> RefCode:
        recorded = (recorded_refs or {}).get(str(spec.ref_target))
        if recorded is not None:
            return RefCode(**recorded)
        return resolve_ref(project, spec, names, existing, public)

    def coded(specs: Sequence[FieldSpec]) -> list[tuple[FieldSpec, FieldCode]]:
        classes = enum_classes(specs, names.singular_pascal)
        return [
            (
                spec,
                field_code(
                    spec,
                    table=names.plural_snake,
                    singular_pascal=names.singular_pascal,
                    ref=ref_of(spec) if spec.kind in (FieldKind.REF, FieldKind.REFS) else None,
                    owned=not public,
                    enum_class=classes.get(spec.name),
                    singular_snake=names.singular_snake,
                ),
            )
            for spec in specs
        ]

    codes = [code for _, code in coded(fields)]
    refs = {code.name: code.ref for code in codes if code.ref is not None}
    classes = enum_classes(fields, names.singular_pascal)
    if not removed:
        check_feature_names(names, project.package, list(refs.values()))
        check_enum_fields(
            names,
            project.package,
            [
                (spec.spec, classes[spec.name].removeprefix(names.singular_pascal))
                for spec in fields
                if spec.kind is FieldKind.ENUM
            ],
        )
        check_field_names(fields, codes)
    if recorded_migration is None:
        migration, revision, down_revision = _migration_identity(project, names, force=force)
    else:
        migration = Path(recorded_migration["file"]).stem
        revision = recorded_migration["revision"]
        down_revision = recorded_migration["down_revision"]
    notes = []
    if force and exists and applied_revisions(project) is None:
        url = database_url(project) or ""
        if url and not url.startswith("sqlite"):
            notes.append(
                f"the migration {migration}.py was rewritten in place; forge cannot see "
                "whether your database has it applied already: if it has, run "
                f"`uv run alembic downgrade {down_revision}` before upgrading again"
            )
    try:
        registry_before = project.registry.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {project.registry}: {exc.strerror}") from None
    registry_after = (
        registry_before
        if removed
        else plan_registry(registry_before, names, nested=bool(nested_routes(codes)))
    )

    data = slice_data(
        project.package,
        names,
        codes,
        list(refs.values()),
        owned=not public,
        write_access=write_access,
        revision=revision,
        down_revision=down_revision,
        migration=migration,
    )
    if recorded_migration is not None:
        data["create_date"] = recorded_migration["create_date"]
    first_migration = None
    if created_with is not None:
        first_codes = [code for _, code in coded(parse_fields(created_with))]
        first_migration = {
            **data,
            **slice_data(
                project.package,
                names,
                first_codes,
                [code.ref for code in first_codes if code.ref is not None],
                owned=not public,
                write_access=write_access,
                revision=revision,
                down_revision=down_revision,
                migration=migration,
            ),
            "create_date": data["create_date"],
        }
    recorded_evolutions = [Evolution.from_spec(entry) for entry in evolutions]
    sources = {}
    for evolution in recorded_evolutions:
        pairs = coded(parse_fields(evolution.fields))
        constraints = migration_constraints(
            [code for _, code in pairs], names.plural_snake, owned=not public
        )
        sources[evolution.file] = evolution_source(
            evolution, names.plural_snake, pairs, constraints=constraints, owned=not public
        )
    files = _render(
        project,
        data,
        registry_after if registry_after != registry_before else None,
        first_migration=first_migration,
        evolutions=sources,
        migrations_only=removed,
    )
    if not removed:
        check_shadowing(files, codes)
        check_project_provides(project, files, {ref.plural_snake for ref in refs.values()})
    spec: dict[str, Any] = {
        "argument": name,
        **({"singular": singular} if singular else {}),
        **({"plural": plural} if plural else {}),
        "access": write_access,
        "fields": list(field_specs or DEFAULT_FIELDS),
        "parsed": [_plain(dataclasses.asdict(parsed)) for parsed in fields],
        "migration": {
            "file": f"migrations/versions/{migration}.py",
            "revision": revision,
            "down_revision": down_revision,
            "create_date": data["create_date"],
        },
    }
    if created_with is not None:
        spec["created_with"] = list(created_with)
    if recorded_refs:
        spec["refs"] = {target: dict(ref) for target, ref in recorded_refs.items()}
    if recorded_evolutions:
        spec["evolutions"] = [evolution.to_spec() for evolution in recorded_evolutions]
    if removed:
        spec["removed"] = True
    records = _records(project, Unit("feature", names.plural_snake, spec), files)
    if not records:
        notes.append(
            "this project has no .forge/manifest.toml (it was made by an older forge), so "
            "nothing was recorded: run `forge adopt` once to record it"
        )
    allowed = _owned_paths(project, names, migration)
    registry_rel = project.registry.relative_to(project.root).as_posix()
    for planned in files:
        if planned.replaces and planned.path != registry_rel:
            if not force:
                raise UserError(
                    f"{planned.path} already exists; remove it, or pass --force if it belongs "
                    f"to feature '{names.plural_snake}'"
                )
            if not planned.path.startswith(allowed):
                raise UserError(
                    f"{planned.path} exists and does not belong to feature "
                    f"'{names.plural_snake}'; move it away first"
                )
    written_registry = next(
        (planned.content.decode() for planned in files if planned.path == registry_rel),
        registry_before,
    )
    diff = registry_diff(registry_rel, registry_before, written_registry)
    if not dry_run:
        with write_errors_refused(project.root):
            apply_files(project.root, [*files, *records])
    return FeatureResult(
        project=project,
        names=names,
        fields=fields,
        default_fields_used=default_fields_used,
        owned=not public,
        write_access=write_access,
        files=files,
        registry_diff=diff,
        migration=f"migrations/versions/{migration}.py",
        seconds=time.perf_counter() - started,
        dry_run=dry_run,
        notes=notes,
        routes=[
            f"POST   /api/v1/{names.plural_kebab}",
            f"GET    /api/v1/{names.plural_kebab}",
            f"GET    /api/v1/{names.plural_kebab}/{{{names.singular_snake}_id}}",
            f"PATCH  /api/v1/{names.plural_kebab}/{{{names.singular_snake}_id}}",
            f"DELETE /api/v1/{names.plural_kebab}/{{{names.singular_snake}_id}}",
        ],
    )


def replay_feature(root: Path, unit: Unit) -> None:
    """Add the feature of a manifest entry to the project at ``root``, exactly as recorded."""
    spec = unit.spec
    if spec.get("adopted") and not spec.get("fields"):
        raise UserError(
            f"feature '{unit.name}' was adopted from a project made before forge kept a "
            "manifest, so its field specs are unknown; record them with "
            f"`forge add feature {unit.name} --force --field ...` (the same fields)"
        )
    where = f"[[feature]] '{unit.name}'"
    fields = spec.get("fields")
    if not isinstance(spec.get("argument"), str):
        raise broken_manifest(f"{where} needs its argument (the NAME it was added with)")
    if not isinstance(fields, list) or not all(isinstance(item, str) for item in fields):
        raise broken_manifest(f"{where} needs fields as a list of --field specs")
    access = spec.get("access", "owner")
    if access not in ("owner", "admin", "anyone"):
        raise broken_manifest(f"{where} access must be owner, admin or anyone, not {access!r}")
    for key in ("singular", "plural"):
        if spec.get(key) is not None and not isinstance(spec.get(key), str):
            raise broken_manifest(f"{where} {key} must be a string")
    migration = spec.get("migration")
    keys = ("file", "revision", "down_revision", "create_date")
    if not isinstance(migration, dict) or not all(isinstance(migration.get(k), str) for k in keys):
        raise broken_manifest(f"{where} needs its migration's {', '.join(keys)}")
    created_with = spec.get("created_with")
    if created_with is not None and (
        not isinstance(created_with, list) or not all(isinstance(i, str) for i in created_with)
    ):
        raise broken_manifest(f"{where} created_with must be a list of --field specs")
    evolutions = spec.get("evolutions", [])
    if not isinstance(evolutions, list) or not all(
        isinstance(entry, dict)
        and entry.get("change") in CHANGES
        and all(isinstance(entry.get(k), str) for k in keys)
        and isinstance(entry.get("fields"), list)
        and all(isinstance(item, str) for item in entry["fields"])
        for entry in evolutions
    ):
        raise broken_manifest(
            f"{where} evolutions must each have a change ({', '.join(CHANGES)}), fields and "
            f"the migration's {', '.join(keys)}"
        )
    refs = spec.get("refs")
    ref_keys = ("plural_snake", "singular_snake", "singular_pascal")
    if refs is not None and (
        not isinstance(refs, dict)
        or not all(
            isinstance(ref, dict)
            and all(isinstance(ref.get(k), str) for k in ref_keys)
            and isinstance(ref.get("owned"), bool)
            for ref in refs.values()
        )
    ):
        raise broken_manifest(f"{where} refs must name each referenced feature's forms")
    removed = spec.get("removed", False)
    if not isinstance(removed, bool):
        raise broken_manifest(f"{where} removed must be true or false")
    add_feature(
        root,
        spec["argument"],
        fields,
        public=access != "owner",
        public_writes=access == "anyone",
        singular=spec.get("singular"),
        plural=spec.get("plural"),
        recorded_migration=migration,
        created_with=created_with,
        evolutions=evolutions,
        removed=removed,
        recorded_refs=refs,
    )


def _check_not_removed(project: Project, plural_snake: str, *, force: bool) -> None:
    """Refuse a new slice under the name of one that was removed (its migrations, and its
    manifest entry, which renders them, are still the project's history), and --force on
    a slice evolved since (re-rendering it would forget its later migrations)."""
    manifest = read_manifest_if_any(project.root, forge_version=fastapi_forge.__version__)
    unit = manifest.unit("feature", plural_snake) if manifest is not None else None
    if unit is not None and unit.spec.get("removed"):
        raise UserError(
            f"feature '{plural_snake}' was removed earlier and its migrations stay in the "
            "project's history under that name; choose another name"
        )
    if force and unit is not None and unit.spec.get("evolutions"):
        raise UserError(
            f"feature '{plural_snake}' has changed since forge made it (forge add field / "
            "remove field), so --force would rewrite its migration history; change it with "
            f"`forge add field {plural_snake} ...` or `forge remove field {plural_snake} NAME`"
        )


def adopt_features(
    project: Project, claimed: frozenset[str]
) -> list[tuple[Unit, dict[str, bytes]]]:
    """The slices of a project made before the manifest: each feature package the project
    template does not account for, with its tests and migration, as they are on disk.

    Their field specs cannot be read back from the code, so the entries say ``adopted``;
    the access is read from the code (an ``owner_id`` column, an open-writes limit).
    """
    revisions = read_revisions(project.versions_dir)
    found = []
    for name in existing_features(project):
        package = project.features_dir / name
        if f"{package.relative_to(project.root).as_posix()}/__init__.py" in claimed:
            continue  # one of the project's own (auth, users, health)
        files: dict[str, bytes] = {}
        migration = next((r for r in revisions if r.path.stem.endswith(f"_create_{name}")), None)
        folders = [package, project.root / "tests" / name]
        paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*"))]
        if migration is not None:
            paths.append(migration.path)
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(project.root).as_posix()] = path.read_bytes()
        router = files.get(f"{package.relative_to(project.root).as_posix()}/router.py", b"")
        access = (
            "owner"
            if is_owned(project, name)
            else "anyone"
            if b"rate_limit_public_writes" in router
            else "admin"
        )
        spec: dict[str, Any] = {"argument": name, "access": access, "adopted": True, "fields": []}
        if migration is not None and migration.down_revisions:
            spec["migration"] = {
                "file": migration.path.relative_to(project.root).as_posix(),
                "revision": migration.revision,
                "down_revision": migration.down_revisions[0],
            }
        found.append((Unit("feature", name, spec), files))
    return found


def _records(project: Project, unit: Unit, files: Sequence[PlannedFile]) -> list[PlannedFile]:
    """The manifest with ``unit`` owning ``files``, and their base copies, as planned files.

    A project made before forge kept a manifest has none to update: nothing is recorded
    (``forge adopt`` will write one). A broken or newer manifest stops the command here,
    before anything is written.
    """
    version = fastapi_forge.__version__
    manifest = read_manifest_if_any(project.root, forge_version=version)
    if manifest is None:
        return []
    pristine = {planned.path: planned.content for planned in files}
    recorded = record_files(manifest.with_unit(unit, pristine, version), pristine)
    return [
        PlannedFile(path=path, content=content, replaces=(project.root / path).exists())
        for path, content in recorded.items()
    ]


def _plain(value: object) -> Any:
    """``value`` as TOML can hold it: no None, tuples as lists, numbers and dates as text."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool | str):
        return value
    return str(value)


def _render(
    project: Project,
    data: dict[str, Any],
    registry: str | None,
    *,
    first_migration: Mapping[str, Any] | None = None,
    evolutions: Mapping[str, str] | None = None,
    migrations_only: bool = False,
) -> list[PlannedFile]:
    """Render the slice (and the edited registry) into a plan of formatted files.

    ``first_migration`` is the data the slice's first migration was written with, when its
    fields have changed since; ``evolutions`` the source of each later migration, by path;
    with ``migrations_only`` (a removed slice), only the migrations are kept.
    """
    registry_rel = project.registry.relative_to(project.root)

    def build(staging: Path) -> None:
        render_template(TEMPLATE, staging, data)
        migration = staging / "migrations" / "versions" / str(data["migration_file"])
        if first_migration is not None:
            with tempfile.TemporaryDirectory(prefix=".forge-feature-") as scratch:
                render_template(TEMPLATE, Path(scratch), first_migration)
                shutil.copyfile(
                    Path(scratch) / "migrations" / "versions" / str(data["migration_file"]),
                    migration,
                )
        for relative, source in (evolutions or {}).items():
            written = staging / relative
            written.parent.mkdir(parents=True, exist_ok=True)
            written.write_text(source, encoding="utf-8")
        if migrations_only:
            versions = staging / "migrations" / "versions"
            for path in sorted(staging.rglob("*"), reverse=True):
                if path.is_file() and path.parent != versions:
                    path.unlink()
                elif path.is_dir() and path != versions and not any(path.iterdir()):
                    path.rmdir()
            return
        if registry is not None:
            target = staging / registry_rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(registry, encoding="utf-8")

    return plan_files(project.root, build, ruff_config=project.root / "pyproject.toml")
