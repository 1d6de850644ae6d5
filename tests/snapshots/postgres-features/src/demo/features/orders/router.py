"""HTTP endpoints of orders.

Thin: validate, call the service, shape the reply.
"""

from uuid import UUID

from fastapi import APIRouter, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import CurrentUser, VerifiedUser
from .dependencies import OrderFiltersDep, OrderServiceDep
from .schemas import OrderCreate, OrderRead, OrderUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/orders",
    tags=["orders"],
    responses=responses(401),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an order",
    responses=responses(409, 422),
)
async def create_order(
    data: OrderCreate, principal: VerifiedUser, service: OrderServiceDep
) -> OrderRead:
    """Create an order owned by the caller."""
    return OrderRead.model_validate(await service.create(principal, data))


@router.get("", summary="List orders", responses=responses(422))
async def list_orders(
    principal: CurrentUser,
    service: OrderServiceDep,
    filters: OrderFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[OrderRead]:
    """A page of orders, filtered and sorted.

    ``sort`` takes fields, each with ``-`` for descending: ``sort=-created_at``.
    """
    rows, total = await service.list(principal, filters, params, sort=sort)
    return Page.of([OrderRead.model_validate(row) for row in rows], total, params)


@router.get("/{order_id}", summary="Read an order", responses=responses(404, 422))
async def read_order(order_id: UUID, principal: CurrentUser, service: OrderServiceDep) -> OrderRead:
    """Return one order; someone else's is a 404."""
    return OrderRead.model_validate(await service.read(principal, order_id))


@router.patch(
    "/{order_id}",
    summary="Change an order",
    responses=responses(404, 409, 422),
)
async def update_order(
    order_id: UUID,
    data: OrderUpdate,
    principal: CurrentUser,
    service: OrderServiceDep,
) -> OrderRead:
    """Change the fields present in the body; absent fields stay as they are."""
    row = await service.update(principal, order_id, data)
    return OrderRead.model_validate(row)


@router.delete(
    "/{order_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an order",
    responses=responses(404, 409, 422),
)
async def delete_order(order_id: UUID, principal: CurrentUser, service: OrderServiceDep) -> None:
    """Delete an order.

    One that other rows still reference answers 409.
    """
    await service.delete(principal, order_id)
