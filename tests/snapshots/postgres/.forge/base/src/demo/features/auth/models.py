"""The ``refresh_tokens`` table: one row per issued refresh token, so it can be revoked."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ...shared.models import Base, TimestampMixin


class RefreshToken(TimestampMixin, Base):
    """An issued refresh token, identified by its ``jti`` claim."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
