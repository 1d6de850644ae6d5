"""The ``orders`` table."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...shared.models import (
    Base,
    TimestampMixin,
    UTCDateTime,
    UUIDPrimaryKeyMixin,
    enum_values,
)


class OrderStatus(StrEnum):
    """Allowed values of ``status``."""

    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"


class Order(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One row of ``orders``."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint('length("title") >= 2', name="title_min_length"),
        CheckConstraint('"quantity" >= 0', name="quantity_ge"),
        CheckConstraint('"quantity" <= 1000', name="quantity_le"),
        CheckConstraint('"weight" > 0.0', name="weight_gt"),
        CheckConstraint('"weight" < 500.5', name="weight_lt"),
        CheckConstraint('"total" >= 0', name="total_ge"),
        UniqueConstraint("owner_id", "title", name="uq_orders_title"),
        UniqueConstraint("owner_id", "tracking", name="uq_orders_tracking"),
    )

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[int] = mapped_column(Integer, index=True, nullable=False)
    weight: Mapped[float] = mapped_column(Double, nullable=False)
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    rush: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True, nullable=False)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    tracking: Mapped[UUID] = mapped_column(Uuid, nullable=False)
    status: Mapped[OrderStatus] = mapped_column(
        Enum(
            OrderStatus,
            name="orders_status",
            native_enum=False,
            length=7,
            create_constraint=True,
            validate_strings=True,
            values_callable=enum_values,
        ),
        nullable=False,
        default=OrderStatus.PENDING,
    )
    tags: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    customer_id: Mapped[UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True, nullable=False
    )
