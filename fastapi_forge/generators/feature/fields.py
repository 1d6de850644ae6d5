"""Describe a feature's fields with one --field NAME:TYPE per field.

A field spec is NAME:TYPE, optionally followed by :MODIFIER segments. Without any
--field, a feature gets a single field: name:str.

NAME is snake_case (lower-case letters, digits and _, starting with a letter), at most
40 characters, and neither a Python keyword nor one of the names every model already has
or inherits: id, created_at, updated_at, owner_id, owner, metadata, registry, model_...

TYPE is one of:
  str              text of at most 255 characters (change it with max=N); a str
                   with max above 2048 has no list filter (its value would not fit
                   in a URL)
  text             longer text, at most 65535 characters (change it with max=N)
  int, float       whole and floating-point numbers
  decimal          exact number, 12 digits of which 2 after the point (digits=N, places=N)
  bool             true or false
  date, datetime   a calendar day; a timezone-aware moment
  uuid             a UUID
  enum=a,b,c       one of the listed values (lower-case snake_case, no duplicates)
  json             a JSON object or array, at most 65535 characters of compact
                   JSON (change it with max=N); numbers must be finite
  ref=FEATURE      a link to a row of another feature, singular or plural name
                   (customer:ref=customers is stored in the column customer_id)
  refs=FEATURE     links to any number of rows of another feature (many-to-many):
                   tags:refs=tags is a list of ids, tag_ids, kept in an association
                   table orders_tags; the list filter is tag_id
End the TYPE with ? to make the field optional (nullable): notes:text?

MODIFIERS:
  min=N, max=N             length of str and text (1 <= min <= max <= 10485760);
                           max also caps a json field's compact JSON text
  ge=X, gt=X, le=X, lt=X   bounds of int, float and decimal: >=, >, <=, <
  digits=N, places=N       precision and scale of decimal (1 <= places < digits <= 38)
  unique                   no two rows share a value (not for text, bool, enum or json)
  index                    index the column for fast look-ups (not for json)
  default=VALUE            used when no value is given: any text for str and text,
                           a number, true or false, an ISO date such as 2024-01-31, or one
                           of the enum values; not for datetime, uuid, json or ref; a
                           default cannot contain ':'

Example:
  --field name:str:max=120 --field price:decimal:gt=0 --field quantity:int:ge=0
  --field status:enum=pending,paid,shipped --field notes:text? --field due_on:date
  --field tags:json? --field customer:ref=customers
"""

import difflib
import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Final, TypeAlias

from fastapi_forge.errors import UserError
from fastapi_forge.inflector import singularize

__all__ = [
    "DEFAULT_FIELDS",
    "FIELD_LANGUAGE_HELP",
    "MAX_FIELD_NAME_LENGTH",
    "RESERVED_FIELD_NAMES",
    "Bound",
    "DefaultValue",
    "FieldKind",
    "FieldSpec",
    "parse_fields",
]

FIELD_LANGUAGE_HELP: Final[str] = (__doc__ or "").strip()
"""The documentation of the field spec language, for ``--help`` and the README."""

DEFAULT_FIELDS: Final[tuple[str, ...]] = ("name:str",)
"""The field specs a feature gets when no ``--field`` is given."""

MAX_FIELD_NAME_LENGTH: Final = 40
"""Longest accepted field name; column and constraint names must fit PostgreSQL's 63."""

DEFAULT_STR_MAX_LENGTH: Final = 255
MAX_STRING_LENGTH: Final = 10_485_760  # PostgreSQL's limit for varchar(n)
DEFAULT_TEXT_MAX_LENGTH: Final = 65_535
"""The cap of a text (and a JSON document) unless ``max`` says otherwise."""
DEFAULT_MAX_DIGITS: Final = 12
DEFAULT_DECIMAL_PLACES: Final = 2
MAX_DECIMAL_DIGITS: Final = 38
MAX_ENUM_VALUE_LENGTH: Final = 63  # PostgreSQL enum labels
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
"""int fields are 32-bit (``Integer``): the range of PostgreSQL's ``integer``."""

