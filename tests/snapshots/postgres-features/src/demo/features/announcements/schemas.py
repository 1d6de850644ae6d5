"""Request and response bodies of announcements; list filters."""

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from ...shared.schemas import (
    NO_NUL_PATTERN,
    AppSchema,
)

# A body the create endpoint accepts, shown in the OpenAPI document.
CREATE_EXAMPLE: dict[str, Any] = {"headline": "Example headline", "body": "Example body"}


class AnnouncementCreate(AppSchema):
    """A new announcement."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    headline: Annotated[
        str, StringConstraints(min_length=3, max_length=255, pattern=NO_NUL_PATTERN)
    ]
    body: Annotated[str, StringConstraints(max_length=65535, pattern=NO_NUL_PATTERN)]


class AnnouncementUpdate(AppSchema):
    """Changes to an announcement.

    Every field is optional; none is nullable unless its column is.
    """

    headline: (
        Annotated[str, StringConstraints(min_length=3, max_length=255, pattern=NO_NUL_PATTERN)]
        | None
    ) = None
    body: Annotated[str, StringConstraints(max_length=65535, pattern=NO_NUL_PATTERN)] | None = None

    @field_validator("headline", "body", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            msg = "may not be null; omit the field to leave it unchanged"
            raise ValueError(msg)
        return value


class AnnouncementRead(AppSchema):
    """One announcement as the API shows it."""

    id: UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    headline: str
    body: str


class AnnouncementFilters(BaseModel):
    """The list endpoint's filters, from the query string; ``None`` means "any".

    Ranges are inclusive and take any value of the field's type, allowed or not.
    """

    headline: Annotated[str, StringConstraints(max_length=255, pattern=NO_NUL_PATTERN)] | None = (
        None
    )
