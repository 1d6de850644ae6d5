"""Turn parsed fields into the code fragments the feature template prints.

Every decision about a field (column type, constraints, schema type, filters, test values)
is made here, once, in Python; the templates only lay the fragments out. The output is
formatted by ruff afterwards, so fragments may be long lines.

What differs between kinds lives in :data:`RULES`: one :class:`KindRules` object per field
kind, answering each per-field question (column type, schema type, example, refused values,
CHECK constraints, list filter, probe) in a short method. :func:`field_code` asks them and
adds what every kind shares (nullability, defaults, indexes, unique constraints).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.fields import (
    DEFAULT_TEXT_MAX_LENGTH,
    INT32_MAX,
    INT32_MIN,
    FieldSpec,
)
from fastapi_forge.inflector import singularize

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "RULES",
    "Column",
    "FieldCode",
    "KindRules",
    "RefCode",
    "field_code",
    "pascal",
]

POSTGRES_IDENTIFIER_LIMIT = 63
DEFAULT_STR_MAX = 255
DEFAULT_TEXT_MAX = DEFAULT_TEXT_MAX_LENGTH
"""Longest text (and compact JSON) a text or json field takes unless ``max`` says otherwise."""
STR_FILTER_MAX = 2048
"""Longest str (its max) that gets a list filter: a longer value would not fit a URL."""
MIN_UNIQUE_SPAN = 20
"""Fewest values a bounded unique number must allow: the generated tests store several rows."""
DEFAULT_DIGITS = 12
DEFAULT_PLACES = 2
DECIMAL_PRECISION = 100
"""Digits of forge's own decimal arithmetic: far above the 38 a field may have."""
MISSING_ROW_UUID = "00000000-0000-4000-8000-000000000000"
MAX_LINKS = 100
"""Most ids a refs field takes in one request."""


def pascal(snake: str) -> str:
    """``order_status`` -> ``OrderStatus``."""
    return "".join(part.capitalize() for part in snake.split("_") if part)


@dataclass(frozen=True)
class RefCode:
    """What a reference field needs to know about the feature it points at."""

    plural_snake: str
    singular_snake: str
    singular_pascal: str
    owned: bool = True
    """Whether the target's rows have owners (its test factory then takes one)."""


@dataclass(frozen=True)
class FilterCode:
    """One query parameter of the list endpoint and the criterion it adds."""

    param: str
    annotation: str
    criterion: str


@dataclass
class FieldCode:
    """Everything the templates print for one field."""

    name: str
    spec: str
    kind: str
    optional: bool
    required: bool
    unique: bool
    model_line: str
    migration_column: str
    create_line: str
    update_line: str
    read_line: str
    filters: list[FilterCode]
    range_filter: bool
    equality_filter: bool
    sortable: bool
    example: str
    uses_counter: bool
    invalid: list[tuple[str, str]]
    probe: str | None
    """A lambda from the example to (``min`` or ``max``, a filter value that excludes it)."""
    enum_class: str | None = None
    enum_members: list[tuple[str, str]] = field(default_factory=list)
    ref: RefCode | None = None
    check_constraints: list[tuple[str, str]] = field(default_factory=list)
    """(name, SQL) of each CHECK constraint."""
    indexes: list[tuple[str, bool]] = field(default_factory=list)
    unique_constraint: tuple[str, list[str]] | None = None
    """(name, columns) of the unique constraint: the column, or (owner_id, column)."""
    foreign_key: tuple[str, str] | None = None
    document_example: str | None = None
    """A static value for the OpenAPI example where ``example`` uses the counter."""
    migration_type: str = ""
    """The column's type in a migration (``sa.Integer()``)."""
    link: LinkCode | None = None
    """A refs field's association table (it has no column of its own)."""


@dataclass(frozen=True)
class LinkCode:
    """The association table of a refs field: ``orders_tags (order_id, tag_id)``."""

    table: str
    constant: str
    """The module-level name of the ``Table`` in the slice's models."""
    attribute: str
    """The relationship on the model: ``tags``."""
    own_column: str
    other_column: str
    target: str
    target_pascal: str
    pk: str
    own_fk: str
    other_fk: str
    index: str


def _identifier(name: str) -> str:
    if len(name) > POSTGRES_IDENTIFIER_LIMIT:
        raise UserError(
            f"the generated database name '{name}' is longer than PostgreSQL's "
            f"{POSTGRES_IDENTIFIER_LIMIT}-character limit; use a shorter feature or field name"
        )
    return name


def _numeric_bounds(spec: FieldSpec) -> list[tuple[str, str, Any]]:
    """(keyword, SQL operator, value) for each bound the field declares."""
    bounds: list[tuple[str, str, Any]] = []
    for keyword, operator in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        value = getattr(spec, keyword)
        if value is not None:
            bounds.append((keyword, operator, value))
    return bounds


def _violates(spec: FieldSpec, value: Any) -> bool:
    return (
        (spec.ge is not None and value < spec.ge)
        or (spec.gt is not None and value <= spec.gt)
        or (spec.le is not None and value > spec.le)
        or (spec.lt is not None and value >= spec.lt)
    )


