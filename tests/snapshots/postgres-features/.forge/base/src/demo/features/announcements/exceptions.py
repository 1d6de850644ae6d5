"""Errors of announcements."""

from uuid import UUID

from ...core.errors import NotFoundError


class AnnouncementNotFoundError(NotFoundError):
    """No announcement with this id."""

    def __init__(self, announcement_id: UUID) -> None:
        super().__init__("Announcement", announcement_id)
