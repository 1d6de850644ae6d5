"""Every query on the ``announcements`` table."""

from typing import ClassVar

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Announcement
from .schemas import AnnouncementFilters


class AnnouncementRepository(BaseRepository[Announcement]):
    """Announcements by id, and filtered, sorted pages."""

    model = Announcement
    sortable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "headline",
            "body",
        }
    )

    async def search(
        self,
        filters: AnnouncementFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[Announcement], int]:
        """A page of rows matching ``filters``."""
        criteria: list[ColumnElement[bool]] = []
        if filters.headline is not None:
            criteria.append(Announcement.headline == filters.headline)
        return await self.page(params, filters=criteria, sort=sort)