def _too_few_values(spec: FieldSpec, count: Any) -> UserError:
    return UserError(
        f"invalid field {spec.spec!r}: a unique field whose bounds allow only {count} "
        f"value(s) cannot hold the rows the generated tests store; allow at least "
        f"{MIN_UNIQUE_SPAN} values, or drop unique"
    )


def _kwargs(**values: Any) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items() if value is not None)


def _number_kwargs(spec: FieldSpec, render: Any) -> dict[str, str | None]:
    return {
        keyword: render(getattr(spec, keyword)) if getattr(spec, keyword) is not None else None
        for keyword in ("ge", "gt", "le", "lt")
    }


EXAMPLE_TEXT_MAX = 30
"""Longest example text written out: a longer one (a long name) would break the line limit."""
INLINE_TEXT_MAX = 30
"""Longest run of padding written as a literal; a longer one is written ``"x" * N``."""
COUNTER_DIGITS = 10
"""Room a counter's digits may take: ``n`` never reaches ten digits in a test run."""


def _words(name: str) -> str:
    """The words of a field name, without empty or trailing separators: ``type_`` -> ``type``."""
    return " ".join(part for part in name.split("_") if part)


def _text_literal(text: str, length: int) -> str:
    """``text`` padded with ``x`` to ``length``: a literal, or an expression when long."""
    padding = length - len(text)
    if padding <= 0:
        return repr(text)
    if padding <= INLINE_TEXT_MAX:
        return repr(text + "x" * padding)
    return f'{text!r} + "x" * {padding}' if text else f'"x" * {padding}'


def _str_example(spec: FieldSpec, max_length: int) -> tuple[str, bool]:
    minimum = max(spec.min_length or 1, 1)
    words = _words(spec.name) or "value"
    if spec.unique:
        # A prefix, then the counter zero-padded to the minimum; bounded by the maximum.
        base = words.capitalize()[:EXAMPLE_TEXT_MAX].rstrip()
        prefix = len(base) + 1
        width = max(minimum - prefix, 1)
        if prefix + max(width, COUNTER_DIGITS) <= max_length:
            counter = "{n}" if width == 1 else f"{{n:0{width}d}}"
            return f'f"{base} {counter}"', True
        width = min(max(minimum, 6), max_length)
        return f'f"{{n:0{width}d}}"', True
    text = f"Example {words}"[: min(EXAMPLE_TEXT_MAX, max_length)].rstrip()
    return _text_literal(text, minimum), False


def _int_range(spec: FieldSpec) -> tuple[int, int]:
    """The smallest and largest value an int field accepts."""
    lower = spec.ge if spec.ge is not None else (spec.gt + 1 if spec.gt is not None else None)
    upper = spec.le if spec.le is not None else (spec.lt - 1 if spec.lt is not None else None)
    low = INT32_MIN if lower is None else max(int(lower), INT32_MIN)
    high = INT32_MAX if upper is None else min(int(upper), INT32_MAX)
    return low, high


def _int_example(spec: FieldSpec) -> tuple[str, bool]:
    low, high = _int_range(spec)
    if not spec.unique:
        return repr(min(max(42, low), high)), False
    bounded_below = spec.ge is not None or spec.gt is not None
    bounded_above = spec.le is not None or spec.lt is not None
    if bounded_below and bounded_above:
        span = high - low + 1
        if span < MIN_UNIQUE_SPAN:
            raise _too_few_values(spec, span)
        return f"{low} + n % {span}", True
    if bounded_above:
        return f"{high} - n", True
    return f"{low if bounded_below else 0} + n", True


FLOAT_EXACT = 2.0**52
"""Above this magnitude a float has no fractional digits: adding 1 may change nothing."""


def _float_example(spec: FieldSpec) -> tuple[str, bool]:
    lower = spec.ge if spec.ge is not None else spec.gt
    upper = spec.le if spec.le is not None else spec.lt
    if spec.unique:
        if lower is not None and upper is not None:
            if lower == upper:
                raise _too_few_values(spec, 1)
            low, high = float(lower), float(upper)
            if math.isinf(high - low):  # the span overflows: step by a thousandth of each
                return f"{low!r} + ({high / 1000!r} - {low / 1000!r}) * (n % 997 + 1)", True
            return f"{low!r} + ({high!r} - {low!r}) * (n % 997 + 1) / 1000", True
        if upper is not None:
            start = float(upper) - 0.5
            if abs(start) >= FLOAT_EXACT:  # huge: a relative step, 1 would vanish
                start = math.nextafter(float(upper), -math.inf)
                return f"{start!r} - {abs(start) * 1e-9!r} * n", True
            return f"{start!r} - n", True
        start = 0.5 if lower is None else float(lower) + 0.5
        if abs(start) >= FLOAT_EXACT:
            assert lower is not None
            start = math.nextafter(float(lower), math.inf)
            return f"{start!r} + {abs(start) * 1e-9!r} * n", True
        return f"{start!r} + n", True
    candidates = [2.5]
    if lower is not None and upper is not None:
        candidates.append(float(lower) / 2 + float(upper) / 2)
    if lower is not None:
        candidates += [float(lower) + 1, math.nextafter(float(lower), math.inf)]
    if upper is not None:
        candidates += [float(upper) - 1, math.nextafter(float(upper), -math.inf)]
    value = next(
        (c for c in candidates if math.isfinite(c) and not _violates(spec, c)), candidates[-1]
    )
    return repr(float(value)), False


