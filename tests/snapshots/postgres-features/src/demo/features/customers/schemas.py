"""Request and response bodies of customers."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints, field_validator

from ...shared.schemas import (
    NO_NUL_PATTERN,
    AppSchema,
)


class CustomerCreate(AppSchema):
    """A new customer."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Example", "email": "Example email"}]}
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NO_NUL_PATTERN)]
    email: (
        Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL_PATTERN)]
        | None
    ) = None


class CustomerUpdate(AppSchema):
    """Changes to a customer: every field optional, none nullable unless the column is."""

    name: (
        Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NO_NUL_PATTERN)]
        | None
    ) = None
    email: (
        Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL_PATTERN)]
        | None
    ) = None

    @field_validator("name", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            msg = "may not be null; omit the field to leave it unchanged"
            raise ValueError(msg)
        return value


class CustomerRead(AppSchema):
    """A customer as the API shows it."""

    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    name: str
    email: str | None
