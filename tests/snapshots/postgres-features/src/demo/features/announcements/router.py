"""HTTP endpoints of announcements. Thin: validate, call the service, shape the reply."""

import uuid

from fastapi import APIRouter, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...shared.pagination import Page, PageDep, SortDep
from .dependencies import AnnouncementDep, AnnouncementFiltersDep, AnnouncementServiceDep
from .schemas import AnnouncementCreate, AnnouncementRead, AnnouncementUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/announcements",
    tags=["announcements"],
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a announcement",
    responses=responses(409, 422),
)
async def create_announcement(
    data: AnnouncementCreate, service: AnnouncementServiceDep
) -> AnnouncementRead:
    """Create a announcement."""
    return AnnouncementRead.model_validate(await service.create(data))


@router.get("", summary="List announcements", responses=responses(422))
async def list_announcements(
    service: AnnouncementServiceDep,
    filters: AnnouncementFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[AnnouncementRead]:
    """A page of announcements, filtered and sorted (``sort=-created_at``)."""
    rows, total = await service.list(filters, params, sort=sort)
    return Page.of([AnnouncementRead.model_validate(row) for row in rows], total, params)


@router.get("/{announcement_id}", summary="Read a announcement", responses=responses(404, 422))
async def read_announcement(announcement_id: uuid.UUID, row: AnnouncementDep) -> AnnouncementRead:
    """Return one announcement."""
    return AnnouncementRead.model_validate(row)


@router.patch(
    "/{announcement_id}",
    summary="Change a announcement",
    responses=responses(404, 409, 422),
)
async def update_announcement(
    announcement_id: uuid.UUID,
    row: AnnouncementDep,
    data: AnnouncementUpdate,
    service: AnnouncementServiceDep,
) -> AnnouncementRead:
    """Change the fields present in the body; absent fields stay as they are."""
    return AnnouncementRead.model_validate(await service.update(row, data))


@router.delete(
    "/{announcement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a announcement",
    responses=responses(404, 409, 422),
)
async def delete_announcement(
    announcement_id: uuid.UUID, row: AnnouncementDep, service: AnnouncementServiceDep
) -> None:
    """Delete a announcement; one that other rows still reference answers 409."""
    await service.delete(row)