def _decimal_units(spec: FieldSpec, digits: int, places: int) -> tuple[int, int]:
    """The smallest and largest value of a decimal field, in units of its last place."""
    with localcontext() as context:
        context.prec = 100
        limit = 10**digits - 1
        step = Decimal(1).scaleb(-places)
        low, high = -limit, limit
        if spec.ge is not None:
            low = max(low, math.ceil(Decimal(spec.ge) / step))
        if spec.gt is not None:
            low = max(low, math.floor(Decimal(spec.gt) / step) + 1)
        if spec.le is not None:
            high = min(high, math.floor(Decimal(spec.le) / step))
        if spec.lt is not None:
            high = min(high, math.ceil(Decimal(spec.lt) / step) - 1)
    return low, high


def _decimal_example(spec: FieldSpec) -> tuple[str, bool]:
    digits = spec.max_digits or DEFAULT_DIGITS
    places = spec.decimal_places if spec.decimal_places is not None else DEFAULT_PLACES
    low, high = _decimal_units(spec, digits, places)
    if spec.unique:
        bounded_below = spec.ge is not None or spec.gt is not None
        bounded_above = spec.le is not None or spec.lt is not None
        if bounded_above and not bounded_below:
            units = f"{high} - n"
        else:
            # The column's largest value bounds the count even without an upper bound.
            start = low if bounded_below else 0
            span = high - start + 1
            if span < MIN_UNIQUE_SPAN:
                raise _too_few_values(spec, span)
            units = f"{start} + n % {span}"
        return f"str(Decimal({units}).scaleb(-{places}))", True
    # 12.5, or 1.5 / 0.5 when the column has fewer whole digits: few significant digits,
    # which SQLite (decimals as binary floats, 15 digits) gives back exactly.
    whole = digits - places
    preferred = Decimal("12.5") if whole >= 2 else Decimal("1.5") if whole == 1 else Decimal("0.5")
    units_value = min(max(int(preferred.scaleb(places)), low), high)
    return repr(str(Decimal(units_value).scaleb(-places))), False


def _date_example(spec: FieldSpec) -> tuple[str, bool]:
    if spec.unique:
        return "(dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat()", True
    return repr(date(2024, 1, 31).isoformat()), False


def _datetime_example(spec: FieldSpec) -> tuple[str, bool]:
    if spec.unique:
        moment = "dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)"
        return f'({moment}).isoformat().replace("+00:00", "Z")', True
    return repr("2024-01-31T12:00:00Z"), False


def _default_literal(spec: FieldSpec, enum_class: str | None) -> str | None:
    if not spec.has_default:
        return None
    value = spec.default
    if spec.kind == "enum":
        return f"{enum_class}.{str(value).upper()}"
    if spec.kind == "decimal":
        return f"Decimal({str(value)!r})"
    if spec.kind == "date":
        assert isinstance(value, date)
        return f"dt.date({value.year}, {value.month}, {value.day})"
    return repr(value)


def field_code(
    spec: FieldSpec,
    *,
    table: str,
    singular_pascal: str,
    ref: RefCode | None,
    owned: bool = False,
    enum_class: str | None = None,
    singular_snake: str = "",
) -> FieldCode:
    """The code fragments for ``spec`` in a table named ``table``.

    In an ``owned`` table, ``unique`` means unique per owner: the constraint is on
    ``(owner_id, column)``, so one user's values tell nothing about another's.
    """
    # Decimals of up to 38 digits: the default context (28 digits) would round or raise.
    with localcontext(prec=DECIMAL_PRECISION):
        return _field_code(
            spec,
            table=table,
            singular_pascal=singular_pascal,
            ref=ref,
            owned=owned,
            enum_class=enum_class,
            singular_snake=singular_snake,
        )


@dataclass(frozen=True)
class Column:
    """What a kind's rules are asked about: one field, in one table."""

    spec: FieldSpec
    table: str
    enum_class: str | None
    ref: RefCode | None

    @property
    def name(self) -> str:
        """The column's name."""
        return self.spec.column_name


@dataclass(frozen=True)
class Filter:
    """The list filter a kind gets: the parameter's type, and equality or a min/max range."""

    annotation: str
    range: bool = False


class KindRules:
    """The answers of one field kind to every per-field question, one short method each.

    A kind is one subclass in :data:`RULES`; what all kinds share (nullability, defaults,
    indexes, unique constraints, the create/update/read lines) is :func:`field_code`'s.
    """

    python_type = "str"
    """The attribute's type on the model (``Mapped[...]``)."""
    sortable = True

    def model_type(self, column: Column) -> str:
        """The first argument of ``mapped_column``: the SQLAlchemy type."""
        raise NotImplementedError

    def migration_type(self, column: Column) -> str:
        """The column type in the migration's ``create_table``."""
        raise NotImplementedError

    def schema_type(self, column: Column) -> str:
        """The type of the field in the create and update schemas."""
        raise NotImplementedError

    def read_type(self, column: Column) -> str:
        """The type of the field in the read schema."""
        raise NotImplementedError

    def example(self, column: Column) -> tuple[str, bool]:
        """A valid value for the tests, as Python source, and whether it uses the counter ``n``."""
        raise NotImplementedError

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        """(label, Python source) of values the API must refuse with a 422."""
        raise NotImplementedError

    def checks(self, column: Column) -> list[tuple[str, str]]:
        """(name, SQL) of the CHECK constraints the column carries."""
        return []

    def filter(self, column: Column) -> Filter | None:
        """The list endpoint's filter on this field, if any."""
        return None

    def probe(self, column: Column) -> str | None:
        """A lambda from the example to (``min`` or ``max``, a filter value excluding it)."""
        return None

    def members(self, column: Column) -> list[tuple[str, str]]:
        """(member, value literal) of the enum class, for an enum."""
        return []


