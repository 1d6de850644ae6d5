"""Test data for announcements: valid request bodies and stored rows."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from demo.features.announcements.models import Announcement
from demo.features.announcements.schemas import AnnouncementCreate


# The leading parameters are positional-only, so a field may be called ``session`` too.
async def valid_payload(**overrides: Any) -> dict[str, Any]:
    """A JSON body the create endpoint accepts."""
    payload: dict[str, Any] = {
        "headline": "Example headline",
        "body": "Example body",
    }
    payload.update(overrides)
    return payload


async def create_announcement(session: AsyncSession, /, **overrides: Any) -> Announcement:
    """Store and commit a valid row."""
    payload = await valid_payload(**overrides)
    values = AnnouncementCreate.model_validate(payload).model_dump()
    row = Announcement()
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    await session.commit()
    return row
