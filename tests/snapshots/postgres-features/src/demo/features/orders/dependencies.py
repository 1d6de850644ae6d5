"""Dependencies of orders: the service, rows loaded by id (or 404), filters."""

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from ...shared.schemas import NO_NUL_PATTERN, IsoDate, IsoDateTime
from ..auth.dependencies import CurrentUser
from .models import Order, OrderStatus
from .repository import OrderFilters, OrderRepository
from .service import OrderService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_order_service(session: SessionDep) -> OrderService:
    """The orders service bound to the request's session."""
    return OrderService(OrderRepository(session))


OrderServiceDep = Annotated[OrderService, Depends(get_order_service)]


async def get_order(
    order_id: uuid.UUID,
    principal: CurrentUser,
    service: OrderServiceDep,
) -> Order:
    """The order named in the path, or 404 (also when it is someone else's)."""
    return await service.get(principal, order_id)


OrderDep = Annotated[Order, Depends(get_order)]


# Named get_..., like every function here: a name starting with the feature's would read as
# a test to pytest and ruff for a feature such as "test-runs" or "testimonials".
async def get_order_filters(
    title: Annotated[str | None, Query(max_length=120, pattern=NO_NUL_PATTERN)] = None,
    quantity_min: Annotated[int | None, Query(ge=0, le=1000)] = None,
    quantity_max: Annotated[int | None, Query(ge=0, le=1000)] = None,
    weight_min: Annotated[float | None, Query(allow_inf_nan=False, gt=0.0, lt=500.5)] = None,
    weight_max: Annotated[float | None, Query(allow_inf_nan=False, gt=0.0, lt=500.5)] = None,
    total_min: Annotated[
        Decimal | None, Query(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0"))
    ] = None,
    total_max: Annotated[
        Decimal | None, Query(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0"))
    ] = None,
    rush: Annotated[bool | None, Query()] = None,
    due_on_min: Annotated[IsoDate | None, Query()] = None,
    due_on_max: Annotated[IsoDate | None, Query()] = None,
    shipped_at_min: Annotated[IsoDateTime | None, Query()] = None,
    shipped_at_max: Annotated[IsoDateTime | None, Query()] = None,
    tracking: Annotated[uuid.UUID | None, Query()] = None,
    status: Annotated[OrderStatus | None, Query()] = None,
    customer_id: Annotated[uuid.UUID | None, Query()] = None,
) -> OrderFilters:
    """Read the list filters from the query string."""
    return OrderFilters(
        title=title,
        quantity_min=quantity_min,
        quantity_max=quantity_max,
        weight_min=weight_min,
        weight_max=weight_max,
        total_min=total_min,
        total_max=total_max,
        rush=rush,
        due_on_min=due_on_min,
        due_on_max=due_on_max,
        shipped_at_min=shipped_at_min,
        shipped_at_max=shipped_at_max,
        tracking=tracking,
        status=status,
        customer_id=customer_id,
    )


OrderFiltersDep = Annotated[OrderFilters, Depends(get_order_filters)]
