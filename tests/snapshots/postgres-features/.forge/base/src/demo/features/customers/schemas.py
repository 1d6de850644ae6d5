"""Request and response bodies of customers; list filters."""

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from ...shared.schemas import (
    NO_NUL_PATTERN,
    AppSchema,
)

# A body the create endpoint accepts, shown in the OpenAPI document.
CREATE_EXAMPLE: dict[str, Any] = {"name": "Example", "email": "Example email"}


class CustomerCreate(AppSchema):
    """A new customer."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    name: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NO_NUL_PATTERN)]
    email: (
        Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL_PATTERN)]
        | None
    ) = None


class CustomerUpdate(AppSchema):
    """Changes to a customer.

    Every field is optional; none is nullable unless its column is.
    """

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
    """One customer as the API shows it."""

    id: UUID
    owner_id: UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    name: str
    email: str | None


class CustomerFilters(BaseModel):
    """The list endpoint's filters, from the query string; ``None`` means "any".

    Ranges are inclusive and take any value of the field's type, allowed or not.
    """

    name: Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL_PATTERN)] | None = None
    email: Annotated[str, StringConstraints(max_length=255, pattern=NO_NUL_PATTERN)] | None = None