RESERVED_FIELD_NAMES: Final[frozenset[str]] = frozenset(
    {
        # columns every feature model already has
        "id",
        "created_at",
        "updated_at",
        "owner_id",
        "owner",
        # attributes of SQLAlchemy's declarative base
        "metadata",
        "registry",
        "type_annotation_map",
        # methods of Pydantic's BaseModel that a field would shadow
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
"""Field names refused because a model or schema already uses them (plus ``model_*``)."""


class FieldKind(StrEnum):
    """The type of a field, as written after ``NAME:``."""

    STR = "str"
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    UUID = "uuid"
    ENUM = "enum"
    JSON = "json"
    REF = "ref"
    REFS = "refs"


Bound: TypeAlias = int | float | Decimal
"""A numeric bound: ``int`` for int fields, ``float`` for float, ``Decimal`` for decimal."""

DefaultValue: TypeAlias = str | int | float | Decimal | bool | date
"""A parsed default: the Python value of the field's type (enum defaults are ``str``)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One parsed and validated ``--field`` spec."""

    name: str
    """Attribute name, snake case: ``price``, or ``customer`` for a ref."""
    kind: FieldKind
    """The field's type."""
    spec: str
    """The spec exactly as the user typed it."""
    optional: bool = False
    """Whether the field may be null (the type ended with ``?``)."""
    max_length: int | None = None
    """Longest accepted text: set for str (255 by default), and for text and json given
    ``max`` (the generated code caps both at 65535 characters otherwise)."""
    min_length: int | None = None
    """Shortest accepted text (str and text only)."""
    ge: Bound | None = None
    """Inclusive lower bound (int, float and decimal only)."""
    gt: Bound | None = None
    """Exclusive lower bound (int, float and decimal only)."""
    le: Bound | None = None
    """Inclusive upper bound (int, float and decimal only)."""
    lt: Bound | None = None
    """Exclusive upper bound (int, float and decimal only)."""
    unique: bool = False
    """Whether no two rows may share a value."""
    index: bool = False
    """Whether the column is indexed (``unique`` may be set too)."""
    default: DefaultValue | None = None
    """The parsed default value; meaningful only when ``has_default`` is true."""
    has_default: bool = False
    """Whether a default was given."""
    enum_values: tuple[str, ...] = ()
    """The allowed values of an enum field, in the order given."""
    ref_target: str | None = None
    """The referenced feature exactly as typed (resolve it with ``feature_names``)."""
    max_digits: int | None = None
    """Precision of a decimal field (12 by default)."""
    decimal_places: int | None = None
    """Scale of a decimal field (2 by default)."""

    @property
    def column_name(self) -> str:
        """The database column: ``<name>_id`` for a ref, else the name; for refs, the
        list of ids in the schemas: ``tag_ids`` for ``tags:refs=tags``."""
        if self.kind is FieldKind.REFS:
            return f"{self.item_name}_ids"
        return f"{self.name}_id" if self.kind is FieldKind.REF else self.name

    @property
    def item_name(self) -> str:
        """One of a refs field's rows: ``tag`` for ``tags``."""
        return singularize(self.name)


_AUTOMATIC_FIELDS = frozenset({"id", "created_at", "updated_at", "owner_id", "owner"})
_ALTERNATIVES = {
    "id": "code",
    "created_at": "opened_at",
    "updated_at": "changed_at",
    "owner": "assignee",
    "owner_id": "assignee",
    "metadata": "meta",
    "json": "payload",
    "dict": "mapping",
    "schema": "schema_name",
    "type": "kind",
    "class": "kind",
}
_BOUND_MODIFIERS = ("ge", "gt", "le", "lt")
_MODIFIERS: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.STR: ("min", "max", "unique", "index", "default"),
    FieldKind.TEXT: ("min", "max", "index", "default"),
    FieldKind.INT: (*_BOUND_MODIFIERS, "unique", "index", "default"),
    FieldKind.FLOAT: (*_BOUND_MODIFIERS, "unique", "index", "default"),
    FieldKind.DECIMAL: (*_BOUND_MODIFIERS, "digits", "places", "unique", "index", "default"),
    FieldKind.BOOL: ("index", "default"),
    FieldKind.DATE: ("unique", "index", "default"),
    FieldKind.DATETIME: ("unique", "index"),
    FieldKind.UUID: ("unique", "index"),
    FieldKind.ENUM: ("index", "default"),
    FieldKind.JSON: ("max",),
    FieldKind.REF: ("unique", "index"),
    FieldKind.REFS: (),
}
_ALL_MODIFIERS = ("min", "max", *_BOUND_MODIFIERS, "digits", "places", "unique", "index", "default")
_FLAGS = frozenset({"unique", "index"})
_EXAMPLE_VALUES = {
    "min": "1",
    "max": "120",
    "ge": "0",
    "gt": "0",
    "le": "100",
    "lt": "100",
    "digits": "12",
    "places": "2",
}
_TYPE_ALIASES = {
    "string": "str",
    "varchar": "str",
    "char": "str",
    "integer": "int",
    "bigint": "int",
    "number": "decimal",
    "numeric": "decimal",
    "money": "decimal",
    "double": "float",
    "boolean": "bool",
    "timestamp": "datetime",
    "time": "datetime",
    "dict": "json",
    "list": "json",
    "object": "json",
    "fk": "ref=FEATURE",
    "foreign": "ref=FEATURE",
}

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_REAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_fields(specs: Sequence[str]) -> tuple[FieldSpec, ...]:
    """Parse and validate ``--field`` specs, in order; see :data:`FIELD_LANGUAGE_HELP`.

    Raises :class:`~fastapi_forge.errors.UserError` with one line naming the spec, the
    problem and a fix. An empty ``specs`` gives an empty tuple (the caller substitutes
    :data:`DEFAULT_FIELDS`).
    """
    # Decimals of up to 38 digits: the default context (28 digits) would round or raise.
    with localcontext(prec=100):
        fields = tuple(_parse_one(spec) for spec in specs)
    taken: dict[str, FieldSpec] = {}
    for parsed in fields:
        for identifier in dict.fromkeys((parsed.name, parsed.column_name)):
            other = taken.get(identifier)
            if other is None:
                taken[identifier] = parsed
            elif other.name == parsed.name:
                raise UserError(
                    f"duplicate field '{parsed.name}' in {parsed.spec!r} (already given as "
                    f"{other.spec!r}); give each --field a different name"
                )
            else:
                raise UserError(
                    f"duplicate field '{identifier}': {parsed.spec!r} and {other.spec!r} both use "
                    "it (a ref NAME is stored in the column NAME_id); rename one of them"
                )
    return fields


@dataclass(slots=True)
class _Draft:
    """The values of one spec while its modifiers are read."""

    spec: str
    name: str
    kind: FieldKind
    type_segment: str
    seen: set[str] = field(default_factory=set)
    min_length: int | None = None
    max_length: int | None = None
    bounds: dict[str, Bound] = field(default_factory=dict)
    digits: int | None = None
    places: int | None = None
    unique: bool = False
    index: bool = False
    raw_default: str | None = None

    def fail(self, problem: str, fix: str) -> UserError:
        """An error naming this spec, ``problem`` and ``fix``."""
        return UserError(f"invalid field {self.spec!r}: {problem}; {fix}")

    def example(self, *modifiers: str) -> str:
        """A corrected spec made of this field's name and type and ``modifiers``."""
        return ":".join((self.name, self.type_segment, *modifiers))


def _parse_one(spec: str) -> FieldSpec:
    """Parse one spec, checking everything that does not involve the other fields."""
    text = spec.strip()
    if not text:
        raise UserError("empty field spec ''; write NAME:TYPE, e.g. --field name:str")
    name, colon, rest = text.partition(":")
    if not colon:
        raise UserError(
            f"invalid field {spec!r}: the type is missing; write NAME:TYPE, e.g. {name}:str"
        )
    type_segment, *modifiers = rest.split(":")
    optional = type_segment.endswith("?")
    type_word, equals, argument = type_segment.removesuffix("?").partition("=")
    _check_name(spec, name)
    kind = _kind(spec, type_word)
    if kind is FieldKind.REF and name.endswith("_id"):
        raise UserError(
            f"invalid field {spec!r}: name a ref without '_id', its column is NAME_id; "
            f"e.g. {name.removesuffix('_id') or 'customer'}:{rest}"
        )
    draft = _Draft(spec=spec, name=name, kind=kind, type_segment=type_segment)
    enum_values: tuple[str, ...] = ()
    ref_target: str | None = None
    if kind is FieldKind.ENUM:
        enum_values = _enum_values(draft, equals, argument)
    elif kind is FieldKind.REF:
        ref_target = argument.strip()
        if not ref_target:
            raise draft.fail("ref needs the feature it points to", f"e.g. {name}:ref=customers")
    elif kind is FieldKind.REFS:
        ref_target = argument.strip()
        if not ref_target:
            raise draft.fail("refs needs the feature it points to", f"e.g. {name}:refs=tags")
        if optional:
            raise draft.fail(
                "a refs field is a list, never null (an empty list links nothing)",
                f"leave out '?': {name}:refs={ref_target}",
            )
        if name.endswith(("_id", "_ids")):
            raise draft.fail(
                "name a refs field after the rows, its ids are ITEM_ids",
                f"e.g. {name.removesuffix('_ids').removesuffix('_id') or 'tags'}:refs={ref_target}",
            )
    elif equals:
        raise draft.fail(
            f"the type {type_word} takes no '='", f"e.g. {name}:{type_word}{'?' * optional}"
        )
    for previous, modifier in zip(["", *modifiers], modifiers, strict=False):
        key = modifier.partition("=")[0]
        if previous.startswith("default=") and key not in _ALL_MODIFIERS:
            raise draft.fail(
                "a default cannot contain ':' (it separates the modifiers)",
                f"choose a default without ':', e.g. {draft.example('default=none')}",
            )
        _read_modifier(draft, modifier)
    _check_lengths(draft)
    _check_bounds(draft)
    _check_decimal(draft)
    _check_representable(draft)
    has_default = draft.raw_default is not None
    default = _default(draft, enum_values) if has_default else None
    is_decimal = kind is FieldKind.DECIMAL
    return FieldSpec(
        name=name,
        kind=kind,
        spec=spec,
        optional=optional,
        max_length=draft.max_length,
        min_length=draft.min_length,
        ge=draft.bounds.get("ge"),
        gt=draft.bounds.get("gt"),
        le=draft.bounds.get("le"),
        lt=draft.bounds.get("lt"),
        unique=draft.unique,
        index=draft.index,
        default=default,
        has_default=has_default,
        enum_values=enum_values,
        ref_target=ref_target,
        max_digits=(draft.digits or DEFAULT_MAX_DIGITS) if is_decimal else None,
        decimal_places=(draft.places or DEFAULT_DECIMAL_PLACES) if is_decimal else None,
    )


def _kind(spec: str, type_word: str) -> FieldKind:
    """The kind named ``type_word``, or an error listing the kinds and a likely match."""
    try:
        return FieldKind(type_word)
    except ValueError:
        pass
    kinds = [kind.value for kind in FieldKind]
    guess = _TYPE_ALIASES.get(type_word.lower()) or next(
        iter(difflib.get_close_matches(type_word.lower(), kinds, n=1)), None
    )
    if guess == "enum":
        guess = "enum=a,b,c"
    elif guess == "ref":
        guess = "ref=FEATURE"
    elif guess == "refs":
        guess = "refs=FEATURE"
    hint = f"did you mean {guess}? " if guess else ""
    shown = "" if not type_word else f" {type_word!r}"
    raise UserError(
        f"unknown field type{shown} in {spec!r}; {hint}use one of: str, text, int, float, "
        "decimal, bool, date, datetime, uuid, json, enum=a,b,c, ref=FEATURE, refs=FEATURE"
    )


def _check_name(spec: str, name: str) -> None:
    """Refuse a field name that is not snake_case, too long, a keyword or reserved."""
    shown = repr(spec)
    rest = spec.strip()[len(name) :]
    if not name:
        raise UserError(f"invalid field {shown}: the name is missing; e.g. name{rest}")
    if name.startswith("_"):
        raise UserError(
            f"invalid field {shown}: a name starting with '_' is private in Python; "
            f"e.g. {name.strip('_') or 'name'}{rest}"
        )
    if _SNAKE_CASE.fullmatch(name) is None:
        camel = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
        snake = re.sub(r"[^a-z0-9_]+", "_", camel).strip("_")
        example = f"{snake}{rest}" if _SNAKE_CASE.fullmatch(snake) else f"unit_price{rest}"
        raise UserError(
            f"invalid field {shown}: the name must be snake_case (lower-case letters, digits "
            f"and _, starting with a letter); e.g. {example}"
        )
    if len(name) > MAX_FIELD_NAME_LENGTH:
        raise UserError(
            f"invalid field {shown}: the name is {len(name)} characters long, the limit is "
            f"{MAX_FIELD_NAME_LENGTH}; use a shorter name"
        )
    if keyword.iskeyword(name):
        # Soft keywords (type, match, case, _) are ordinary names outside their statements.
        raise UserError(
            f"invalid field {shown}: '{name}' is a Python keyword, which cannot name an "
            f"attribute or parameter; use another name, e.g. {_alternative(name)}{rest}"
        )
    if name in _AUTOMATIC_FIELDS:
        raise UserError(
            f"invalid field {shown}: every model already has '{name}'; drop this --field, "
            f"or use another name, e.g. {_alternative(name)}{rest}"
        )
    if name in RESERVED_FIELD_NAMES or name.startswith("model_"):
        raise UserError(
            f"invalid field {shown}: '{name}' would shadow an attribute of the SQLAlchemy or "
            f"Pydantic base class; use another name, e.g. {_alternative(name)}{rest}"
        )


def _alternative(name: str) -> str:
    """A name to suggest instead of the refused ``name``."""
    if name.startswith("model_"):
        # Pydantic reserves the whole ``model_`` namespace.
        return f"{name.removeprefix('model_').strip('_') or 'kind'}_model"
    return _ALTERNATIVES.get(name, f"{name}_value")


def _enum_values(draft: _Draft, equals: str, argument: str) -> tuple[str, ...]:
    """The values of ``enum=a,b,c``: at least one, snake_case, distinct."""
    if not equals or not argument:
        raise draft.fail("an enum needs its values", f"e.g. {draft.name}:enum=pending,paid,shipped")
    values = tuple(argument.split(","))
    for value in values:
        if _SNAKE_CASE.fullmatch(value) is None:
            raise draft.fail(
                f"enum value {value!r} must be lower-case snake_case (letters, digits and _, "
                "starting with a letter)",
                f"e.g. {draft.name}:enum=pending,paid,shipped",
            )
        if len(value) > MAX_ENUM_VALUE_LENGTH:
            raise draft.fail(
                f"enum value {value!r} is longer than {MAX_ENUM_VALUE_LENGTH} characters",
                "use a shorter value",
            )
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        unique = ",".join(dict.fromkeys(values))
        raise draft.fail(
            f"enum value {duplicates[0]!r} is listed twice",
            f"list each value once, e.g. {draft.name}:enum={unique}",
        )
    return values


def _read_modifier(draft: _Draft, modifier: str) -> None:
    """Record one ``key`` or ``key=value`` modifier, checking only the value's syntax."""
    key, equals, value = modifier.partition("=")
    kind = draft.kind
    allowed = _MODIFIERS[kind]
    takes = f"{kind} fields take {', '.join(allowed)}" if allowed else f"{kind} fields take none"
    if not key:
        raise draft.fail("a modifier is empty", "remove the extra ':'")
    if key not in _ALL_MODIFIERS:
        guess = next(iter(difflib.get_close_matches(key, _ALL_MODIFIERS, n=1)), None)
        hint = f"did you mean {guess}? " if guess else ""
        raise UserError(f"unknown modifier {key!r} in {draft.spec!r}; {hint}{takes}")
    if key not in allowed:
        raise draft.fail(f"{key} does not apply to {kind} fields", takes)
    if key in draft.seen:
        raise draft.fail(f"{key} is given twice", "keep one")
    draft.seen.add(key)
    if key in _FLAGS:
        if equals:
            raise draft.fail(f"{key} takes no value", f"e.g. {draft.example(key)}")
        if key == "unique":
            draft.unique = True
        else:
            draft.index = True
        return
    if not equals:
        example = _EXAMPLE_VALUES.get(key, "VALUE")
        raise draft.fail(f"{key} needs a value", f"e.g. {draft.example(f'{key}={example}')}")
    if key == "default":
        draft.raw_default = value
    elif key in _BOUND_MODIFIERS:
        draft.bounds[key] = _number(draft, key, value)
    else:
        if _WHOLE_NUMBER.fullmatch(value) is None:
            raise draft.fail(
                f"{key} must be a whole number",
                f"e.g. {draft.example(f'{key}={_EXAMPLE_VALUES[key]}')}",
            )
        number = int(value)
        if key == "min":
            draft.min_length = number
        elif key == "max":
            draft.max_length = number
        elif key == "digits":
            draft.digits = number
        else:
            draft.places = number


def _number(draft: _Draft, key: str, value: str) -> Bound:
    """``value`` parsed as a number of the field's kind, or an error naming ``key``."""
    example = f"e.g. {draft.example(key + '=' + _EXAMPLE_VALUES.get(key, '0'))}"
    if draft.kind is FieldKind.INT:
        if _INTEGER.fullmatch(value) is None:
            raise draft.fail(f"{key} must be a whole number", example)
        return int(value)
    if _REAL.fullmatch(value) is None:
        raise draft.fail(f"{key} must be a number", example)
    if draft.kind is FieldKind.DECIMAL:
        try:
            return Decimal(value)
        except InvalidOperation:  # an exponent too large for the decimal context
            raise draft.fail(f"{key} is out of range", example) from None
    number = float(value)
    if not math.isfinite(number):
        raise draft.fail(f"{key} is out of range", example)
    return number


def _check_lengths(draft: _Draft) -> None:
    """Check min and max and fill in the default max of str."""
    if draft.min_length is not None and draft.min_length < 1:
        raise draft.fail("min must be at least 1", "drop min=0, it is the default")
    if draft.max_length is not None and not 1 <= draft.max_length <= MAX_STRING_LENGTH:
        raise draft.fail(
            f"max must be between 1 and {MAX_STRING_LENGTH}",
            f"e.g. {draft.example('max=255')}",
        )
    if draft.kind is FieldKind.STR and draft.max_length is None:
        if draft.min_length is not None and draft.min_length > DEFAULT_STR_MAX_LENGTH:
            raise draft.fail(
                f"min={draft.min_length} is above the default max of {DEFAULT_STR_MAX_LENGTH}",
                f"give max too, e.g. {draft.example(f'min={draft.min_length}')}:"
                f"max={draft.min_length}",
            )
        draft.max_length = DEFAULT_STR_MAX_LENGTH
    if (
        draft.kind is FieldKind.TEXT
        and draft.max_length is None
        and draft.min_length is not None
        and draft.min_length > DEFAULT_TEXT_MAX_LENGTH
    ):
        raise draft.fail(
            f"min={draft.min_length} is above the default max of {DEFAULT_TEXT_MAX_LENGTH}",
            f"give max too, e.g. {draft.example(f'min={draft.min_length}')}:max={draft.min_length}",
        )
    if (
        draft.min_length is not None
        and draft.max_length is not None
        and draft.min_length > draft.max_length
    ):
        raise draft.fail(
            f"min={draft.min_length} is above max={draft.max_length}",
            "make min at most max",
        )


def _check_bounds(draft: _Draft) -> None:
    """Refuse ge with gt, le with lt, and bounds that leave no value allowed."""
    bounds = draft.bounds
    for inclusive, exclusive in (("ge", "gt"), ("le", "lt")):
        if inclusive in bounds and exclusive in bounds:
            raise draft.fail(
                f"{inclusive} and {exclusive} are both given",
                f"keep one of {inclusive}/{exclusive}",
            )
    lower_key = "ge" if "ge" in bounds else "gt"
    upper_key = "le" if "le" in bounds else "lt"
    if lower_key not in bounds or upper_key not in bounds:
        return
    lower, upper = bounds[lower_key], bounds[upper_key]
    if draft.kind is FieldKind.INT:
        # Whole numbers: gt=1 is ge=2, lt=10 is le=9.
        smallest = int(lower) + (lower_key == "gt")
        largest = int(upper) - (upper_key == "lt")
        empty = smallest > largest
    elif lower_key == "ge" and upper_key == "le":
        empty = lower > upper
    else:
        empty = lower >= upper
    if empty:
        raise draft.fail(
            f"{lower_key}={lower} and {upper_key}={upper} leave no value allowed",
            f"make the lower bound smaller than the upper bound, e.g. "
            f"{draft.example(f'{lower_key}=0', f'{upper_key}=100')}",
        )


def _check_representable(draft: _Draft) -> None:
    """Refuse bounds that no value of the column's type can meet (or that it cannot hold)."""
    bounds = draft.bounds
    if draft.kind is FieldKind.INT:
        for key, bound in bounds.items():
            if not INT32_MIN <= bound <= INT32_MAX:
                raise draft.fail(
                    f"{key}={bound} is outside the range of int, which is 32-bit "
                    f"({INT32_MIN} to {INT32_MAX})",
                    f"use a bound within it, or a decimal field for larger numbers, e.g. "
                    f"{draft.name}:decimal:digits=18:places=1",
                )
        smallest = max(
            INT32_MIN,
            int(bounds.get("ge", INT32_MIN)),
            int(bounds.get("gt", INT32_MIN - 1)) + 1,
        )
        largest = min(
            INT32_MAX,
            int(bounds.get("le", INT32_MAX)),
            int(bounds.get("lt", INT32_MAX + 1)) - 1,
        )
        if smallest > largest:
            raise draft.fail("the bounds leave no 32-bit value allowed", "make the range wider")
    if draft.kind is FieldKind.DECIMAL and draft.digits is not None and draft.places is not None:
        quantum = Decimal(1).scaleb(-draft.places)
        largest_value = Decimal(10) ** (draft.digits - draft.places) - quantum
        lowest = -largest_value
        highest = largest_value
        if "ge" in bounds:
            lowest = max(lowest, Decimal(bounds["ge"]).quantize(quantum, rounding=ROUND_CEILING))
        if "gt" in bounds:
            step = Decimal(bounds["gt"]).quantize(quantum, rounding=ROUND_FLOOR) + quantum
            lowest = max(lowest, step)
        if "le" in bounds:
            highest = min(highest, Decimal(bounds["le"]).quantize(quantum, rounding=ROUND_FLOOR))
        if "lt" in bounds:
            step = Decimal(bounds["lt"]).quantize(quantum, rounding=ROUND_CEILING) - quantum
            highest = min(highest, step)
        if lowest > highest:
            raise draft.fail(
                f"no number with digits={draft.digits} and places={draft.places} (at most "
                f"{largest_value} in size, in steps of {quantum}) meets the bounds",
                "widen the bounds or raise digits/places",
            )


def _check_decimal(draft: _Draft) -> None:
    """Check digits and places of a decimal: 1 <= places < digits <= 38."""
    if draft.kind is not FieldKind.DECIMAL:
        return
    digits = DEFAULT_MAX_DIGITS if draft.digits is None else draft.digits
    places = DEFAULT_DECIMAL_PLACES if draft.places is None else draft.places
    if not 2 <= digits <= MAX_DECIMAL_DIGITS:
        raise draft.fail(
            f"digits must be between 2 and {MAX_DECIMAL_DIGITS}",
            f"e.g. {draft.example('digits=12')}",
        )
    if places < 1:
        raise draft.fail("places must be at least 1", "use an int field for whole numbers")
    if places >= digits:
        raise draft.fail(
            f"places={places} must be less than digits={digits}",
            f"e.g. {draft.example(f'digits={places + 10}', f'places={places}')}",
        )
    draft.digits, draft.places = digits, places


def _default(draft: _Draft, enum_values: tuple[str, ...]) -> DefaultValue:
    """The default parsed as the field's type and checked against its constraints."""
    # _MODIFIERS allows default only on the kinds that have a parser.
    return _DEFAULT_PARSERS[draft.kind](draft, draft.raw_default or "", enum_values)


def _text_default(draft: _Draft, raw: str, _: tuple[str, ...]) -> DefaultValue:
    """A str or text default, within min and max (a str has at least one character)."""
    if "\x00" in raw:
        raise draft.fail("the default contains a NUL character", "remove it")
    if draft.kind is FieldKind.STR and not raw:
        raise draft.fail(
            "the default is empty, but a str has at least one character",
            (
                f"give a default such as {draft.example('default=none')}, or drop default= "
                "to leave the field empty (null)"
            )
            if draft.type_segment.endswith("?")
            else f"give a default such as {draft.example('default=none')}, or make the "
            f"field optional ({draft.name}:str?) to leave it empty",
        )
    if draft.min_length is not None and len(raw) < draft.min_length:
        raise draft.fail(
            f"the default is shorter than min={draft.min_length}",
            "use a longer default or a smaller min",
        )
    if draft.max_length is not None and len(raw) > draft.max_length:
        raise draft.fail(
            f"the default is longer than max={draft.max_length}",
            "use a shorter default or a larger max",
        )
    return raw


def _number_default(draft: _Draft, raw: str, _: tuple[str, ...]) -> DefaultValue:
    """An int, float or decimal default, within the bounds and the decimal's size."""
    value = _number(draft, "default", raw)
    if draft.kind is FieldKind.INT and not INT32_MIN <= value <= INT32_MAX:
        raise draft.fail(
            f"the default {raw} is outside the range of int, which is 32-bit "
            f"({INT32_MIN} to {INT32_MAX})",
            f"use a smaller default, or a decimal field, e.g. {draft.name}:decimal:digits=18",
        )
    checks = {
        "ge": lambda bound: value >= bound,
        "gt": lambda bound: value > bound,
        "le": lambda bound: value <= bound,
        "lt": lambda bound: value < bound,
    }
    for key, bound in draft.bounds.items():
        if not checks[key](bound):
            raise draft.fail(
                f"the default {raw} breaks {key}={bound}",
                "use a default within the bounds",
            )
    if isinstance(value, Decimal) and draft.digits is not None and draft.places is not None:
        exponent = value.normalize().as_tuple().exponent  # exact: parse_fields sets prec
        too_precise = isinstance(exponent, int) and -exponent > draft.places
        too_large = abs(value) >= Decimal(10) ** (draft.digits - draft.places)
        if too_precise or too_large:
            raise draft.fail(
                f"the default {raw} does not fit digits={draft.digits}, places={draft.places}",
                "use a smaller default or raise digits/places",
            )
    return value


def _bool_default(draft: _Draft, raw: str, _: tuple[str, ...]) -> DefaultValue:
    """``true`` or ``false``, in any case."""
    value = {"true": True, "false": False}.get(raw.lower())
    if value is None:
        raise draft.fail(
            f"the default of a bool must be true or false, not {raw!r}",
            f"e.g. {draft.example('default=false')}",
        )
    return value


def _date_default(draft: _Draft, raw: str, _: tuple[str, ...]) -> DefaultValue:
    """An ISO date, YYYY-MM-DD."""
    try:
        if _ISO_DATE.fullmatch(raw) is None:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise draft.fail(
            f"the default {raw!r} is not a date written YYYY-MM-DD",
            f"e.g. {draft.example('default=2024-01-31')}",
        ) from None


def _enum_default(draft: _Draft, raw: str, enum_values: tuple[str, ...]) -> DefaultValue:
    """One of the enum's values."""
    if raw not in enum_values:
        raise draft.fail(
            f"the default {raw!r} is not one of the values {', '.join(enum_values)}",
            f"e.g. {draft.example(f'default={enum_values[0]}')}",
        )
    return raw


_DEFAULT_PARSERS: dict[FieldKind, Callable[[_Draft, str, tuple[str, ...]], DefaultValue]] = {
    FieldKind.STR: _text_default,
    FieldKind.TEXT: _text_default,
    FieldKind.INT: _number_default,
    FieldKind.FLOAT: _number_default,
    FieldKind.DECIMAL: _number_default,
    FieldKind.BOOL: _bool_default,
    FieldKind.DATE: _date_default,
    FieldKind.ENUM: _enum_default,
}
