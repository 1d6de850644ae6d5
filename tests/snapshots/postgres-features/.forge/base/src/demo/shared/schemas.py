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


def _json_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("json_document", message)


def _json_document(value: Any) -> Any:
    # One check with one clean location (the field), instead of Pydantic's union errors.
    if not isinstance(value, dict | list):
        raise _json_error("must be a JSON object or array")
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise _json_error("object keys must be strings")
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            # NaN, Infinity and 1e400 are not JSON: PostgreSQL refuses them, SQLite nulls them.
            raise _json_error("numbers must be finite (no NaN, Infinity or overflowing values)")
        elif not isinstance(item, str | int | float | None):
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
