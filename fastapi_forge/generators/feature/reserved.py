"""Which feature names would break the generated code, derived from the templates themselves.

A slice's modules mix identifiers derived from the feature's names (``OrderCreate``,
``get_order``, ``OrderDep``) with fixed ones the templates import or define (``Query``,
``PageDep``, ``SessionDep``, ``Principal``). A feature whose derived identifier equals a
fixed one in the same module or function (``queries`` gives the class ``Query``, which
shadows FastAPI's ``Query``; ``pages`` gives ``PageDep``, which shadows the pagination
dependency) produces a project that no longer imports or type-checks.

Instead of a hand-kept list of such names, the feature template is rendered once per
process with sentinel names (``zqsing``/``zqplur``) into a scratch folder and every
rendered module is parsed with :mod:`ast`. Each identifier containing a sentinel becomes
a pattern (``{singular_pascal}Create``), every other identifier is fixed; a name is refused
when two different patterns of one scope give the same identifier. The built-in tables,
the package folders a slice's packages would shadow, the built-in route prefixes and the
list endpoint's query parameters are read from the project template the same way. A
template change therefore changes what is refused, with nothing to keep in sync.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import keyword
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import fastapi_forge
from fastapi_forge.engine.render import cache_dir, render_template, template_dir
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.codegen import RefCode, field_code
from fastapi_forge.generators.feature.context import slice_data
from fastapi_forge.generators.feature.fields import parse_fields
from fastapi_forge.generators.feature.wiring import plan_registry
from fastapi_forge.naming import FeatureNames

__all__ = [
    "ALEMBIC_VERSION_TABLE",
    "TemplateNames",
    "check_enum_fields",
    "check_feature_names",
    "list_query_parameters",
    "template_names",
]

ALEMBIC_VERSION_TABLE = "alembic_version"
"""Alembic's own table (its default ``version_table``, which the project keeps)."""

_SENTINEL = FeatureNames(
    original="zqplur",
    singular_snake="zqsing",
    plural_snake="zqplur",
    singular_pascal="Zqsing",
    plural_pascal="Zqplur",
    plural_kebab="zqkebab",
    singular_title="Zqtitle",
    plural_title="Zqtitles",
)
_REF = RefCode(plural_snake="zqrps", singular_snake="zqrsg", singular_pascal="Zqrsg")
_PACKAGE = "zqpkg"
# Longest sentinels first, so none is replaced inside another.
_PLACEHOLDERS = (
    ("Zqsing", "{singular_pascal}"),
    ("zqsing", "{singular_snake}"),
    ("Zqplur", "{plural_pascal}"),
    ("zqplur", "{plural_snake}"),
    ("zqkebab", "{plural_kebab}"),
    ("Zqrsg", "{ref_singular_pascal}"),
    ("zqrsg", "{ref_singular_snake}"),
    ("zqrps", "{ref_plural_snake}"),
    ("zqpkg", "{package}"),
    ("Zqfenum", "{enum_pascal}"),
)
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
# Field sentinels: identifiers made from a field's name are the field language's business
# (generators/feature/fields.py), not the feature name's.
_FIELD_PREFIX = "zqf"
_FIELD_SPECS = (
    f"{_FIELD_PREFIX}str:str:unique",
    f"{_FIELD_PREFIX}text:text?",
    f"{_FIELD_PREFIX}int:int:ge=0",
    f"{_FIELD_PREFIX}float:float?",
    f"{_FIELD_PREFIX}dec:decimal:gt=0",
    f"{_FIELD_PREFIX}bool:bool:default=false",
    f"{_FIELD_PREFIX}date:date:unique",
    f"{_FIELD_PREFIX}moment:datetime?",
    f"{_FIELD_PREFIX}uuid:uuid:index",
    f"{_FIELD_PREFIX}enum:enum=a,b",
    f"{_FIELD_PREFIX}json:json?",
    f"{_FIELD_PREFIX}ref:ref=zqrps",
)


