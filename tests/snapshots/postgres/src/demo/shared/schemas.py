"""The base every API schema derives from."""

from pydantic import BaseModel, ConfigDict, JsonValue

# What a JSON field holds: an object or an array (scalars belong in typed fields).
JsonDocument = dict[str, JsonValue] | list[JsonValue]
# Text fields refuse NUL characters: PostgreSQL cannot store them.
NO_NUL_PATTERN = r"^[^\x00]*$"
# Integer fields are INTEGER columns: larger values are a 422, never a database error.
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


class AppSchema(BaseModel):
    """Strict about unknown fields, reads ORM objects, strips surrounding whitespace."""

    model_config = ConfigDict(
        from_attributes=True,
        str_strip_whitespace=True,
        extra="forbid",
    )
