"""Every query on the ``orders`` table."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Order, OrderStatus


@dataclass(frozen=True, slots=True)
class OrderFilters:
    """The list endpoint's filters; ``None`` means "any"."""

    title: str | None = None
    quantity_min: int | None = None
    quantity_max: int | None = None
    weight_min: float | None = None
    weight_max: float | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    rush: bool | None = None
    due_on_min: date | None = None
    due_on_max: date | None = None
    shipped_at_min: datetime | None = None
    shipped_at_max: datetime | None = None
    tracking: uuid.UUID | None = None
    status: OrderStatus | None = None
    customer_id: uuid.UUID | None = None


class OrderRepository(BaseRepository[Order]):
    """Orders by id, and filtered, sorted pages."""

    model = Order
    sortable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "title",
            "notes",
            "quantity",
            "weight",
            "total",
            "rush",
            "due_on",
            "shipped_at",
            "tracking",
            "status",
            "customer_id",
        }
    )

    async def search(
        self,
        filters: OrderFilters,
        params: PageParams,
        *,
        sort: str | None,
        owner_id: uuid.UUID | None = None,
    ) -> tuple[list[Order], int]:
        """A page of rows matching ``filters`` (and owned by ``owner_id`` when given)."""
        criteria: list[ColumnElement[bool]] = []
        if owner_id is not None:
            criteria.append(Order.owner_id == owner_id)
        if filters.title is not None:
            criteria.append(Order.title == filters.title)
        if filters.quantity_min is not None:
            criteria.append(Order.quantity >= filters.quantity_min)
        if filters.quantity_max is not None:
            criteria.append(Order.quantity <= filters.quantity_max)
        if filters.weight_min is not None:
            criteria.append(Order.weight >= filters.weight_min)
        if filters.weight_max is not None:
            criteria.append(Order.weight <= filters.weight_max)
        if filters.total_min is not None:
            criteria.append(Order.total >= filters.total_min)
        if filters.total_max is not None:
            criteria.append(Order.total <= filters.total_max)
        if filters.rush is not None:
            criteria.append(Order.rush == filters.rush)
        if filters.due_on_min is not None:
            criteria.append(Order.due_on >= filters.due_on_min)
        if filters.due_on_max is not None:
            criteria.append(Order.due_on <= filters.due_on_max)
        if filters.shipped_at_min is not None:
            criteria.append(Order.shipped_at >= filters.shipped_at_min)
        if filters.shipped_at_max is not None:
            criteria.append(Order.shipped_at <= filters.shipped_at_max)
        if filters.tracking is not None:
            criteria.append(Order.tracking == filters.tracking)
        if filters.status is not None:
            criteria.append(Order.status == filters.status)
        if filters.customer_id is not None:
            criteria.append(Order.customer_id == filters.customer_id)
        return await self.page(params, filters=criteria, sort=sort)
