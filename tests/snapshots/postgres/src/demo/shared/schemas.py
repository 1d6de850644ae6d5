"""The base every API schema derives from, and input types as strict as their schema."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    Strict,
    StringConstraints,
)

# What a JSON field holds: an object or an array (scalars belong in typed fields).
JsonDocument = dict[str, JsonValue] | list[JsonValue]
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
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
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
