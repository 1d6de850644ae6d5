"""Dependencies of customers: the service and the list filters."""

from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from .repository import CustomerRepository
from .schemas import CustomerFilters
from .service import CustomerService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_customer_service(session: SessionDep) -> CustomerService:
    """The customers service bound to the request's session."""
    return CustomerService(CustomerRepository(session))


CustomerServiceDep = Annotated[CustomerService, Depends(get_customer_service)]
# The list filters, one query parameter per field of CustomerFilters.
CustomerFiltersDep = Annotated[CustomerFilters, Query()]
