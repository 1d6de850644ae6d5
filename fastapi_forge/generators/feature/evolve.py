"""The migrations that evolve a slice after its first render: columns added, columns
dropped, the table dropped.

Each is its own Alembic revision, chained onto the head of the moment and recorded in the
feature's manifest entry (``[[feature.evolutions]]``), so that rendering the project again
from its manifest gives exactly the same files. The code of each operation is computed here
from the fields' :class:`~fastapi_forge.generators.feature.codegen.FieldCode` (the rules
table decides types and constraints once); ``templates/feature/evolve/migration.py.jinja``
lays it out. Every operation runs in ``batch_alter_table``: on SQLite, Alembic copies the
table (constraints and indexes included); elsewhere the ALTERs run as they are.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from fastapi_forge.engine.render import template_dir
from fastapi_forge.generators.feature.codegen import FieldCode
from fastapi_forge.generators.feature.fields import FieldSpec

__all__ = [
    "ADD",
    "CHANGES",
    "DROP",
    "REMOVE",
    "Evolution",
    "backfill_literal",
    "evolution_source",
    "migration_suffix",
]

ADD = "add"
"""Columns added (``forge add field``)."""
REMOVE = "remove"
"""Columns dropped (``forge remove field``)."""
DROP = "drop"
"""The table dropped (``forge remove feature``)."""
CHANGES = (ADD, REMOVE, DROP)

_MAX_SLUG = 60


@dataclass(frozen=True)
class Evolution:
    """One recorded change of a slice's table, and its migration."""

    change: str
    fields: tuple[str, ...]
    """The field specs added or dropped; for a dropped table, all of them (its downgrade
    creates the table again)."""
    file: str
    revision: str
    down_revision: str
    create_date: str

    @classmethod
    def from_spec(cls, entry: Mapping[str, Any]) -> Evolution:
        """Read one ``[[feature.evolutions]]`` entry of the manifest."""
        return cls(
            change=str(entry["change"]),
            fields=tuple(str(spec) for spec in entry.get("fields", ())),
            file=str(entry["file"]),
            revision=str(entry["revision"]),
            down_revision=str(entry["down_revision"]),
            create_date=str(entry["create_date"]),
        )

    def to_spec(self) -> dict[str, Any]:
        """The manifest entry."""
        return {
            "change": self.change,
            "fields": list(self.fields),
            "file": self.file,
            "revision": self.revision,
            "down_revision": self.down_revision,
            "create_date": self.create_date,
        }


def migration_suffix(change: str, table: str, columns: Sequence[str]) -> str:
    """The slug of the migration file: ``_add_quantity_to_orders``, ``_drop_orders``."""
    if change == DROP:
        return f"_drop_{table}"
    joined = "_".join(columns)
    if len(joined) > _MAX_SLUG:
        joined = "columns"
    verb = "add" if change == ADD else "remove"
    preposition = "to" if change == ADD else "from"
    return f"_{verb}_{joined}_{preposition}_{table}"


def backfill_literal(spec: FieldSpec) -> str | None:
    """The Python literal existing rows get for ``spec`` (its default), or None."""
    if not spec.has_default or spec.default is None:
        return None
    value = spec.default
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, date):
        return f"dt.date({value.year}, {value.month}, {value.day})"
    return repr(value)


def _q(text: str) -> str:
    return repr(text)


def _create_link_lines(table: str, codes: Sequence[FieldCode]) -> list[str]:
    """Create the association table of each refs field (with both foreign keys and a
    composite primary key), as the slice's first migration does."""
    lines: list[str] = []
    for code in codes:
        link = code.link
        if link is None:
            continue
        lines += [
            "op.create_table(",
            f"    {_q(link.table)},",
            f"    sa.Column({_q(link.own_column)}, sa.Uuid(), nullable=False),",
            f"    sa.Column({_q(link.other_column)}, sa.Uuid(), nullable=False),",
            f"    sa.ForeignKeyConstraint([{_q(link.own_column)}], [{_q(table + '.id')}], "
            f'name=op.f({_q(link.own_fk)}), ondelete="CASCADE"),',
            f"    sa.ForeignKeyConstraint([{_q(link.other_column)}], "
            f"[{_q(link.target + '.id')}], name=op.f({_q(link.other_fk)}), "
            'deferrable=True, initially="DEFERRED"),',
            f"    sa.PrimaryKeyConstraint({_q(link.own_column)}, {_q(link.other_column)}, "
            f"name=op.f({_q(link.pk)})),",
            ")",
            f"op.create_index(op.f({_q(link.index)}), {_q(link.table)}, "
            f"[{_q(link.other_column)}], unique=False)",
        ]
    return lines