class _Text(KindRules):
    """``str`` (a bounded VARCHAR) and ``text`` (TEXT, capped by the schema)."""

    def __init__(self, *, short: bool) -> None:
        self.short = short

    def max_length(self, column: Column) -> int:
        default = DEFAULT_STR_MAX if self.short else DEFAULT_TEXT_MAX
        return default if column.spec.max_length is None else column.spec.max_length

    def _column_length(self, column: Column) -> int | None:
        # A text column stays TEXT; its default cap is the schema's (it bounds responses).
        return self.max_length(column) if self.short or column.spec.max_length else None

    def model_type(self, column: Column) -> str:
        length = self._column_length(column)
        return f"String({length})" if length else "Text"

    def migration_type(self, column: Column) -> str:
        length = self._column_length(column)
        return f"sa.String(length={length})" if length else "sa.Text()"

    def schema_type(self, column: Column) -> str:
        spec = column.spec
        min_length = max(spec.min_length or 1, 1) if self.short else spec.min_length
        constraints = _kwargs(
            min_length=min_length, max_length=self.max_length(column), pattern="NO_NUL_PATTERN"
        )
        return f"Annotated[str, StringConstraints({constraints})]"

    def read_type(self, column: Column) -> str:
        return "str"

    def example(self, column: Column) -> tuple[str, bool]:
        return _str_example(column.spec, self.max_length(column))

    def checks(self, column: Column) -> list[tuple[str, str]]:
        minimum = column.spec.min_length
        if not minimum:  # min=1 too: the schema refuses an empty text, so does the table
            return []
        return [(f"{column.name}_min_length", f'length("{column.name}") >= {minimum}')]

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        minimum = column.spec.min_length
        too_short = [("too_short", _text_literal("", minimum - 1))] if minimum else []
        return [
            *too_short,
            ("too_long", f'"x" * {self.max_length(column) + 1}'),
            ("nul_byte", repr("a\x00b")),
            ("not_a_string", "123"),
        ]

    def filter(self, column: Column) -> Filter | None:
        # A longer value would not fit a URL's query string (servers and clients cap it).
        if not self.short or self.max_length(column) > STR_FILTER_MAX:
            return None
        return Filter(
            f"Annotated[str, StringConstraints(max_length={self.max_length(column)}, "
            "pattern=NO_NUL_PATTERN)]"
        )


class _Number(KindRules):
    """What ``int``, ``float`` and ``decimal`` share: bounds as CHECK constraints."""

    def checks(self, column: Column) -> list[tuple[str, str]]:
        return [
            (f"{column.name}_{keyword}", f'"{column.name}" {operator} {value}')
            for keyword, operator, value in _numeric_bounds(column.spec)
        ]


class _Int(_Number):
    python_type = "int"

    def model_type(self, column: Column) -> str:
        return "Integer"

    def migration_type(self, column: Column) -> str:
        return "sa.Integer()"

    def schema_type(self, column: Column) -> str:
        kwargs = _number_kwargs(column.spec, repr)
        if kwargs["ge"] is None and kwargs["gt"] is None:
            kwargs["ge"] = "INT32_MIN"
        if kwargs["le"] is None and kwargs["lt"] is None:
            kwargs["le"] = "INT32_MAX"
        return f"Annotated[StrictInteger, Field({_kwargs(**kwargs)})]"

    def read_type(self, column: Column) -> str:
        return "int"

    def example(self, column: Column) -> tuple[str, bool]:
        return _int_example(column.spec)

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        spec = column.spec
        invalid = [("not_a_number", repr("abc")), ("fraction", "1.5"), ("numeric_text", repr("5"))]
        invalid += _bound_violations(spec, 1)
        if spec.le is None and spec.lt is None:
            invalid.append(("above_int32", repr(INT32_MAX + 1)))
        if spec.ge is None and spec.gt is None:
            invalid.append(("below_int32", repr(INT32_MIN - 1)))
        return invalid

    def filter(self, column: Column) -> Filter | None:
        # Filters take any 32-bit value (a filter is not a stored value): a probe one
        # step past the example is always a valid query, except at the very top.
        return Filter("Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]", range=True)

    def probe(self, column: Column) -> str | None:
        return f'lambda value: ("min", value + 1) if value < {INT32_MAX} else ("max", value - 1)'


