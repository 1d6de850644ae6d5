"""HTTP endpoints of customers.

Thin: validate, call the service, shape the reply.
"""

from uuid import UUID

from fastapi import APIRouter, status

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import CurrentUser, VerifiedUser
from .dependencies import CustomerFiltersDep, CustomerServiceDep
from .schemas import CustomerCreate, CustomerRead, CustomerUpdate

router = APIRouter(
    prefix=f"{API_PREFIX}/customers",
    tags=["customers"],
    responses=responses(401),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer",
    responses=responses(409, 422),
)
async def create_customer(
    data: CustomerCreate, principal: VerifiedUser, service: CustomerServiceDep
) -> CustomerRead:
    """Create a customer owned by the caller."""
    return CustomerRead.model_validate(await service.create(principal, data))


@router.get("", summary="List customers", responses=responses(422))
async def list_customers(
    principal: CurrentUser,
    service: CustomerServiceDep,
    filters: CustomerFiltersDep,
    params: PageDep,
    sort: SortDep,
) -> Page[CustomerRead]:
    """A page of customers, filtered and sorted.

    ``sort`` takes fields, each with ``-`` for descending: ``sort=-created_at``.
    """
    rows, total = await service.list(principal, filters, params, sort=sort)
    return Page.of([CustomerRead.model_validate(row) for row in rows], total, params)


@router.get("/{customer_id}", summary="Read a customer", responses=responses(404, 422))
async def read_customer(
    customer_id: UUID, principal: CurrentUser, service: CustomerServiceDep
) -> CustomerRead:
    """Return one customer; someone else's is a 404."""
    return CustomerRead.model_validate(await service.read(principal, customer_id))


@router.patch(
    "/{customer_id}",
    summary="Change a customer",
    responses=responses(404, 409, 422),
)
async def update_customer(
    customer_id: UUID,
    data: CustomerUpdate,
    principal: CurrentUser,
    service: CustomerServiceDep,
) -> CustomerRead:
    """Change the fields present in the body; absent fields stay as they are."""
    row = await service.update(principal, customer_id, data)
    return CustomerRead.model_validate(row)


@router.delete(
    "/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a customer",
    responses=responses(404, 409, 422),
)
async def delete_customer(
    customer_id: UUID, principal: CurrentUser, service: CustomerServiceDep
) -> None:
    """Delete a customer.

    One that other rows still reference answers 409.
    """
    await service.delete(principal, customer_id)
