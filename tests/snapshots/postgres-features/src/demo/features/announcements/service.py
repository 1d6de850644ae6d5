"""Business rules of announcements.

Services flush through repositories, never commit.
"""

from typing import Any
from uuid import UUID

from ...shared.pagination import PageParams
from .exceptions import AnnouncementNotFoundError
from .models import Announcement
from .repository import AnnouncementRepository
from .schemas import AnnouncementCreate, AnnouncementFilters, AnnouncementUpdate


class AnnouncementService:
    """Create, read, list, change and delete announcements."""

    def __init__(self, repository: AnnouncementRepository) -> None:
        self.repository = repository

    async def create(self, data: AnnouncementCreate) -> Announcement:
        """Store a new announcement."""
        values = data.model_dump()
        # Attributes are set one by one: a field may be called anything, even ``self``.
        row = Announcement()
        for name, value in values.items():
            setattr(row, name, value)
        return await self.repository.add(row)

    async def read(self, announcement_id: UUID) -> dict[str, Any]:
        """The row with this id as the API shows it (not found: a 404)."""
        row = await self.repository.read(announcement_id)
        if row is None:
            raise AnnouncementNotFoundError(announcement_id)
        return row

    async def get(self, announcement_id: UUID) -> Announcement:
        """The row with this id, or ``AnnouncementNotFoundError``."""
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
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of announcements, as the API shows them."""
        return await self.repository.search(
            filters,
            params,
            sort=sort,
        )

    async def update(
        self,
        announcement_id: UUID,
        data: AnnouncementUpdate,
    ) -> Announcement:
        """Apply the fields present in ``data``."""
        row = await self.get(announcement_id)
        values = data.model_dump(exclude_unset=True)
        return await self.repository.update(row, values)

    async def delete(self, announcement_id: UUID) -> None:
        """Delete a row; rows that others still reference answer 409."""
        row = await self.get(announcement_id)
        await self.repository.delete(row)