class _Float(_Number):
    python_type = "float"

    def model_type(self, column: Column) -> str:
        return "Double"

    def migration_type(self, column: Column) -> str:
        return "sa.Double()"

    def schema_type(self, column: Column) -> str:
        constraints = _kwargs(allow_inf_nan="False", **_number_kwargs(column.spec, repr))
        return f"Annotated[StrictNumber, Field({constraints})]"

    def read_type(self, column: Column) -> str:
        return "float"

    def example(self, column: Column) -> tuple[str, bool]:
        return _float_example(column.spec)

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [
            ("not_a_number", repr("abc")),
            ("infinite", repr("inf")),
            ("numeric_text", repr("1.5")),
            ("boolean", "True"),
            *_float_bound_violations(column.spec),
        ]

    def filter(self, column: Column) -> Filter | None:
        return Filter("Annotated[float, Field(allow_inf_nan=False)]", range=True)

    def probe(self, column: Column) -> str | None:
        bounds = [abs(float(value)) for _, _, value in _numeric_bounds(column.spec)]
        if max(bounds, default=0.0) < FLOAT_EXACT / 2:
            return 'lambda value: ("min", value + 1)'
        # Past a huge value by a relative step (1 would vanish), below the largest float.
        return (
            'lambda value: ("min", value + 1) if abs(value) < 1e15 '
            'else ("min", value + abs(value) * 1e-9) if value < 1e307 '
            'else ("max", value - abs(value) * 1e-9)'
        )


class _Decimal(_Number):
    python_type = "Decimal"

    @staticmethod
    def scale(column: Column) -> tuple[int, int]:
        """(digits, places) of the column."""
        spec = column.spec
        places = spec.decimal_places if spec.decimal_places is not None else DEFAULT_PLACES
        return spec.max_digits or DEFAULT_DIGITS, places

    def model_type(self, column: Column) -> str:
        return "Numeric({}, {})".format(*self.scale(column))

    def migration_type(self, column: Column) -> str:
        return "sa.Numeric(precision={}, scale={})".format(*self.scale(column))

    def schema_type(self, column: Column) -> str:
        digits, places = self.scale(column)
        constraints = _kwargs(
            max_digits=digits,
            decimal_places=places,
            allow_inf_nan="False",
            **_number_kwargs(column.spec, lambda value: f"Decimal({str(value)!r})"),
        )
        # Answered with the column's scale: "12.5" and "1E+1" come back as "12.50", "10.00".
        return f"Annotated[Decimal, Field({constraints}), canonical_decimal({places})]"

    def read_type(self, column: Column) -> str:
        return "Decimal"

    def example(self, column: Column) -> tuple[str, bool]:
        return _decimal_example(column.spec)

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        digits, places = self.scale(column)
        return [
            ("not_a_number", repr("abc")),
            ("too_many_places", repr("1." + "1" * (places + 1))),
            ("too_many_digits", repr("9" * (digits - places + 1))),
            ("not_finite", repr("NaN")),
            *(
                (label, repr(str(value)))
                for label, value in _bound_values(column.spec, Decimal(1).scaleb(-places))
            ),
        ]

    def filter(self, column: Column) -> Filter | None:
        # The filter takes any value the column can hold: a larger one would overflow the
        # NUMERIC(digits, places) the driver casts it to (a 500 on PostgreSQL).
        digits, places = self.scale(column)
        return Filter(
            f"Annotated[Decimal, Field(max_digits={digits}, decimal_places={places}, "
            "allow_inf_nan=False)]",
            range=True,
        )

    def probe(self, column: Column) -> str | None:
        digits, places = self.scale(column)
        # A step SQLite can see too: it compares decimals as binary floats (15 digits).
        step = f"Decimal({str(Decimal(1).scaleb(-min(places, 6)))!r})"
        largest = f"Decimal({str(Decimal(10**digits - 1).scaleb(-places))!r})"
        # Exact arithmetic: the default context (28 digits) would round a 38-digit probe
        # back onto the value itself.
        exact = "Context(prec=80)"
        return (
            f'lambda value: ("min", str({exact}.add(Decimal(value), {step}))) '
            f"if Decimal(value) < {largest} "
            f'else ("max", str({exact}.subtract(Decimal(value), {step})))'
        )


class _Bool(KindRules):
    python_type = "bool"

    def model_type(self, column: Column) -> str:
        return "Boolean"

    def migration_type(self, column: Column) -> str:
        return "sa.Boolean()"

    def schema_type(self, column: Column) -> str:
        return "StrictBoolean"

    def read_type(self, column: Column) -> str:
        return "bool"

    def example(self, column: Column) -> tuple[str, bool]:
        return "True", False

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [("not_a_boolean", repr("maybe")), ("number", "0"), ("text", repr("false"))]

    def filter(self, column: Column) -> Filter | None:
        return Filter("bool")


class _Date(KindRules):
    python_type = "dt.date"

    def model_type(self, column: Column) -> str:
        return "Date"

    def migration_type(self, column: Column) -> str:
        return "sa.Date()"

    def schema_type(self, column: Column) -> str:
        return "IsoDate"

    def read_type(self, column: Column) -> str:
        return "dt.date"

    def example(self, column: Column) -> tuple[str, bool]:
        return _date_example(column.spec)

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [
            ("not_a_date", repr("2024-13-45")),
            ("not_a_string", "[1]"),
            ("number", "20240131"),
            ("numeric_text", repr("0.5")),
        ]

    def filter(self, column: Column) -> Filter | None:
        return Filter("IsoDate", range=True)

    def probe(self, column: Column) -> str | None:
        return (
            'lambda value: ("min", (dt.date.fromisoformat(value) + dt.timedelta(days=1))'
            ".isoformat())"
        )


