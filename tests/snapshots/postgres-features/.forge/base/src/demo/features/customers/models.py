"""The ``customers`` table."""

from uuid import UUID

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...shared.models import (
    Base,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
)


class Customer(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One row of ``customers``."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_customers_name"),)

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255), index=True, nullable=True)