def _drop_link_lines(codes: Sequence[FieldCode]) -> list[str]:
    """Drop the association tables (the linked rows stay)."""
    lines: list[str] = []
    for code in reversed(codes):
        if code.link is not None:
            lines.append(
                f"op.drop_index(op.f({_q(code.link.index)}), table_name={_q(code.link.table)})"
            )
            lines.append(f"op.drop_table({_q(code.link.table)})")
    return lines


def _add_lines(
    table: str, pairs: Sequence[tuple[FieldSpec, FieldCode]], *, restoring: bool
) -> list[str]:
    links = _create_link_lines(table, [code for _, code in pairs])
    pairs = [(spec, code) for spec, code in pairs if code.link is None]
    if not pairs:
        return links
    return _add_column_lines(table, pairs, restoring=restoring) + links


def _add_column_lines(
    table: str, pairs: Sequence[tuple[FieldSpec, FieldCode]], *, restoring: bool
) -> list[str]:
    """Add the columns, fill existing rows with each default, then constrain them.

    ``restoring`` (the downgrade of a dropped column): a required column without a default
    cannot be filled, so it comes back nullable, its values lost with the upgrade.
    """
    lines = [f"with op.batch_alter_table({_q(table)}) as batch_op:"]
    fills: list[tuple[FieldCode, str]] = []
    not_null: list[FieldCode] = []
    for spec, code in pairs:
        literal = backfill_literal(spec)
        if literal is not None:
            fills.append((code, literal))
        if not code.optional and literal is not None:
            not_null.append(code)
        nullable = code.optional or literal is not None or restoring
        lines.append(
            f"    batch_op.add_column(sa.Column({_q(code.name)}, {code.migration_type}, "
            f"nullable={nullable}))"
        )
    if fills:
        columns = ", ".join(
            f"sa.column({_q(code.name)}, {code.migration_type})" for code, _ in fills
        )
        values = ", ".join(f"{code.name!r}: {literal}" for code, literal in fills)
        lines.append(f"rows = sa.table({_q(table)}, {columns})")
        lines.append(f"op.execute(rows.update().values({{{values}}}))")
    after: list[str] = []
    for code in not_null:
        after.append(
            f"    batch_op.alter_column({_q(code.name)}, existing_type={code.migration_type}, "
            "nullable=False)"
        )
    for _, code in pairs:
        for name, sql in code.check_constraints:
            after.append(
                f"    batch_op.create_check_constraint(op.f({_q(f'ck_{table}_{name}')}), {sql!r})"
            )
        if code.foreign_key:
            fk_name, target = code.foreign_key
            after.append(
                f"    batch_op.create_foreign_key(op.f({_q(fk_name)}), {_q(target)}, "
                f'[{_q(code.name)}], ["id"], ondelete="RESTRICT")'
            )
        if code.unique_constraint:
            uq_name, uq_columns = code.unique_constraint
            after.append(
                f"    batch_op.create_unique_constraint(op.f({_q(uq_name)}), "
                f"[{', '.join(_q(column) for column in uq_columns)}])"
            )
        for ix_name, unique in code.indexes:
            after.append(
                f"    batch_op.create_index(op.f({_q(ix_name)}), [{_q(code.name)}], "
                f"unique={unique})"
            )
    if after:
        lines.append(f"with op.batch_alter_table({_q(table)}) as batch_op:")
        lines.extend(after)
    return lines


def _drop_lines(table: str, codes: Sequence[FieldCode]) -> list[str]:
    """Drop the columns' indexes and constraints, then the columns (in reverse order);
    the association tables of refs fields first."""
    links = _drop_link_lines(codes)
    codes = [code for code in codes if code.link is None]
    if not codes:
        return links
    return links + _drop_column_lines(table, codes)


def _drop_column_lines(table: str, codes: Sequence[FieldCode]) -> list[str]:
    lines = [f"with op.batch_alter_table({_q(table)}) as batch_op:"]
    for code in reversed(codes):
        for ix_name, _ in code.indexes:
            lines.append(f"    batch_op.drop_index(op.f({_q(ix_name)}))")
        if code.unique_constraint:
            lines.append(
                f"    batch_op.drop_constraint(op.f({_q(code.unique_constraint[0])}), "
                'type_="unique")'
            )
        if code.foreign_key:
            lines.append(
                f'    batch_op.drop_constraint(op.f({_q(code.foreign_key[0])}), type_="foreignkey")'
            )
        for name, _ in code.check_constraints:
            lines.append(
                f'    batch_op.drop_constraint(op.f({_q(f"ck_{table}_{name}")}), type_="check")'
            )
        if code.kind == "enum":
            # The CHECK of a non-native enum, named by the project's convention.
            lines.append(
                f"    batch_op.drop_constraint(op.f({_q(f'ck_{table}_{table}_{code.name}')}), "
                'type_="check")'
            )
    for code in reversed(codes):
        lines.append(f"    batch_op.drop_column({_q(code.name)})")
    return lines