class _Datetime(KindRules):
    python_type = "dt.datetime"

    def model_type(self, column: Column) -> str:
        return "UTCDateTime()"

    def migration_type(self, column: Column) -> str:
        return "sa.DateTime(timezone=True)"

    def schema_type(self, column: Column) -> str:
        return "IsoDateTime"

    def read_type(self, column: Column) -> str:
        return "dt.datetime"

    def example(self, column: Column) -> tuple[str, bool]:
        return _datetime_example(column.spec)

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [
            ("not_a_datetime", repr("yesterday")),
            ("naive", repr("2024-01-31T12:00:00")),
            ("number", "1700000000"),
            ("numeric_text", repr("0.5")),
            # No UTC equivalent inside years 1 to 9999: a 422, not a 500.
            ("before_year_1_in_utc", repr("0001-01-01T00:00:00+01:00")),
            ("after_year_9999_in_utc", repr("9999-12-31T23:59:59-01:00")),
        ]

    def filter(self, column: Column) -> Filter | None:
        return Filter("IsoDateTime", range=True)

    def probe(self, column: Column) -> str | None:
        return (
            'lambda value: ("min", (dt.datetime.fromisoformat(value) + dt.timedelta(days=1))'
            ".isoformat())"
        )


class _Uuid(KindRules):
    python_type = "UUID"

    def model_type(self, column: Column) -> str:
        return "Uuid"

    def migration_type(self, column: Column) -> str:
        return "sa.Uuid()"

    def schema_type(self, column: Column) -> str:
        return "UUID"

    def read_type(self, column: Column) -> str:
        return "UUID"

    def example(self, column: Column) -> tuple[str, bool]:
        if column.spec.unique:
            return "str(uuid4())", False
        return repr("8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3"), False

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [("not_a_uuid", repr("not-a-uuid"))]

    def filter(self, column: Column) -> Filter | None:
        return Filter("UUID")


class _Enum(KindRules):
    """A closed set of strings: a VARCHAR with a CHECK (``native_enum=False``)."""

    @staticmethod
    def _shape(column: Column) -> tuple[str, int]:
        """(the database name of the enum, the longest value's length)."""
        values = column.spec.enum_values
        return _identifier(f"{column.table}_{column.spec.name}"), max(len(v) for v in values)

    @staticmethod
    def _class(column: Column) -> str:
        assert column.enum_class is not None
        return column.enum_class

    def model_type(self, column: Column) -> str:
        enum_name, length = self._shape(column)
        return (
            f"Enum({self._class(column)}, name={enum_name!r}, native_enum=False, "
            f"length={length}, create_constraint=True, validate_strings=True, "
            "values_callable=enum_values)"
        )

    def migration_type(self, column: Column) -> str:
        enum_name, length = self._shape(column)
        values = ", ".join(repr(value) for value in column.spec.enum_values)
        return (
            f"sa.Enum({values}, name={enum_name!r}, native_enum=False, length={length}, "
            "create_constraint=True)"
        )

    def schema_type(self, column: Column) -> str:
        return self._class(column)

    def read_type(self, column: Column) -> str:
        return self._class(column)

    def example(self, column: Column) -> tuple[str, bool]:
        return repr(column.spec.enum_values[0]), False

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [("not_a_choice", repr("not_a_choice"))]

    def filter(self, column: Column) -> Filter | None:
        return Filter(self._class(column))

    def members(self, column: Column) -> list[tuple[str, str]]:
        return [(value.upper(), repr(value)) for value in column.spec.enum_values]


class _Json(KindRules):
    python_type = "Any"
    sortable = False

    @staticmethod
    def max_length(column: Column) -> int:
        return column.spec.max_length or DEFAULT_TEXT_MAX

    def model_type(self, column: Column) -> str:
        return "JSON(none_as_null=True)"

    def migration_type(self, column: Column) -> str:
        return "sa.JSON(none_as_null=True)"

    def schema_type(self, column: Column) -> str:
        return f"Annotated[JsonDocument, json_max_length({self.max_length(column)})]"

    def read_type(self, column: Column) -> str:
        return "JsonDocument"

    def example(self, column: Column) -> tuple[str, bool]:
        return '{"key": "value", "items": [1, 2]}', False

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [
            ("not_an_object_or_array", repr("text")),
            ("too_large", f'{{"key": "x" * {self.max_length(column)}}}'),
        ]


