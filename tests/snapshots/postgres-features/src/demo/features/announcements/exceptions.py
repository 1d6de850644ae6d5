"""Errors of announcements."""

import uuid

from ...core.errors import ConflictError, NotFoundError


class AnnouncementNotFoundError(NotFoundError):
    """No announcement with this id."""

    def __init__(self, announcement_id: uuid.UUID) -> None:
        super().__init__("Announcement", announcement_id)


class AnnouncementConflictError(ConflictError):
    """Another announcement already has this value."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Another announcement has the same {field}", field=field)
