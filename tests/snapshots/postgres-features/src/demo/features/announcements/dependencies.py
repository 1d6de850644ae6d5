"""Dependencies of announcements: the service, rows loaded by id (or 404), filters."""

import uuid
from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from ...shared.schemas import NO_NUL_PATTERN
from .models import Announcement
from .repository import AnnouncementFilters, AnnouncementRepository
from .service import AnnouncementService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_announcement_service(session: SessionDep) -> AnnouncementService:
    """The announcements service bound to the request's session."""
    return AnnouncementService(AnnouncementRepository(session))


AnnouncementServiceDep = Annotated[AnnouncementService, Depends(get_announcement_service)]


async def get_announcement(
    announcement_id: uuid.UUID,
    service: AnnouncementServiceDep,
) -> Announcement:
    """The announcement named in the path, or 404."""
    return await service.get(announcement_id)


AnnouncementDep = Annotated[Announcement, Depends(get_announcement)]


# Named get_..., like every function here: a name starting with the feature's would read as
# a test to pytest and ruff for a feature such as "test-runs" or "testimonials".
async def get_announcement_filters(
    headline: Annotated[str | None, Query(max_length=255, pattern=NO_NUL_PATTERN)] = None,
) -> AnnouncementFilters:
    """Read the list filters from the query string."""
    return AnnouncementFilters(
        headline=headline,
    )


AnnouncementFiltersDep = Annotated[AnnouncementFilters, Depends(get_announcement_filters)]