def _create_table_lines(
    table: str, codes: Sequence[FieldCode], constraints: Sequence[str], *, owned: bool
) -> list[str]:
    """The ``create_table`` of the slice's first migration, for the fields it has now."""
    lines = [
        "op.create_table(",
        f"    {_q(table)},",
        '    sa.Column("id", sa.Uuid(), nullable=False),',
        '    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),',
        '    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),',
    ]
    if owned:
        lines.append('    sa.Column("owner_id", sa.Uuid(), nullable=False),')
    lines += [f"    {code.migration_column}," for code in codes if code.link is None]
    lines += [f"    {entry}," for entry in constraints]
    lines.append(")")
    if owned:
        lines.append(
            f"op.create_index(op.f({_q(f'ix_{table}_owner_id')}), {_q(table)}, "
            '["owner_id"], unique=False)'
        )
    for code in codes:
        for ix_name, unique in code.indexes:
            lines.append(
                f"op.create_index(op.f({_q(ix_name)}), {_q(table)}, [{_q(code.name)}], "
                f"unique={unique})"
            )
    return lines + _create_link_lines(table, codes)


def _drop_table_lines(table: str, codes: Sequence[FieldCode], *, owned: bool) -> list[str]:
    lines = _drop_link_lines(codes) + [
        f"op.drop_index(op.f({_q(ix_name)}), table_name={_q(table)})"
        for code in reversed(codes)
        for ix_name, _ in code.indexes
    ]
    if owned:
        lines.append(f"op.drop_index(op.f({_q(f'ix_{table}_owner_id')}), table_name={_q(table)})")
    lines.append(f"op.drop_table({_q(table)})")
    return lines


@functools.cache
def _template() -> jinja2.Template:
    folder = Path(template_dir("feature")) / "evolve"
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - Python source, not HTML
    )
    return environment.get_template("migration.py.jinja")


def evolution_source(
    evolution: Evolution,
    table: str,
    pairs: Sequence[tuple[FieldSpec, FieldCode]],
    *,
    constraints: Sequence[str] = (),
    owned: bool = True,
) -> str:
    """The migration of ``evolution`` on ``table``; ``pairs`` are its fields, parsed and
    coded (for a dropped table, every field, and ``constraints`` its create_table's)."""
    codes = [code for _, code in pairs]
    columns = ", ".join(code.name for code in codes)
    if evolution.change == ADD:
        title = f"Add {columns} to {table}."
        upgrade = _add_lines(table, pairs, restoring=False)
        downgrade = _drop_lines(table, codes)
        filled = any(spec.has_default for spec, _ in pairs)
        docs = (
            f"Add {columns} to the {table} table"
            + (" (existing rows get each default)." if filled else "."),
            f"Drop {columns} from the {table} table.",
        )
    elif evolution.change == REMOVE:
        title = f"Remove {columns} from {table}."
        upgrade = _drop_lines(table, codes)
        downgrade = _add_lines(table, pairs, restoring=True)
        docs = (
            f"Drop {columns} from the {table} table (their values are lost).",
            f"Add {columns} back to the {table} table (with each default, or empty).",
        )
    else:
        title = f"Drop {table}."
        upgrade = _drop_table_lines(table, codes, owned=owned)
        downgrade = _create_table_lines(table, codes, constraints, owned=owned)
        docs = (
            f"Drop the {table} table (its rows are lost).",
            f"Create the {table} table again, empty.",
        )
    return _template().render(
        title=_wrapped(title, indent=0),
        revision=evolution.revision,
        down_revision=evolution.down_revision,
        create_date=evolution.create_date,
        upgrade=upgrade,
        downgrade=downgrade,
        upgrade_doc=_wrapped(docs[0], indent=4),
        downgrade_doc=_wrapped(docs[1], indent=4),
    )


def _wrapped(text: str, *, indent: int) -> str:
    """``text`` as docstring lines within the project's 100 columns, quotes included: field
    names of up to 40 characters make long lists of columns."""
    lines = textwrap.wrap(text, width=100 - indent - 6, break_long_words=False)
    return ("\n" + " " * indent).join(lines)
