"""Property: for every spec the field language accepts, the generated schema and the
generated table agree on which values are valid.

Hypothesis writes field specs (random types, bounds, lengths, digits, places, defaults),
forge renders a real slice for each into a project made by ``forge new``, and the slice's
own ``schemas.py`` and ``models.py`` are imported in-process. Then, for values near every
edge the spec declares (and the type's own limits):

- a value the Create schema accepts is stored by the database unchanged; and
- a value the database stores unchanged is accepted by the Create schema,

where "the database" is SQLite enforcing the table's CHECK and NOT NULL constraints,
together with what PostgreSQL's column types enforce and SQLite does not (``varchar(n)``
lengths, 32-bit ``integer``, ``numeric(p, s)`` without rounding): the generated suite
runs on both. Decimals are judged as PostgreSQL's ``numeric`` judges them (exactly):
SQLite keeps them as doubles, which the README documents. ``SCHEMA_ONLY`` lists the rules
only the schema enforces, on purpose.
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, localcontext
from pathlib import Path
from types import ModuleType
from typing import Any

import hypothesis
import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastapi_forge.engine.render import render_template
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.codegen import field_code
from fastapi_forge.generators.feature.context import slice_data
from fastapi_forge.generators.feature.fields import INT32_MAX, INT32_MIN, FieldSpec, parse_fields
from fastapi_forge.generators.project.generator import create_project
from fastapi_forge.naming import feature_names, normalize_project_name

PACKAGE = "propcheck"
SCHEMA_ONLY = (
    # A str has at least one character: the column allows ''.
    "empty str",
    # Text is stripped of surrounding whitespace before it is checked; the column stores
    # what it is given.
    "surrounding whitespace",
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("property") / PACKAGE
    create_project(
        normalize_project_name(PACKAGE),
        root,
        description="Property checks",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    sys.path.insert(0, str(root / "src"))
    yield root
    sys.path.remove(str(root / "src"))
    for name in [module for module in sys.modules if module.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def _slice(project: Path, spec: FieldSpec) -> tuple[ModuleType, ModuleType]:
    """Render a public slice with the one field; import its models and schemas."""
    names = feature_names(f"propthings{next(_counter)}")
    code = field_code(
        spec, table=names.plural_snake, singular_pascal=names.singular_pascal, ref=None
    )
    data = slice_data(
        PACKAGE, names, [code], [], owned=False, revision="r", down_revision="d", migration="m"
    )
    scratch = project / ".scratch" / names.plural_snake
    render_template("feature", scratch, data)
    package = f"src/{PACKAGE}/features/{names.plural_snake}"
    shutil.copytree(scratch / package, project / package)
    base = f"{PACKAGE}.features.{names.plural_snake}"
    return importlib.import_module(f"{base}.models"), importlib.import_module(f"{base}.schemas")


# --- specs -------------------------------------------------------------------------------

_INTS = st.integers(INT32_MIN, INT32_MAX) | st.sampled_from([0, 1, -1, 7, INT32_MAX, INT32_MIN])


def _decimal_text(draw: Any, places: int, digits: int) -> str:
    whole = draw(st.integers(0, min(digits - places, 6)))
    sign = draw(st.sampled_from(["", "-"]))
    integer = draw(st.integers(0, 10**whole - 1)) if whole else 0
    fraction = draw(st.integers(0, 10**places - 1))
    return f"{sign}{integer}.{fraction:0{places}d}"


@st.composite
def specs(draw: Any) -> str:
    kind = draw(st.sampled_from(["str", "text", "int", "float", "decimal", "bool", "date", "enum"]))
    optional = draw(st.booleans())
    parts = [f"field:{kind}{'?' if optional else ''}"]
    if kind == "enum":
        values = draw(
            st.lists(
                st.sampled_from(["a", "b", "paid", "x_1", "long_value"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        parts = [f"field:enum={','.join(values)}{'?' if optional else ''}"]
        if draw(st.booleans()):
            parts.append(f"default={draw(st.sampled_from(values))}")
    elif kind in ("str", "text"):
        low = draw(st.none() | st.integers(1, 12))
        high = draw(st.none() | st.integers(1, 40))
        if low is not None:
            parts.append(f"min={low}")
        if high is not None:
            parts.append(f"max={high}")
        if draw(st.booleans()):
            parts.append(f"default={'d' * draw(st.integers(0, 45))}")
    elif kind in ("int", "float", "decimal"):
        digits = places = None
        if kind == "decimal":
            digits = draw(st.integers(2, 38))
            places = draw(st.integers(1, digits - 1))
            parts += [f"digits={digits}", f"places={places}"]

        def number() -> str:
            if kind == "int":
                return str(draw(_INTS))
            if kind == "float":
                return repr(draw(st.floats(-1e6, 1e6, allow_nan=False)))
            assert digits is not None
            assert places is not None
            return _decimal_text(draw, places, digits)

        for lower, upper in (("ge", "gt"), ("le", "lt")):
            choice = draw(st.sampled_from([None, lower, upper]))
            if choice:
                parts.append(f"{choice}={number()}")
        if draw(st.booleans()):
            parts.append(f"default={number()}")
    elif kind == "bool" and draw(st.booleans()):
        parts.append(f"default={draw(st.sampled_from(['true', 'false']))}")
    elif kind == "date" and draw(st.booleans()):
        parts.append(f"default={draw(st.dates()).isoformat()}")
    return ":".join(parts)


# --- values near every edge --------------------------------------------------------------


def _edges(spec: FieldSpec) -> list[Any]:
    """Python values of the column's type at and around every declared and implied edge."""
    if spec.kind in ("str", "text"):
        lengths = {0, 1, 2, 255, 256}
        for length in (spec.min_length, spec.max_length):
            if length is not None:
                lengths |= {length - 1, length, length + 1}
        return [*("x" * n for n in sorted(lengths) if n >= 0), " ", "a\x00b", " padded "]
    if spec.kind == "int":
        values = {0, 1, -1, INT32_MIN, INT32_MAX, INT32_MIN - 1, INT32_MAX + 1}
        for bound in (spec.ge, spec.gt, spec.le, spec.lt):
            if bound is not None:
                values |= {int(bound) - 1, int(bound), int(bound) + 1}
        return sorted(values)
    if spec.kind == "float":
        floats = {0.0, 1.5, -1.5, 1e300}
        for bound in (spec.ge, spec.gt, spec.le, spec.lt):
            if bound is not None:
                value = float(bound)
                floats |= {value, value + 0.5, value - 0.5, value + 1e-9, value - 1e-9}
        return sorted(floats)
    if spec.kind == "decimal":
        assert spec.max_digits is not None
        assert spec.decimal_places is not None
        quantum = Decimal(1).scaleb(-spec.decimal_places)
        largest = Decimal(10) ** (spec.max_digits - spec.decimal_places) - quantum
        values = {Decimal(0), quantum, -quantum, largest, -largest, largest + quantum}
        values |= {quantum / 10, Decimal("1.5")}
        for bound in (spec.ge, spec.gt, spec.le, spec.lt):
            if bound is not None:
                edge = Decimal(bound)
                values |= {edge, edge + quantum, edge - quantum, edge + quantum / 10}
        return sorted(values)
    if spec.kind == "bool":
        return [True, False]
    if spec.kind == "date":
        return [date(1, 1, 1), date(2024, 1, 31), date(9999, 12, 31)]
    assert spec.kind == "enum"
    return [*spec.enum_values, "not_a_choice", ""]


