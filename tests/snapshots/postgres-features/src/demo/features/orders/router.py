"""HTTP endpoints of orders. Thin: validate, call the service, shape the reply."""

import uuid

from fastapi import APIRouter, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import CurrentUser, VerifiedUser
from .dependencies import OrderDep, OrderFiltersDep, OrderServiceDep
from .schemas import OrderCreate, OrderRead, OrderUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/orders",
    tags=["orders"],
    responses=responses(401),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a order",
    responses=responses(409, 422),
)
async def create_order(
    data: OrderCreate, principal: VerifiedUser, service: OrderServiceDep
) -> OrderRead:
    """Create a order owned by the caller."""
    return OrderRead.model_validate(await service.create(principal, data))


@router.get("", summary="List orders", responses=responses(422))
async def list_orders(
    principal: CurrentUser,
    service: OrderServiceDep,
    filters: OrderFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[OrderRead]:
    """A page of orders, filtered and sorted (``sort=-created_at``)."""
    rows, total = await service.list(principal, filters, params, sort=sort)
    return Page.of([OrderRead.model_validate(row) for row in rows], total, params)


@router.get("/{order_id}", summary="Read a order", responses=responses(404, 422))
async def read_order(order_id: uuid.UUID, row: OrderDep) -> OrderRead:
    """Return one order."""
    return OrderRead.model_validate(row)


@router.patch(
    "/{order_id}",
    summary="Change a order",
    responses=responses(404, 409, 422),
)
async def update_order(
    order_id: uuid.UUID,
    row: OrderDep,
    data: OrderUpdate,
    principal: CurrentUser,
    service: OrderServiceDep,
) -> OrderRead:
    """Change the fields present in the body; absent fields stay as they are."""
    return OrderRead.model_validate(await service.update(principal, row, data))


@router.delete(
    "/{order_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a order",
    responses=responses(404, 409, 422),
)
async def delete_order(order_id: uuid.UUID, row: OrderDep, service: OrderServiceDep) -> None:
    """Delete a order; one that other rows still reference answers 409."""
    await service.delete(row)