@dataclass(frozen=True)
class TemplateNames:
    """What the templates make of a feature's names, as patterns over the sentinels."""

    scopes: tuple[tuple[str, frozenset[str]], ...]
    """(where, identifier patterns) for each module, class and function of a slice."""
    package_folders: tuple[tuple[str, frozenset[str]], ...]
    """(folder pattern of a slice package, module names the project already has there)."""
    tables: frozenset[str]
    """Tables the project has before any feature."""
    table_pattern: str
    """The slice's table name, as a pattern."""
    route_prefixes: frozenset[str]
    """Path prefixes of the built-in API routers, after the API prefix: ``/users``."""
    route_pattern: str
    """The slice's router prefix, as a pattern."""
    query_parameters: frozenset[str]
    """Query parameters every list endpoint has (pagination and sorting)."""
    imported_modules: frozenset[str]
    """Top-level modules the project imports (``fastapi``, ``limits``, ``types``, ...)."""


def _pattern(identifier: str) -> str:
    for sentinel, placeholder in _PLACEHOLDERS:
        identifier = identifier.replace(sentinel, placeholder)
    return identifier


def _scopes(tree: ast.Module, where: str) -> Iterator[tuple[str, set[str]]]:
    """Every identifier of each scope of ``tree``; a function's loads count in the module too."""
    module: set[str] = set()
    found: list[tuple[str, set[str]]] = [(where, module)]

    def visit(node: ast.AST, scope: set[str], label: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scope.add(child.name)
                inner: set[str] = set()
                found.append((f"{label}:{child.name}", inner))
                if not isinstance(child, ast.ClassDef):
                    arguments = child.args
                    for argument in (
                        *arguments.posonlyargs,
                        *arguments.args,
                        *arguments.kwonlyargs,
                        *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
                    ):
                        inner.add(argument.arg)
                visit(child, inner, f"{label}:{child.name}")
            elif isinstance(child, ast.Name):
                scope.add(child.id)
                if isinstance(child.ctx, ast.Load):
                    module.add(child.id)  # resolves to the module unless bound locally
            elif isinstance(child, ast.Import | ast.ImportFrom):
                for alias in child.names:
                    scope.add(alias.asname or alias.name.split(".")[0])
            else:
                visit(child, scope, label)

    visit(tree, module, where)
    yield from found


def _render_slice(
    scratch: Path, *, owned: bool, specs: Sequence[str], write_access: str | None = None
) -> None:
    fields = parse_fields(specs)
    codes = [
        field_code(
            spec,
            table=_SENTINEL.plural_snake,
            singular_pascal=_SENTINEL.singular_pascal,
            ref=_REF if spec.ref_target else None,
        )
        for spec in fields
    ]
    data = slice_data(
        _PACKAGE,
        _SENTINEL,
        codes,
        [_REF] if any(spec.ref_target for spec in fields) else [],
        owned=owned,
        write_access=write_access,
        revision="zqrevision",
        down_revision="zqdown",
        migration="zqmigration",
    )
    render_template("feature", scratch, data)


def _rendered_files(root: Path) -> Iterator[tuple[str, str]]:
    for folder, _, files in os.walk(root):
        for file in files:
            path = Path(folder) / file
            yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")


def _project_files() -> list[PurePosixPath]:
    """The project template's files, with the package folder as ``{package}``."""
    root = template_dir("project") / "template"
    paths = []
    for folder, _, files in os.walk(root):
        for file in files:
            relative = (Path(folder) / file).relative_to(root).as_posix()
            relative = relative.replace("{{ package_name }}", "{package}").removesuffix(".jinja")
            paths.append(PurePosixPath(relative))
    return paths


def _string_tail(node: ast.expr) -> str | None:
    """The constant text of a string, or after the last ``{...}`` of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        if isinstance(last, ast.Constant) and isinstance(last.value, str):
            return last.value
    return None


def _router_prefixes(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "APIRouter"
        ):
            for argument in node.keywords:
                if argument.arg == "prefix":
                    tail = _string_tail(argument.value)
                    if tail is not None:
                        yield tail


def _tables(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.value.value


def _query_parameters(tree: ast.Module) -> Iterator[str]:
    """Parameters declared ``Annotated[..., Query(...)]`` (their ``alias`` if given)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for argument in (*node.args.args, *node.args.kwonlyargs):
            annotation = argument.annotation
            if not (
                isinstance(annotation, ast.Subscript)
                and isinstance(annotation.slice, ast.Tuple)
                and len(annotation.slice.elts) > 1
            ):
                continue
            for meta in annotation.slice.elts[1:]:
                if (
                    isinstance(meta, ast.Call)
                    and isinstance(meta.func, ast.Name)
                    and meta.func.id == "Query"
                ):
                    alias = next(
                        (
                            k.value.value
                            for k in meta.keywords
                            if k.arg == "alias" and isinstance(k.value, ast.Constant)
                        ),
                        argument.arg,
                    )
                    yield str(alias)


def _parse(text: str, where: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as exc:  # pragma: no cover - the template tests render valid code
        raise UserError(f"the template file {where} is not valid Python: {exc}") from None


@functools.cache
def template_names() -> TemplateNames:
    """The patterns of the installed templates.

    Reading them renders the feature template three times (about 0.3 s), so the result is
    kept in forge's cache folder, keyed by the hash of every template file: a changed
    template is read afresh, and an unwritable cache is simply not used.
    """
    key = _templates_digest()
    cached = cache_dir() / f"names-{key}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return _from_json(json.loads(cached.read_text(encoding="utf-8")))
    names = _read_templates()
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(_to_json(names)), encoding="utf-8")
        temporary.replace(cached)
    return names


def _templates_digest() -> str:
    # This module's own source too: how the templates are read is part of the result.
    digest = hashlib.sha256(fastapi_forge.__version__.encode() + Path(__file__).read_bytes())
    for name in ("feature", "project"):
        root = template_dir(name)
        for folder, folders, files in sorted(os.walk(root)):
            folders.sort()
            for file in sorted(files):
                path = Path(folder) / file
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _to_json(names: TemplateNames) -> dict[str, Any]:
    return {
        "scopes": [[where, sorted(patterns)] for where, patterns in names.scopes],
        "package_folders": [[folder, sorted(taken)] for folder, taken in names.package_folders],
        "tables": sorted(names.tables),
        "table_pattern": names.table_pattern,
        "route_prefixes": sorted(names.route_prefixes),
        "route_pattern": names.route_pattern,
        "query_parameters": sorted(names.query_parameters),
        "imported_modules": sorted(names.imported_modules),
    }


def _from_json(data: dict[str, Any]) -> TemplateNames:
    return TemplateNames(
        scopes=tuple((str(w), frozenset(map(str, p))) for w, p in data["scopes"]),
        package_folders=tuple((str(f), frozenset(map(str, t))) for f, t in data["package_folders"]),
        tables=frozenset(map(str, data["tables"])),
        table_pattern=str(data["table_pattern"]),
        route_prefixes=frozenset(map(str, data["route_prefixes"])),
        route_pattern=str(data["route_pattern"]),
        query_parameters=frozenset(map(str, data["query_parameters"])),
        imported_modules=frozenset(map(str, data["imported_modules"])),
    )


def _read_templates() -> TemplateNames:
    """Render and parse the templates: every pattern, table, route and import they have."""
    scopes: dict[str, set[str]] = {}
    slice_paths: set[str] = set()
    table_pattern = route_pattern = ""
    imported: set[str] = set()
    public_specs = tuple(spec for spec in _FIELD_SPECS if "ref=" not in spec)
    variants = (
        (True, _FIELD_SPECS, None),
        (False, public_specs, "admin"),
        (False, public_specs, "anyone"),
        (True, (f"{_FIELD_PREFIX}str:str",), None),
    )
    with tempfile.TemporaryDirectory(prefix=".forge-names-") as scratch:
        for number, (owned, specs, access) in enumerate(variants):
            root = Path(scratch) / str(number)
            _render_slice(root, owned=owned, specs=specs, write_access=access)
            for relative, text in _rendered_files(root):
                pattern_path = _pattern(relative)
                slice_paths.add(pattern_path)
                if not relative.endswith(".py"):
                    continue
                imported.update(_IMPORT.findall(text))
                tree = _parse(text, relative)
                for where, identifiers in _scopes(tree, pattern_path):
                    scopes.setdefault(where, set()).update(
                        _pattern(identifier)
                        for identifier in identifiers
                        if _FIELD_PREFIX not in identifier
                    )
                table_pattern = table_pattern or next(
                    (_pattern(table) for table in _tables(tree)), ""
                )
                route_pattern = route_pattern or next(
                    (_pattern(prefix) for prefix in _router_prefixes(tree)), ""
                )
    project_root = template_dir("project") / "template"
    project_files = _project_files()
    tables: set[str] = {ALEMBIC_VERSION_TABLE}
    prefixes: set[str] = set()
    parameters: set[str] = set()
    registry_scope: set[str] = set()
    for project_path in project_files:
        if project_path.suffix != ".py":
            continue
        source = _source_path(project_root, project_path)
        text = source.read_text(encoding="utf-8")
        imported.update(_IMPORT.findall(text))
        if "{{" in text or "{%" in text:
            continue  # a Jinja template of the project: not parsed as Python
        tree = _parse(text, str(project_path))
        tables.update(_tables(tree))
        prefixes.update(_router_prefixes(tree))
        parameters.update(_query_parameters(tree))
        if project_path == PurePosixPath("src/{package}/registry.py"):
            registry_scope.update(_registry_identifiers(text))
    scopes["{package}/registry.py"] = registry_scope
    return TemplateNames(
        scopes=tuple((where, frozenset(names)) for where, names in sorted(scopes.items())),
        package_folders=tuple(_package_folders(slice_paths, project_files)),
        tables=frozenset(tables),
        table_pattern=table_pattern,
        route_prefixes=frozenset(prefixes),
        route_pattern=route_pattern,
        query_parameters=frozenset(parameters),
        imported_modules=frozenset(module for module in imported if "{" not in _pattern(module)),
    )


def _source_path(root: Path, relative: PurePosixPath) -> Path:
    text = relative.as_posix().replace("{package}", "{{ package_name }}")
    plain = root / text
    return plain if plain.exists() else root / f"{text}.jinja"


def _registry_identifiers(text: str) -> set[str]:
    """The registry's identifiers after the sentinel feature is wired in."""
    tree = _parse(plan_registry(text, _SENTINEL), "registry.py")
    identifiers: set[str] = set()
    for _, names in _scopes(tree, "registry.py"):
        identifiers.update(_pattern(name) for name in names)
    return identifiers


def _package_folders(
    slice_paths: Iterable[str], project_files: Sequence[PurePosixPath]
) -> Iterator[tuple[str, frozenset[str]]]:
    """For each folder a slice creates, the module names already beside it."""
    folders: set[str] = set()
    for path in slice_paths:
        parts = PurePosixPath(path).parts
        for depth, part in enumerate(parts):
            if "{plural_snake}" in part:
                folders.add("/".join(parts[: depth + 1]))
                break
    for folder in sorted(folders):
        parent = PurePosixPath(folder).parent
        taken = frozenset(
            path.relative_to(parent).parts[0].removesuffix(".py")
            for path in project_files
            if path.is_relative_to(parent) and path != parent
        )
        yield folder, taken


def _instances(patterns: Iterable[str], values: dict[str, str]) -> dict[str, list[str]]:
    """Each identifier the patterns give with ``values``, and the patterns giving it."""
    result: dict[str, list[str]] = {}
    for pattern in patterns:
        if "{ref_" in pattern and "ref_singular_snake" not in values:
            continue
        if "{enum_pascal}" in pattern and "enum_pascal" not in values:
            continue
        result.setdefault(pattern.format_map(values), []).append(pattern)
    return result


def _values(
    names: FeatureNames, package: str, ref: RefCode | None, enum_pascal: str | None = None
) -> dict[str, str]:
    values = {
        "singular_snake": names.singular_snake,
        "plural_snake": names.plural_snake,
        "singular_pascal": names.singular_pascal,
        "plural_pascal": names.plural_pascal,
        "plural_kebab": names.plural_kebab,
        "package": package,
    }
    if ref is not None:
        values |= {
            "ref_plural_snake": ref.plural_snake,
            "ref_singular_snake": ref.singular_snake,
            "ref_singular_pascal": ref.singular_pascal,
        }
    if enum_pascal is not None:
        values["enum_pascal"] = enum_pascal
    return values


def _file_of(where: str) -> str:
    return PurePosixPath(where.split(":", 1)[0]).name


def _problem(names: FeatureNames, package: str, refs: Sequence[RefCode]) -> str | None:
    """Why ``names`` would break the generated code, or None."""
    known = template_names()
    base = _values(names, package, None)
    by_depth = sorted(known.package_folders, key=lambda item: item[0].count("/"))
    for folder, taken in by_depth:
        name = PurePosixPath(folder.format_map(base)).name
        if name in taken:
            parent = PurePosixPath(folder.format_map(base)).parent
            return (
                f"its package {parent}/{name}/ would shadow the project's own "
                f"{parent}/{name} module"
            )
        if name in known.imported_modules:
            return (
                f"its package {PurePosixPath(folder.format_map(base)).parent}/{name}/ would "
                f"take the name of the module '{name}' the project imports (ruff would then "
                "sort that import as the project's own)"
            )
    table = known.table_pattern.format_map(base)
    if table in known.tables:
        return f"its table '{table}' is one the project already has"
    route = known.route_pattern.format_map(base)
    if route in known.route_prefixes:
        return f"its URL prefix '{route}' is taken by a built-in router"
    options: list[RefCode | None] = [*refs] or [None]
    for ref in options:
        clash = _identifier_clash(known, _values(names, package, ref))
        if clash is not None:
            return clash
    return None


def _identifier_clash(known: TemplateNames, values: dict[str, str]) -> str | None:
    """The first identifier two patterns of one scope give with ``values``, explained."""
    for where, patterns in known.scopes:
        for identifier, sources in _instances(patterns, values).items():
            if keyword.iskeyword(identifier):
                return (
                    f"the generated {_file_of(where)} would use the Python keyword "
                    f"'{identifier}' as a name"
                )
            if len(set(sources)) < 2:
                continue
            derived = [source for source in sources if "{" in source]
            fixed = [source for source in sources if "{" not in source]
            what = (
                f"the name '{identifier}' that the generated {_file_of(where)} already uses"
                if fixed
                else f"another name the generated {_file_of(where)} derives from it"
            )
            return f"'{identifier}' (from {derived[0]}) would clash with {what}"
    return None


def check_enum_fields(names: FeatureNames, package: str, enums: Sequence[tuple[str, str]]) -> None:
    """Refuse an enum field whose class (feature class + field name) clashes with a name.

    ``enums`` holds (spec, class suffix) pairs: ``service:enum=a,b`` on ``sessions-log``
    gives the class ``SessionsLogService``, which is the slice's service class.
    """
    known = template_names()
    for spec, suffix in enums:
        clash = _identifier_clash(known, _values(names, package, None, suffix))
        if clash is not None:  # the names alone passed check_feature_names
            raise UserError(
                f"invalid field '{spec}': {clash}; rename the field (its enum class is the "
                "feature's class name followed by the field's)"
            )


def _suggestions(names: FeatureNames) -> Iterator[str]:
    for prefix in ("app", "shop", "my"):
        yield f"{prefix}-{names.plural_kebab}"


def _works(candidate: str, package: str, refs: Sequence[RefCode]) -> bool:
    from fastapi_forge.naming import feature_names

    try:
        return _problem(feature_names(candidate), package, refs) is None
    except UserError:
        return False


def check_feature_names(names: FeatureNames, package: str, refs: Sequence[RefCode] = ()) -> None:
    """Refuse ``names`` if any identifier, folder, table or route it gives would clash."""
    problem = _problem(names, package, refs)
    if problem is None:
        return
    suggestion = next(
        (candidate for candidate in _suggestions(names) if _works(candidate, package, refs)),
        None,
    )
    hint = f"use a more specific name such as '{suggestion}'" if suggestion else "rename it"
    raise UserError(
        f"invalid feature name {names.original!r}: {problem}; {hint}, or state other forms "
        "with --singular/--plural"
    )


def list_query_parameters() -> frozenset[str]:
    """The query parameters every list endpoint has (``page``, ``page_size``, ``sort``)."""
    return template_names().query_parameters
