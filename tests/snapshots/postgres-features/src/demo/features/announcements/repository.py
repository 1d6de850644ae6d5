"""Every query on the ``announcements`` table."""

from typing import Any, ClassVar

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Announcement
from .schemas import AnnouncementFilters, AnnouncementRead


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
    read_fields: ClassVar[tuple[str, ...]] = tuple(AnnouncementRead.model_fields)

    async def search(
        self,
        filters: AnnouncementFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of rows as the API shows them, matching ``filters``."""
        criteria: list[ColumnElement[bool]] = []
        if filters.headline is not None:
            criteria.append(Announcement.headline == filters.headline)
        if not criteria:  # the prepared statements of read_page
            return await self.read_page(params, sort=sort)
        return await self.read_filtered_page(params, filters=criteria, sort=sort)
