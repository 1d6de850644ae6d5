"""References between features: which features a project has, whether their rows are
owned, and the names of the one a ``ref=`` field points at, read from its files.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi_forge.engine.target import Project
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.codegen import RefCode
from fastapi_forge.generators.feature.fields import FieldSpec
from fastapi_forge.naming import FeatureNames, feature_names


def existing_features(project: Project) -> list[str]:
    """The feature packages of the project."""
    if not project.features_dir.is_dir():
        return []
    return sorted(
        path.name
        for path in project.features_dir.iterdir()
        if path.is_dir() and (path / "__init__.py").is_file()
    )


def is_owned(project: Project, plural_snake: str) -> bool:
    """Whether a feature's rows carry an ``owner_id`` (an owned slice)."""
    models = project.features_dir / plural_snake / "models.py"
    try:
        return "owner_id: Mapped[" in models.read_text(encoding="utf-8")
    except OSError:
        return False


def referencing_features(project: Project, plural_snake: str, existing: Sequence[str]) -> list[str]:
    """The features whose rows reference ``plural_snake``'s (a ``ref=`` field to it)."""
    foreign_key = re.compile(r"ForeignKey\(\s*[\"']" + re.escape(plural_snake) + r"\.id[\"']")
    found = []
    for other in existing:
        if other == plural_snake:
            continue
        try:
            models = (project.features_dir / other / "models.py").read_text(encoding="utf-8")
        except OSError:
            continue
        if foreign_key.search(models):
            found.append(other)
    return found


def check_access_change(
    project: Project, plural_snake: str, existing: Sequence[str], *, public: bool
) -> None:
    """Refuse re-rendering a referenced feature with owned rows made public, or the reverse.

    The features referencing it were generated for its old mode (their test factories
    pass an owner or not; a public feature cannot reference an owned one).
    """
    if plural_snake not in existing or is_owned(project, plural_snake) == (not public):
        return
    referencing = referencing_features(project, plural_snake, existing)
    if not referencing:
        return
    was, now = ("owned", "public") if public else ("public", "owned")
    flag = "drop --public" if public else "pass --public"
    raise UserError(
        f"feature '{plural_snake}' is referenced by {', '.join(referencing)}, generated for "
        f"its {was} rows: --force cannot make it {now}; {flag} to keep it {was}, or remove "
        "those references first"
    )


def resolve_ref(
    project: Project, spec: FieldSpec, names: FeatureNames, existing: Sequence[str], public: bool
) -> RefCode:
    assert spec.ref_target is not None
    if spec.ref_target.strip().lower() in ("user", "users"):
        raise UserError(
            f"invalid field '{spec.spec}': a field cannot reference the built-in users yet "
            "(owned rows already record their creator in owner_id); to store another user, "
            f"add a uuid field instead, e.g. --field {spec.name}_user_id:uuid?, and check it "
            "in the service"
        )
    try:
        target = existing_feature_names(project, spec.ref_target, existing)
    except UserError as exc:
        raise UserError(f"invalid field '{spec.spec}': {exc}") from None
    if target.plural_snake == names.plural_snake:
        raise UserError(
            f"invalid field '{spec.spec}': a feature cannot reference itself yet; "
            "add the relation by hand after generating"
        )
    if target.plural_snake not in existing:
        raise UserError(
            f"invalid field '{spec.spec}': feature '{target.plural_snake}' does not exist; "
            f"add it first with `forge add feature {target.plural_snake}`"
        )
    if public and is_owned(project, target.plural_snake):
        raise UserError(
            f"invalid field '{spec.spec}': a --public feature cannot reference the owned "
            f"feature '{target.plural_snake}'; drop --public or reference a public feature"
        )
    return RefCode(
        plural_snake=target.plural_snake,
        singular_snake=target.singular_snake,
        singular_pascal=target.singular_pascal,
        owned=is_owned(project, target.plural_snake),
    )


def existing_feature_names(project: Project, typed: str, existing: Sequence[str]) -> FeatureNames:
    """The names of the feature ``typed`` refers to, read from its files when it exists.

    A feature made with --singular/--plural has forms the inflector would not derive, so
    its package is matched as typed too, and its class and factory names are read from its
    models and test factories.
    """
    derived = feature_names(typed)
    as_typed = typed.strip().replace("-", "_").lower()
    plural = next(
        (name for name in (derived.plural_snake, as_typed) if name in existing),
        derived.plural_snake,
    )
    if plural not in existing:
        return derived
    pascal = _defined_name(
        project.features_dir / plural / "models.py",
        ast.ClassDef,
        lambda node: any(
            isinstance(item, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in item.targets)
            for item in node.body
        ),
    )
    factory = _defined_name(
        project.root / "tests" / plural / "factories.py",
        ast.AsyncFunctionDef,
        lambda node: node.name.startswith("create_"),
    )
    return dataclasses.replace(
        derived,
        plural_snake=plural,
        singular_pascal=pascal or derived.singular_pascal,
        singular_snake=factory.removeprefix("create_") if factory else derived.singular_snake,
    )


def _defined_name(path: Path, kind: type[ast.AST], accept: Any) -> str | None:
    """The name of the first top-level ``kind`` node of ``path`` that ``accept`` takes."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        if isinstance(node, kind) and accept(node):
            return str(getattr(node, "name", "")) or None
    return None
