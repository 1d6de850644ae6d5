"""HTTP endpoints of announcements.

Thin: validate, call the service, shape the reply.

Public: anyone may read; only admins may create, change or delete.
"""

from uuid import UUID

from fastapi import APIRouter, Depends, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...core.security import Role
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import require_role
from .dependencies import AnnouncementFiltersDep, AnnouncementServiceDep
from .schemas import AnnouncementCreate, AnnouncementRead, AnnouncementUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/announcements",
    tags=["announcements"],
)
# Writes need a signed-in admin; reads need nothing.
WRITE_ACCESS = [Depends(require_role(Role.ADMIN))]
WRITE_ERRORS = (401, 403)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an announcement",
    dependencies=WRITE_ACCESS,
    responses=responses(*WRITE_ERRORS, 409, 422),
)
async def create_announcement(
    data: AnnouncementCreate, service: AnnouncementServiceDep
) -> AnnouncementRead:
    """Create an announcement."""
    return AnnouncementRead.model_validate(await service.create(data))


@router.get("", summary="List announcements", responses=responses(422))
async def list_announcements(
    service: AnnouncementServiceDep,
    filters: AnnouncementFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[AnnouncementRead]:
    """A page of announcements, filtered and sorted.

    ``sort`` takes fields, each with ``-`` for descending: ``sort=-created_at``.
    """
    rows, total = await service.list(filters, params, sort=sort)
    return Page.of([AnnouncementRead.model_validate(row) for row in rows], total, params)


@router.get("/{announcement_id}", summary="Read an announcement", responses=responses(404, 422))
async def read_announcement(
    announcement_id: UUID, service: AnnouncementServiceDep
) -> AnnouncementRead:
    """Return one announcement."""
    return AnnouncementRead.model_validate(await service.read(announcement_id))


@router.patch(
    "/{announcement_id}",
    summary="Change an announcement",
    dependencies=WRITE_ACCESS,
    responses=responses(*WRITE_ERRORS, 404, 409, 422),
)
async def update_announcement(
    announcement_id: UUID,
    data: AnnouncementUpdate,
    service: AnnouncementServiceDep,
) -> AnnouncementRead:
    """Change the fields present in the body; absent fields stay as they are."""
    row = await service.update(announcement_id, data)
    return AnnouncementRead.model_validate(row)


@router.delete(
    "/{announcement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an announcement",
    dependencies=WRITE_ACCESS,
    responses=responses(*WRITE_ERRORS, 404, 409, 422),
)
async def delete_announcement(announcement_id: UUID, service: AnnouncementServiceDep) -> None:
    """Delete an announcement.

    One that other rows still reference answers 409.
    """
    await service.delete(announcement_id)
