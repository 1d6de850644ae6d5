"""Request and response bodies of announcements."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints, field_validator

from ...shared.schemas import (
    NO_NUL_PATTERN,
    AppSchema,
)


class AnnouncementCreate(AppSchema):
    """A new announcement."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"headline": "Example headline", "body": "Example body"}]}
    )

    headline: Annotated[
        str, StringConstraints(min_length=3, max_length=255, pattern=NO_NUL_PATTERN)
    ]
    body: Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)]


class AnnouncementUpdate(AppSchema):
    """Changes to a announcement: every field optional, none nullable unless the column is."""

    headline: (
        Annotated[str, StringConstraints(min_length=3, max_length=255, pattern=NO_NUL_PATTERN)]
        | None
    ) = None
    body: Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)] | None = None

    @field_validator("headline", "body", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            msg = "may not be null; omit the field to leave it unchanged"
            raise ValueError(msg)
        return value


class AnnouncementRead(AppSchema):
    """A announcement as the API shows it."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    headline: str
    body: str
