"""The data the feature template is rendered with: every name, phrase and code fragment,
computed in Python (literals made with ``repr``), so the templates only lay them out.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi_forge.engine.render import template_dir
from fastapi_forge.generators.feature.codegen import FieldCode, RefCode, pascal
from fastapi_forge.generators.feature.fields import FieldKind, FieldSpec
from fastapi_forge.naming import FeatureNames

TEMPLATE = "feature"


def now() -> datetime:
    # SOURCE_DATE_EPOCH makes renders reproducible (snapshot tests, packagers).
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(UTC)


def example_document(codes: Sequence[FieldCode]) -> str:
    """A static JSON example for the schema (no counters or awaits)."""
    parts = []
    for code in codes:
        if code.kind == "ref":
            value = '"8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3"'
        elif code.kind == "refs":
            value = '["8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3"]'
        elif code.document_example is not None:
            value = code.document_example
        elif code.uses_counter or code.example.startswith("str("):
            value = {
                "str": '"Example"',
                "int": "1",
                "float": "1.5",
                "decimal": '"1.00"',
                "date": '"2024-01-31"',
                "datetime": '"2024-01-31T12:00:00Z"',
                "uuid": '"8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3"',
            }.get(code.kind, code.example)
        else:
            value = code.example
        parts.append(f'"{code.name}": {value}')
    return "{" + ", ".join(parts) + "}"


_AN_LETTERS = frozenset("aefhilmnorsx")  # initialisms said with a vowel: an FAQ, an SKU


_A_WORDS = ("uni", "use", "usa", "usu", "ure", "eu", "one", "once")


_AN_WORDS = ("hour", "honest", "honor", "honour", "heir")


def phrase(title: str) -> str:
    """A title as it reads inside a sentence: ``Order item`` -> ``order item``, ``FAQ``."""
    word = title.split(" ", 1)[0]
    return title if len(word) > 1 and word.isupper() else title[:1].lower() + title[1:]


def with_article(title: str) -> str:
    """``order`` -> ``an order``, ``user`` -> ``a user``, ``FAQ entry`` -> ``an FAQ entry``."""
    word = title.split(" ", 1)[0]
    lower = word.lower()
    if len(word) > 1 and word.isupper():
        article = "an" if lower[0] in _AN_LETTERS else "a"
    elif lower.startswith(_AN_WORDS):
        article = "an"
    elif lower.startswith(_A_WORDS):
        article = "a"
    else:
        article = "an" if lower[:1] in set("aeiou") else "a"
    return f"{article} {title}"


@functools.cache
def template_suffixes() -> frozenset[str]:
    """Every ``{{ singular_pascal }}Suffix`` name the slice templates define or use."""
    pattern = re.compile(r"\{\{ singular_pascal \}\}([A-Z][A-Za-z0-9]*)")
    suffixes: set[str] = set()
    for path in template_dir(TEMPLATE).rglob("*.jinja"):
        suffixes.update(pattern.findall(path.read_text(encoding="utf-8")))
    return frozenset(suffixes)


def enum_classes(fields: Sequence[FieldSpec], singular_pascal: str) -> dict[str, str]:
    """A class per enum field: ``OrderStatus``, or ``OrderServiceChoice`` where the plain
    name is one the templates use (``OrderService``) or another field's."""
    taken = {singular_pascal + suffix for suffix in template_suffixes()} | {singular_pascal}
    classes: dict[str, str] = {}
    for spec in fields:
        if spec.kind is not FieldKind.ENUM:
            continue
        name = f"{singular_pascal}{pascal(spec.name)}"
        while name in taken:
            name += "Choice"
        taken.add(name)
        classes[spec.name] = name
    return classes


def test_code(
    codes: Sequence[FieldCode], refs: Iterable[RefCode], *, owned: bool
) -> dict[str, str | bool]:
    """Argument lists of the generated tests: each test takes only what it uses."""
    refs = list(refs)
    needs_owner = any(ref.owned for ref in refs)
    params = ["session: AsyncSession"] if refs else []
    args = ["session"] if refs else []
    if needs_owner:
        params.append("owner_id: UUID")
        args.append("owner_id")
    has_owner = "owner_id, headers = await _owner_and_headers(users)"
    no_owner = "headers = await _headers(users)"
    return {
        "payload_params": ", ".join([*params, "/", ""]) if params else "",
        "payload_args": ", ".join([*args, ""]) if args else "",
        "payload_session": ", session: AsyncSession" if refs else "",
        # Arrange a test that posts a payload, or one that stores a row first.
        "arrange_payload": has_owner if needs_owner else no_owner,
        "arrange_row": has_owner if owned else no_owner,
        "create_args": "session, owner_id" if owned else "session",
        # An owned slice pointing at owned rows: references must be the row owner's.
        "references_owned": owned and needs_owner,
    }


def table_args(codes: Sequence[FieldCode]) -> list[str]:
    """The model's ``__table_args__`` entries, as Python source."""
    entries = [
        f"CheckConstraint({sql!r}, name={name!r})"
        for code in codes
        for name, sql in code.check_constraints
    ]
    entries += [
        "UniqueConstraint("
        + ", ".join(repr(column) for column in code.unique_constraint[1])
        + f", name={code.unique_constraint[0]!r})"
        for code in codes
        if code.unique_constraint and len(code.unique_constraint[1]) > 1
    ]
    return entries


