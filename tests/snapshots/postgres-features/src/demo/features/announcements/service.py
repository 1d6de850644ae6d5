"""Business rules of announcements. Services flush through repositories, never commit."""

import uuid
from collections.abc import Mapping
from typing import Any

from ...shared.pagination import PageParams
from .exceptions import AnnouncementConflictError, AnnouncementNotFoundError
from .models import Announcement
from .repository import AnnouncementFilters, AnnouncementRepository
from .schemas import AnnouncementCreate, AnnouncementUpdate

UNIQUE_FIELDS: tuple[str, ...] = ()


class AnnouncementService:
    """Create, read, list, change and delete announcements."""

    def __init__(self, repository: AnnouncementRepository) -> None:
        self.repository = repository

    async def create(self, data: AnnouncementCreate) -> Announcement:
        """Store a new announcement."""
        values = data.model_dump()
        await self._check_unique(values)
        return await self.repository.add(Announcement(**values))

    async def get(self, announcement_id: uuid.UUID) -> Announcement:
        """The announcement with this id, or ``AnnouncementNotFoundError``."""
        row = await self.repository.get(announcement_id)
        if row is None:
            raise AnnouncementNotFoundError(announcement_id)
        return row

    async def list(
        self,
        filters: AnnouncementFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[Announcement], int]:
        """A page of announcements."""
        return await self.repository.search(
            filters,
            params,
            sort=sort,
        )

    async def update(
        self,
        row: Announcement,
        data: AnnouncementUpdate,
    ) -> Announcement:
        """Apply the fields present in ``data``."""
        values = data.model_dump(exclude_unset=True)
        await self._check_unique(values, exclude_id=row.id)
        return await self.repository.update(row, values)

    async def delete(self, row: Announcement) -> None:
        """Delete a row; rows that others still reference answer 409."""
        await self.repository.delete(row)

    async def _check_unique(
        self, values: Mapping[str, Any], *, exclude_id: uuid.UUID | None = None
    ) -> None:
        candidates = {name: values[name] for name in UNIQUE_FIELDS if name in values}
        duplicates = await self.repository.find_duplicates(candidates, exclude_id=exclude_id)
        if duplicates:
            raise AnnouncementConflictError(duplicates[0])
