"""HTTP endpoints of orders.

Thin: validate, call the service, shape the reply.
"""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...core.http_cache import NOT_MODIFIED, entity_tag, not_modified
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import CurrentUser, VerifiedUser
from .dependencies import OrderFiltersDep, OrderServiceDep
from .schemas import OrderCreate, OrderRead, OrderUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/orders",
    tags=["orders"],
    responses=responses(401),
)
# Routes under the referenced features: /{parent}/{id}/orders.
nested_router = APIRouter(
    prefix=API_PREFIX,
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


@nested_router.get(
    "/customers/{customer_id}/orders",
    summary="List the orders of a customer",
    responses=responses(404, 422),
)
async def list_of_customer(
    customer_id: UUID,
    principal: CurrentUser,
    service: OrderServiceDep,
    filters: OrderFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[OrderRead]:
    """One page of orders, filtered and sorted like the main list.

    Of the customer in the path (404 if hidden from the caller).
    """
    rows, total = await service.list_of_customer(principal, customer_id, filters, params, sort=sort)
    return Page.of([OrderRead.model_validate(row) for row in rows], total, params)


@router.get(
    "/{order_id}",
    summary="Read an order",
    response_model=OrderRead,
    responses=responses(404, 422) | NOT_MODIFIED,
)
async def read_order(
    order_id: UUID,
    principal: CurrentUser,
    service: OrderServiceDep,
    request: Request,
    response: Response,
) -> OrderRead | Response:
    """Return one order; someone else's is a 404.

    Sending the reply's ``ETag`` back in ``If-None-Match`` gets an empty 304 while it is
    unchanged, after the same access check as a 200.
    """
    row = await service.read(principal, order_id)
    unchanged = not_modified(request, response, entity_tag(row["id"], row["updated_at"]))
    if unchanged is not None:
        return unchanged
    return OrderRead.model_validate(row)


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