def migration_constraints(codes: Sequence[FieldCode], table: str, *, owned: bool) -> list[str]:
    """The constraints of the migration's ``create_table``, as Python source."""
    entries = [
        f"sa.CheckConstraint({sql!r}, name=op.f({f'ck_{table}_{name}'!r}))"
        for code in codes
        for name, sql in code.check_constraints
    ]
    if owned:
        entries.append(
            f'sa.ForeignKeyConstraint(["owner_id"], ["users.id"], '
            f'name=op.f({f"fk_{table}_owner_id_users"!r}), ondelete="CASCADE")'
        )
    entries += [
        f"sa.ForeignKeyConstraint([{code.name!r}], [{code.foreign_key[1] + '.id'!r}], "
        f'name=op.f({code.foreign_key[0]!r}), ondelete="RESTRICT")'
        for code in codes
        if code.foreign_key
    ]
    entries.append(f"sa.PrimaryKeyConstraint('id', name=op.f({f'pk_{table}'!r}))")
    entries += [
        "sa.UniqueConstraint("
        + ", ".join(repr(column) for column in code.unique_constraint[1])
        + f", name=op.f({code.unique_constraint[0]!r}))"
        for code in codes
        if code.unique_constraint
    ]
    return entries


def slice_data(
    package: str,
    names: FeatureNames,
    codes: Sequence[FieldCode],
    refs: Sequence[RefCode],
    *,
    owned: bool,
    revision: str,
    down_revision: str,
    migration: str,
    write_access: str | None = None,
) -> dict[str, Any]:
    """The answers the feature template is rendered with.

    ``write_access`` is who may write: ``owner`` (the default of an owned slice), ``admin``
    (the default of a public one) or ``anyone``.
    """
    if write_access is None:
        write_access = "owner" if owned else "admin"
    unique_refs = {ref.plural_snake: ref for ref in refs}
    nested = nested_routes(codes)
    singular_phrase, plural_phrase = phrase(names.singular_title), phrase(names.plural_title)
    return {
        "package_name": package,
        "singular_snake": names.singular_snake,
        "plural_snake": names.plural_snake,
        "singular_pascal": names.singular_pascal,
        "plural_kebab": names.plural_kebab,
        "singular_title": names.singular_title,
        "plural_title": names.plural_title,
        "singular_phrase": singular_phrase,
        "plural_phrase": plural_phrase,
        "owned": owned,
        "write_access": write_access,
        "a_singular": with_article(singular_phrase),
        "fields": [dataclasses.asdict(code) for code in codes],
        "refs": [dataclasses.asdict(ref) for ref in unique_refs.values()],
        "filters": [dataclasses.asdict(flt) for code in codes for flt in code.filters],
        "table_args": table_args(codes),
        "migration_constraints": migration_constraints(codes, names.plural_snake, owned=owned),
        "unique_fields": [code.name for code in codes if code.unique],
        # Unique references to owned rows: another owner's value is a row of their own.
        "own_row_refs": [
            code.name for code in codes if code.unique and code.ref is not None and code.ref.owned
        ],
        "json_fields": [code.name for code in codes if code.kind == "json"],
        "decimal_fields": [code.name for code in codes if code.kind == "decimal"],
        "sortable_fields": ["created_at", "updated_at"]
        + [code.name for code in codes if code.sortable],
        "revision": revision,
        "down_revision": down_revision,
        "create_date": f"{now():%Y-%m-%d %H:%M:%S%z}",
        "migration_file": f"{migration}.py",
        "uses_counter": any(code.uses_counter for code in codes),
        "test": test_code(codes, refs, owned=owned),
        "example_json": example_document(codes),
        "nested": nested,
        "links": [code.name for code in codes if code.link is not None],
    }


def nested_routes(codes: Sequence[FieldCode]) -> list[dict[str, Any]]:
    """One nested list route per referenced feature (``GET /customers/{id}/orders``):
    for each feature exactly one field references (two would want the same path)."""
    counts: dict[str, int] = {}
    for code in codes:
        if code.ref is not None and code.link is None:
            counts[code.ref.plural_snake] = counts.get(code.ref.plural_snake, 0) + 1
    routes = []
    for code in codes:
        ref = code.ref
        if ref is None or code.link is not None or counts[ref.plural_snake] != 1:
            continue
        parent_phrase = ref.singular_snake.replace("_", " ")
        routes.append(
            {
                "column": code.name,
                "parent_plural": ref.plural_snake,
                "parent_snake": ref.singular_snake,
                "parent_pascal": ref.singular_pascal,
                "parent_kebab": ref.plural_snake.replace("_", "-"),
                "parent_owned": ref.owned,
                # A unique reference: a parent has one row at most (per owner, if owned).
                "unique": code.unique,
                "parent_phrase": parent_phrase,
                "a_parent": with_article(parent_phrase),
            }
        )
    return routes
