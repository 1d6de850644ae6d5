"""Checks on a planned slice, made on the rendered code before anything is written:
field names the generated code cannot take, names a field would shadow, and what the
slice imports from a project that an older forge made.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path, PurePosixPath

from fastapi_forge.engine.target import Project
from fastapi_forge.engine.workspace import PlannedFile
from fastapi_forge.errors import ForgeError, UserError
from fastapi_forge.generators.feature.codegen import FieldCode
from fastapi_forge.generators.feature.fields import FieldSpec
from fastapi_forge.generators.feature.reserved import list_query_parameters


def check_field_names(fields: Sequence[FieldSpec], codes: Sequence[FieldCode]) -> None:
    for spec in fields:
        if spec.name == "l":
            raise UserError(
                f"invalid field '{spec.spec}': the project's linter refuses the name 'l' "
                "(ruff E741: it reads like 1 or I); use a longer name, e.g. 'length'"
            )
    params: dict[str, str] = {}
    columns = {code.name for code in codes}
    for code in codes:
        for flt in code.filters:
            if flt.param in list_query_parameters():
                raise UserError(
                    f"invalid field '{code.spec}': its list filter would be the query "
                    f"parameter '{flt.param}', which every list endpoint uses for paging and "
                    f"sorting; rename the field (e.g. '{code.name}_value')"
                )
            if flt.param != code.name and flt.param in columns:
                raise UserError(
                    f"filter '{flt.param}' of field '{code.spec}' collides with the field "
                    f"'{flt.param}'; rename one of them"
                )
            if flt.param in params:
                raise UserError(
                    f"fields '{params[flt.param]}' and '{code.spec}' both produce the query "
                    f"parameter '{flt.param}'; rename one of them"
                )
            params[flt.param] = code.spec


def _reads(node: ast.AST | None) -> Iterator[str]:
    if node is not None:
        for leaf in ast.walk(node):
            if isinstance(leaf, ast.Name) and isinstance(leaf.ctx, ast.Load):
                yield leaf.id


def class_scope_collisions(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(class, name) for each name a class body binds and then reads again.

    A field is an attribute bound in the class body; a later read of the same name in that
    body (a type, a function) gets the field instead. Python evaluates ``x: T = v`` in the
    order ``v``, bind ``x``, ``T``: a field's own annotation already sees the field.
    """
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bound: set[str] = set()

        def hits(*parts: ast.AST | None, bound: set[str] = bound) -> set[str]:
            return {name for part in parts for name in _reads(part) if name in bound}

        for statement in node.body:
            found: set[str] = set()
            if isinstance(statement, ast.AnnAssign):
                found |= hits(statement.value)
                if statement.value is not None and isinstance(statement.target, ast.Name):
                    bound.add(statement.target.id)
                found |= hits(statement.annotation)
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = statement.args
                annotations = [
                    arg.annotation for arg in ast.walk(arguments) if isinstance(arg, ast.arg)
                ]
                found |= hits(
                    *statement.decorator_list,
                    *arguments.defaults,
                    *arguments.kw_defaults,
                    *annotations,
                    statement.returns,
                )
                bound.add(statement.name)
            elif isinstance(statement, ast.ClassDef):
                found |= hits(*statement.bases, *statement.decorator_list)
                bound.add(statement.name)
            else:
                found |= hits(statement)
                if isinstance(statement, ast.Assign):
                    bound.update(t.id for t in statement.targets if isinstance(t, ast.Name))
            for name in sorted(found):
                yield node.name, name


def check_shadowing(files: Sequence[PlannedFile], codes: Sequence[FieldCode]) -> None:
    """Refuse a field whose name hides a name the generated classes still need.

    Checked on the rendered code itself, so a template change cannot bring a collision
    back unnoticed. The templates avoid most by namespacing (``dt.date``, ``UUID``); what
    remains (builtins such as ``str``, SQLAlchemy's ``mapped_column``) is refused here.
    """
    by_name = {code.name: code for code in codes}
    for planned in files:
        if not planned.path.endswith(".py"):
            continue
        tree = ast.parse(planned.content)
        for class_name, name in class_scope_collisions(tree):
            code = by_name.get(name)
            if code is None:  # pragma: no cover - a template defect, not the user's input
                raise ForgeError(
                    f"{planned.path}: class {class_name} reads '{name}' after binding it"
                )
            raise UserError(
                f"invalid field '{code.spec}': the generated class {class_name} "
                f"({Path(planned.path).name}) uses Python's '{name}' after this field would "
                f"replace it; rename the field (e.g. '{name}_value')"
            )


def _defined_names(path: Path) -> set[str] | None:
    """The top-level names a module defines or imports, or None if it cannot be read."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def check_project_provides(
    project: Project, files: Sequence[PlannedFile], referenced: Collection[str] = ()
) -> None:
    """Refuse a slice that imports from the project what the project does not define.

    A project made by an older forge may lack a helper newer slices use (``shared``,
    ``core``, ``auth``); the slice would not even import. Checked on the rendered code.
    Imports from the ``referenced`` features are left out: their names were resolved with
    the reference (a replay may render a slice before a feature it references).
    """
    planned = {planned.path for planned in files}
    skipped = tuple(f"src/{project.package}/features/{name}/" for name in referenced)
    for item in files:
        in_slice = item.path.startswith(f"src/{project.package}/features/")
        if not item.path.endswith(".py") or not in_slice:
            continue
        folder = PurePosixPath(item.path).parent
        for node in ast.walk(ast.parse(item.content)):
            if not isinstance(node, ast.ImportFrom) or node.level == 0 or node.module is None:
                continue
            base = folder
            for _ in range(node.level - 1):
                base = base.parent
            target = (base / node.module.replace(".", "/")).with_suffix(".py")
            if target.as_posix() in planned or target.as_posix().startswith(skipped or ("\0",)):
                continue
            module = project.root / target
            if not module.is_file():  # a package: ``from ..auth import x``
                module = module.with_suffix("") / "__init__.py"
            defined = _defined_names(module)
            missing = sorted(
                alias.name
                for alias in node.names
                if (defined is None or alias.name not in defined)
                and not (module.parent / f"{alias.name}.py").is_file()  # a submodule
            )
            if missing:
                raise UserError(
                    f"the slice needs {', '.join(missing)} from {target.as_posix()}, which this "
                    "project does not define (it was made by an older forge, or the file was "
                    "changed); add it from forge's project template, then run the command again"
                )
    config = project.package_dir / "core" / "config.py"
    needs_setting = any(b"rate_limit_public_writes" in item.content for item in files)
    if needs_setting and b"rate_limit_public_writes" not in _read_bytes(config):
        shown = config.relative_to(project.root).as_posix()
        raise UserError(
            f"--public-writes needs the setting rate_limit_public_writes in {shown}, "
            "which this project (made by an older forge) lacks; add "
            '`rate_limit_public_writes: str = "30/minute"` to Settings, then run the command again'
        )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
