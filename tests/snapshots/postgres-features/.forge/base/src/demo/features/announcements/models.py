"""The ``announcements`` table."""

from sqlalchemy import (
    CheckConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...shared.models import (
    Base,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
)


class Announcement(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One row of ``announcements``."""

    __tablename__ = "announcements"
    __table_args__ = (CheckConstraint('length("headline") >= 3', name="headline_min_length"),)

    headline: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
