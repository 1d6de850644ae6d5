"""The base every API schema derives from, and input types as strict as their schema."""

import json
import math
import re
from datetime import UTC, date, datetime
from decimal import Context, Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    PlainValidator,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Text fields refuse NUL characters: PostgreSQL cannot store them.
NO_NUL_PATTERN = r"^[^\x00]*$"
# Integer fields are INTEGER columns: larger values are a 422, never a database error.
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    # Lax validation would read 1700000000 or "0.5" as a Unix time; the schema promises an
    # ISO 8601 date or date-time.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE_START.match(value)):
        return value
    msg = "must be an ISO 8601 date or date-time, e.g. 2024-01-31 or 2024-01-31T12:00:00Z"
    raise ValueError(msg)


def _number_only(value: Any) -> Any:
    # Lax validation would read "1.5" or true as a number; the schema promises a number.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    msg = "must be a number"
    raise ValueError(msg)


# Input types that accept exactly what their JSON schema says (FastAPI validates the
# decoded body in Pydantic's lax mode, which would also take 0 for false or "5" for 5).
StrictBoolean = Annotated[bool, Strict()]
StrictInteger = Annotated[int, Strict()]
StrictNumber = Annotated[float, BeforeValidator(_number_only)]
IsoDate = Annotated[date, BeforeValidator(_iso_text)]


def _in_utc(value: datetime) -> datetime:
    # Stored and answered in UTC; 0001-01-01T00:00:00+01:00 has no UTC equivalent.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = "is outside the range of dates that can be stored (years 1 to 9999 in UTC)"
        raise ValueError(msg) from None


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]


def canonical_decimal(places: int) -> AfterValidator:
    """Give every value the column's scale, so a create echoes what a read returns."""
    quantum = Decimal(1).scaleb(-places)
    context = Context(prec=60)  # above the largest precision a decimal field may have

    def quantize(value: Decimal) -> Decimal:
        return value.quantize(quantum, context=context)

    return AfterValidator(quantize)


# How deep objects and arrays may nest in a JSON field ({"a": [1]} is 2 levels). Pydantic
# refuses to serialize past 255 levels (a 500 on the answer); real documents stay far below.
JSON_MAX_DEPTH = 32
# A lone UTF-16 surrogate (the JSON escape "\ud800") is no character: it cannot be encoded
# as UTF-8, so it could be neither stored nor answered.
_SURROGATE = re.compile("[\\ud800-\\udfff]")
_SURROGATE_MESSAGE = "must not hold lone UTF-16 surrogates (such as \\ud800) in keys or values"


def _json_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("json_document", message)


def _json_document(value: Any) -> Any:
    # One check with one clean location (the field), instead of Pydantic's union errors.
    if not isinstance(value, dict | list):
        raise _json_error("must be a JSON object or array")
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > JSON_MAX_DEPTH:
            msg = f"is nested deeper than {JSON_MAX_DEPTH} levels of objects and arrays"
            raise _json_error(msg)
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    raise _json_error("object keys must be strings")
                if _SURROGATE.search(key):
                    raise _json_error(_SURROGATE_MESSAGE)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            if _SURROGATE.search(item):
                raise _json_error(_SURROGATE_MESSAGE)
        elif isinstance(item, float) and not math.isfinite(item):
            # NaN, Infinity and 1e400 are not JSON: PostgreSQL refuses them, SQLite nulls them.
            raise _json_error("numbers must be finite (no NaN, Infinity or overflowing values)")
        elif not isinstance(item, int | float | None):
            raise _json_error("must hold only JSON values")
    return value


# What a JSON field holds: an object or an array (scalars belong in typed fields).
JsonDocument = Annotated[
    dict[str, JsonValue] | list[JsonValue],
    PlainValidator(_json_document, json_schema_input_type=dict[str, JsonValue] | list[JsonValue]),
]


def json_max_length(limit: int) -> AfterValidator:
    """Cap a JSON field at ``limit`` characters of its compact JSON text."""

    def check(value: Any) -> Any:
        if len(json.dumps(value, separators=(",", ":"), ensure_ascii=False)) > limit:
            msg = f"is larger than {limit} characters of compact JSON"
            raise _json_error(msg)
        return value

    return AfterValidator(check)


# Past this many unknown keys, a body is refused with one error instead of one per key.
MAX_UNKNOWN_FIELDS = 20

# Text kept exactly as sent, surrounding whitespace included: passwords, tokens and any
# other secret. AppSchema strips ordinary text; stripping a secret would change it.
VerbatimStr = Annotated[str, StringConstraints(strip_whitespace=False)]


class AppSchema(BaseModel):
    """Strict about unknown fields, reads ORM objects, strips surrounding whitespace.

    Stripping suits ordinary text (names, titles, codes): a stray space from a form is
    never meant. Secrets are different: a field typed ``VerbatimStr`` (passwords, tokens)
    is kept exactly as sent.
    """

    model_config = ConfigDict(
        from_attributes=True,
        str_strip_whitespace=True,
        extra="forbid",
    )

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_fields(cls, data: Any) -> Any:
        # ``extra="forbid"`` reports each unknown key: a 1 MB body of 100,000 keys would
        # cost seconds of CPU to validate and answer. Past MAX_UNKNOWN_FIELDS they are one
        # error; the check costs nothing for a body no larger than the schema.
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_FIELDS:
            unknown = len(data.keys() - cls.model_fields.keys())
            msg = f"has {unknown} unknown fields; at most {MAX_UNKNOWN_FIELDS} are allowed"
            raise PydanticCustomError("too_many_unknown_fields", msg)
        return data