class _Ref(KindRules):
    """A reference to another feature's row: a UUID foreign key, RESTRICT on delete."""

    python_type = "UUID"

    @staticmethod
    def _target(column: Column) -> RefCode:
        assert column.ref is not None
        return column.ref

    def model_type(self, column: Column) -> str:
        return f"ForeignKey({self._target(column).plural_snake + '.id'!r}, ondelete='RESTRICT')"

    def migration_type(self, column: Column) -> str:
        return "sa.Uuid()"

    def schema_type(self, column: Column) -> str:
        return "UUID"

    def read_type(self, column: Column) -> str:
        return "UUID"

    def example(self, column: Column) -> tuple[str, bool]:
        ref = self._target(column)
        owner = ", owner_id" if ref.owned else ""
        return f"str((await create_{ref.singular_snake}(session{owner})).id)", False

    def invalid(self, column: Column) -> list[tuple[str, str]]:
        return [("not_a_uuid", repr("not-a-uuid")), ("missing_row", repr(MISSING_ROW_UUID))]

    def filter(self, column: Column) -> Filter | None:
        return Filter("UUID")


RULES: dict[str, KindRules] = {
    "str": _Text(short=True),
    "text": _Text(short=False),
    "int": _Int(),
    "float": _Float(),
    "decimal": _Decimal(),
    "bool": _Bool(),
    "date": _Date(),
    "datetime": _Datetime(),
    "uuid": _Uuid(),
    "enum": _Enum(),
    "json": _Json(),
    "ref": _Ref(),
}
"""The rules of every field kind; a new kind is one class and one line here."""


def _link_code(spec: FieldSpec, *, table: str, singular_snake: str, ref: RefCode) -> FieldCode:
    """A refs field: a list of ids in the schemas, rows of an association table in the
    database, a relationship (loaded with ``selectin``: one query per page, not per row)
    and a sorted ``ITEM_ids`` property on the model."""
    link_table = _identifier(f"{table}_{spec.name}")
    own = f"{singular_snake or singularize(table)}_id"
    other = f"{ref.singular_snake}_id"
    if own == other:  # pragma: no cover - a feature cannot reference itself
        other = f"linked_{other}"
    link = LinkCode(
        table=link_table,
        constant=link_table.upper(),
        attribute=spec.name,
        own_column=own,
        other_column=other,
        target=ref.plural_snake,
        target_pascal=ref.singular_pascal,
        pk=_identifier(f"pk_{link_table}"),
        own_fk=_identifier(f"fk_{link_table}_{own}_{table}"),
        other_fk=_identifier(f"fk_{link_table}_{other}_{ref.plural_snake}"),
        index=_identifier(f"ix_{link_table}_{other}"),
    )
    ids = spec.column_name
    model_line = (
        f"{spec.name}: Mapped[list[{ref.singular_pascal}]] = relationship("
        f"secondary={link.constant}, lazy='selectin')\n\n"
        "    @property\n"
        f"    def {ids}(self) -> list[UUID]:\n"
        f'        """The ids of the linked rows of ``{ref.plural_snake}``, sorted."""\n'
        f"        return sorted(row.id for row in self.{spec.name})\n"
    )
    owner = ", owner_id" if ref.owned else ""
    return FieldCode(
        name=ids,
        spec=spec.spec,
        kind="refs",
        optional=False,
        required=False,
        unique=False,
        model_line=model_line,
        migration_column="",
        create_line=f"{ids}: list[UUID] = Field(default_factory=list, max_length={MAX_LINKS})",
        update_line=f"{ids}: Annotated[list[UUID], Field(max_length={MAX_LINKS})] | None = None",
        read_line=f"{ids}: list[UUID]",
        filters=[
            FilterCode(
                param=f"{spec.item_name}_id",
                annotation="UUID | None",
                criterion=f"{{model}}.{spec.name}.any(id=filters.{spec.item_name}_id)",
            )
        ],
        range_filter=False,
        equality_filter=False,
        sortable=False,
        example=f"[str((await create_{ref.singular_snake}(session{owner})).id)]",
        uses_counter=False,
        invalid=[
            ("not_a_list", repr("not-a-list")),
            ("not_a_uuid", repr(["not-a-uuid"])),
            ("missing_row", repr([MISSING_ROW_UUID])),
            ("too_many", f"[{MISSING_ROW_UUID!r}] * {MAX_LINKS + 1}"),
        ],
        probe=None,
        ref=ref,
        migration_type="sa.Uuid()",
        link=link,
    )


