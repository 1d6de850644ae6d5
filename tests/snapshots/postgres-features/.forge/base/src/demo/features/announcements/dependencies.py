"""Dependencies of announcements: the service and the list filters."""

from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from .repository import AnnouncementRepository
from .schemas import AnnouncementFilters
from .service import AnnouncementService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_announcement_service(session: SessionDep) -> AnnouncementService:
    """The announcements service bound to the request's session."""
    return AnnouncementService(AnnouncementRepository(session))


AnnouncementServiceDep = Annotated[AnnouncementService, Depends(get_announcement_service)]
# The list filters, one query parameter per field of AnnouncementFilters.
AnnouncementFiltersDep = Annotated[AnnouncementFilters, Query()]
