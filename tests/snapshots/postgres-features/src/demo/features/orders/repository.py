"""Every query on the ``orders`` table."""

from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Order
from .schemas import OrderFilters, OrderRead


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
    read_fields: ClassVar[tuple[str, ...]] = tuple(OrderRead.model_fields)

    async def search(
        self,
        filters: OrderFilters,
        params: PageParams,
        *,
        sort: str | None,
        owner_id: UUID | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of rows as the API shows them, matching ``filters``.

        Only the rows of ``owner_id``, when given.
        """
        criteria: list[ColumnElement[bool]] = []
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
        if not criteria:  # the prepared statements of read_page
            return await self.read_page(params, sort=sort, owner_id=owner_id)
        if owner_id is not None:
            criteria.append(Order.owner_id == owner_id)
        return await self.read_filtered_page(params, filters=criteria, sort=sort)
