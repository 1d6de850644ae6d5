"""Dependencies of customers: the service, rows loaded by id (or 404), filters."""

import uuid
from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from ...shared.schemas import NO_NUL_PATTERN
from ..auth.dependencies import CurrentUser
from .models import Customer
from .repository import CustomerFilters, CustomerRepository
from .service import CustomerService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_customer_service(session: SessionDep) -> CustomerService:
    """The customers service bound to the request's session."""
    return CustomerService(CustomerRepository(session))


CustomerServiceDep = Annotated[CustomerService, Depends(get_customer_service)]


async def get_customer(
    customer_id: uuid.UUID,
    principal: CurrentUser,
    service: CustomerServiceDep,
) -> Customer:
    """The customer named in the path, or 404 (also when it is someone else's)."""
    return await service.get(principal, customer_id)


CustomerDep = Annotated[Customer, Depends(get_customer)]


# Named get_..., like every function here: a name starting with the feature's would read as
# a test to pytest and ruff for a feature such as "test-runs" or "testimonials".
async def get_customer_filters(
    name: Annotated[str | None, Query(max_length=120, pattern=NO_NUL_PATTERN)] = None,
    email: Annotated[str | None, Query(max_length=255, pattern=NO_NUL_PATTERN)] = None,
) -> CustomerFilters:
    """Read the list filters from the query string."""
    return CustomerFilters(
        name=name,
        email=email,
    )


CustomerFiltersDep = Annotated[CustomerFilters, Depends(get_customer_filters)]
