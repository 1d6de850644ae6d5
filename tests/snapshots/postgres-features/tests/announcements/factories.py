"""Test data for announcements: valid request bodies and stored rows."""

import itertools
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from demo.features.announcements.models import Announcement
from demo.features.announcements.schemas import AnnouncementCreate

_sequence = itertools.count(1)


async def valid_payload(
    session: AsyncSession, owner_id: uuid.UUID | None = None, **overrides: Any
) -> dict[str, Any]:
    """A JSON body the create endpoint accepts; referenced rows are created for it."""
    payload: dict[str, Any] = {
        "headline": "Example headline",
        "body": "Example body",
    }
    payload.update(overrides)
    return payload


async def create_announcement(
    session: AsyncSession, owner_id: uuid.UUID | None = None, **overrides: Any
) -> Announcement:
    """Store a valid announcement and commit it."""
    payload = await valid_payload(session, owner_id, **overrides)
    values = AnnouncementCreate.model_validate(payload).model_dump()
    row = Announcement(**values)
    session.add(row)
    await session.commit()
    return row