def _json_form(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _column_type_holds(spec: FieldSpec, column: Any, value: Any) -> bool:
    """What PostgreSQL's column type stores unchanged (SQLite enforces none of it)."""
    column_type = column.type
    if isinstance(value, str) and "\x00" in value:
        return False  # PostgreSQL text and varchar cannot hold NUL
    length = getattr(column_type, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        return False
    if spec.kind == "int":
        return INT32_MIN <= value <= INT32_MAX
    if spec.kind == "decimal":
        exponent = value.as_tuple().exponent
        scale, precision = column_type.scale, column_type.precision
        with localcontext(prec=100):
            whole_digits = len(str(abs(int(value)))) if int(value) else 0
        return -exponent <= scale and whole_digits <= precision - scale
    return True


_BOUND_CHECK = re.compile(r'^"(?P<name>\w+)" (?P<op>>=|>|<=|<) (?P<value>\S+)$')
_OPERATORS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def _exact_checks_hold(model: Any, value: Decimal) -> bool:
    """The table's bound CHECKs evaluated exactly, as PostgreSQL's numeric does.

    SQLite compares decimals as doubles, so it cannot judge 1.0000000000000001 <= 1.
    """
    for constraint in model.__table__.constraints:
        sql = str(getattr(constraint, "sqltext", ""))
        match = _BOUND_CHECK.match(sql)
        if match is None:
            continue
        with localcontext(prec=100):
            if not _OPERATORS[match["op"]](value, Decimal(match["value"])):
                return False
    return True


def _stored_unchanged(engine: Any, model: Any, name: str, value: Any) -> bool:
    """Whether SQLite (its CHECK and NOT NULL constraints) stores ``value`` unchanged."""
    table = model.__table__
    try:
        with engine.begin() as connection:
            connection.execute(table.insert().values({name: value}))
            stored = connection.execute(sqlalchemy.select(table.c[name])).scalar_one()
            connection.execute(table.delete())
    except sqlalchemy.exc.StatementError:  # a CHECK, NOT NULL, or an enum the model refuses
        return False
    if isinstance(value, Decimal):
        return stored is not None  # SQLite keeps no decimals; precision is checked above
    return bool(stored == value)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=specs())
def test_schema_and_database_accept_the_same_values(project: Path, text: str) -> None:
    try:
        (spec,) = parse_fields([text])
    except UserError:
        hypothesis.reject()
    models, schemas = _slice(project, spec)
    model = next(
        value
        for value in vars(models).values()
        if isinstance(value, type) and hasattr(value, "__tablename__")
    )
    create = next(value for name, value in vars(schemas).items() if name.endswith("Create"))
    engine = sqlalchemy.create_engine("sqlite://")
    model.metadata.create_all(engine, tables=[model.__table__])
    column = model.__table__.c[spec.name]
    try:
        for value in _edges(spec):
            payload = json.loads(json.dumps({spec.name: _json_form(spec, value)}))
            try:
                accepted = getattr(create.model_validate(payload), spec.name)
            except ValueError:
                accepted = None
                schema_ok = False
            else:
                schema_ok = True
            if schema_ok:
                assert _column_type_holds(spec, column, accepted), (text, value)
                if spec.kind == "decimal":
                    assert _exact_checks_hold(model, accepted), (text, value)
                else:
                    assert _stored_unchanged(engine, model, spec.name, accepted), (text, value)
            elif isinstance(value, str) and value != value.strip():
                continue  # SCHEMA_ONLY: the schema strips surrounding whitespace first
            elif spec.kind == "str" and value == "":
                continue  # SCHEMA_ONLY: empty str
            else:
                database_ok = _column_type_holds(spec, column, value) and (
                    _exact_checks_hold(model, value)
                    if spec.kind == "decimal"
                    else _stored_unchanged(engine, model, spec.name, value)
                )
                assert not database_ok, (
                    f"{text}: the database stores {value!r} but the schema refuses it"
                )
        # The default is a value too: the schema's and the column's must be the same, valid one.
        if spec.has_default:
            default = create.model_fields[spec.name].default
            assert _json_form(spec, default) == _json_form(spec, spec.default) or (
                getattr(default, "value", None) == spec.default
            )
            create.model_validate({spec.name: _json_form(spec, default)})
            assert column.default is not None
    finally:
        engine.dispose()