def _field_code(
    spec: FieldSpec,
    *,
    table: str,
    singular_pascal: str,
    ref: RefCode | None,
    owned: bool,
    enum_class: str | None,
    singular_snake: str,
) -> FieldCode:
    if spec.kind == "refs":
        assert ref is not None
        return _link_code(spec, table=table, singular_snake=singular_snake, ref=ref)
    name = spec.column_name
    nullable = spec.optional
    if spec.kind == "enum" and enum_class is None:
        enum_class = f"{singular_pascal}{pascal(spec.name)}"
    rules = RULES.get(spec.kind)
    if rules is None:  # pragma: no cover - parse_fields only produces the kinds above
        raise UserError(f"unsupported field type '{spec.kind}'")
    column = Column(spec=spec, table=table, enum_class=enum_class, ref=ref)
    default = _default_literal(spec, enum_class)
    required = not spec.optional and default is None

    model_args = [rules.model_type(column)]
    migration_type = rules.migration_type(column)
    schema_type = rules.schema_type(column)
    read_type = rules.read_type(column)
    example, uses_counter = rules.example(column)
    checks = rules.checks(column)
    invalid = rules.invalid(column)
    list_filter = rules.filter(column)

    index = spec.index or spec.kind == "ref"
    per_owner = spec.unique and owned
    indexes: list[tuple[str, bool]] = []
    unique_constraint: tuple[str, list[str]] | None = None
    if index:
        indexes.append((_identifier(f"ix_{table}_{name}"), spec.unique and not per_owner))
    if per_owner:
        # Named like a one-column constraint (the convention would add "_owner_id").
        unique_constraint = (_identifier(f"uq_{table}_{name}"), ["owner_id", name])
    elif spec.unique and not index:
        unique_constraint = (_identifier(f"uq_{table}_{name}"), [name])
    foreign_key = None
    if ref is not None:
        foreign_key = (_identifier(f"fk_{table}_{name}_{ref.plural_snake}"), ref.plural_snake)
    for constraint_name, _ in checks:
        _identifier(f"ck_{table}_{constraint_name}")

    if spec.unique and not per_owner:
        model_args.append("unique=True")
    if index:
        model_args.append("index=True")
    model_args.append(f"nullable={nullable}")
    if default is not None:
        model_args.append(f"default={default}")
    python_type = enum_class or "str" if spec.kind == "enum" else rules.python_type
    mapped = f"{python_type} | None" if nullable and python_type != "Any" else python_type
    model_line = f"{name}: Mapped[{mapped}] = mapped_column({', '.join(model_args)})"

    create_type = f"{schema_type} | None" if nullable else schema_type
    if nullable:
        create_line = f"{name}: {create_type} = {default or 'None'}"
    elif default is not None:
        create_line = f"{name}: {create_type} = {default}"
    else:
        create_line = f"{name}: {create_type}"
    update_line = f"{name}: {schema_type} | None = None"
    read_line = f"{name}: {read_type} | None" if nullable else f"{name}: {read_type}"

    migration_column = f"sa.Column({name!r}, {migration_type}, nullable={nullable})"

    filters: list[FilterCode] = []
    if list_filter is not None and not list_filter.range:
        filters.append(
            FilterCode(
                param=name,
                annotation=f"{list_filter.annotation} | None",
                criterion=f"{{model}}.{name} == filters.{name}",
            )
        )
    if list_filter is not None and list_filter.range:
        for suffix, operator in (("min", ">="), ("max", "<=")):
            filters.append(
                FilterCode(
                    param=f"{name}_{suffix}",
                    annotation=f"{list_filter.annotation} | None",
                    criterion=f"{{model}}.{name} {operator} filters.{name}_{suffix}",
                )
            )

    return FieldCode(
        name=name,
        spec=spec.spec,
        kind=spec.kind,
        optional=nullable,
        required=required,
        unique=spec.unique,
        model_line=model_line,
        migration_column=migration_column,
        create_line=create_line,
        update_line=update_line,
        read_line=read_line,
        filters=filters,
        range_filter=list_filter is not None and list_filter.range,
        equality_filter=list_filter is not None and not list_filter.range,
        sortable=rules.sortable,
        example=example,
        uses_counter=uses_counter,
        invalid=invalid,
        probe=rules.probe(column),
        enum_class=enum_class,
        enum_members=rules.members(column),
        ref=ref,
        check_constraints=checks,
        indexes=indexes,
        unique_constraint=unique_constraint,
        foreign_key=foreign_key,
        document_example=_document_example(spec, rules, column) if uses_counter else None,
        migration_type=migration_type,
    )


def _document_example(spec: FieldSpec, rules: KindRules, column: Column) -> str | None:
    """A unique str's static OpenAPI example, within its min and max."""
    if not isinstance(rules, _Text):
        return None
    maximum = rules.max_length(column)
    return _text_literal("Example"[:maximum], max(spec.min_length or 1, 1))


def _bound_values(spec: FieldSpec, step: Any) -> list[tuple[str, Any]]:
    values: list[tuple[str, Any]] = []
    if spec.ge is not None:
        values.append(("below_ge", spec.ge - step))
    if spec.gt is not None:
        values.append(("not_above_gt", spec.gt))
    if spec.le is not None:
        values.append(("above_le", spec.le + step))
    if spec.lt is not None:
        values.append(("not_below_lt", spec.lt))
    return values


def _bound_violations(spec: FieldSpec, step: Any) -> list[tuple[str, str]]:
    return [(label, repr(value)) for label, value in _bound_values(spec, step)]


def _float_bound_violations(spec: FieldSpec) -> list[tuple[str, str]]:
    """The float just past each bound (1 past a huge bound is the bound itself)."""

    def past(bound: float, step: float) -> float:
        value = bound + step
        return value if value != bound else math.nextafter(bound, step * math.inf)

    values: list[tuple[str, float]] = []
    if spec.ge is not None:
        values.append(("below_ge", past(float(spec.ge), -1.0)))
    if spec.gt is not None:
        values.append(("not_above_gt", float(spec.gt)))
    if spec.le is not None:
        values.append(("above_le", past(float(spec.le), 1.0)))
    if spec.lt is not None:
        values.append(("not_below_lt", float(spec.lt)))
    # Past the largest float there is no value to send: that bound is not tested.
    return [(label, repr(value)) for label, value in values if math.isfinite(value)]
