"""The base every API schema derives from."""

from pydantic import BaseModel, ConfigDict


class AppSchema(BaseModel):
    """Strict about unknown fields, reads ORM objects, strips surrounding whitespace."""

    model_config = ConfigDict(
        from_attributes=True,
        str_strip_whitespace=True,
        extra="forbid",
    )
