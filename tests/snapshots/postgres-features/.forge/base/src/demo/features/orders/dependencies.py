"""Dependencies of orders: the service and the list filters."""

from typing import Annotated

from fastapi import Depends, Query

from ...core.database import SessionDep
from .repository import OrderRepository
from .schemas import OrderFilters
from .service import OrderService


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` one in its
# thread pool, a thread hop on every request.
async def get_order_service(session: SessionDep) -> OrderService:
    """The orders service bound to the request's session."""
    return OrderService(OrderRepository(session))


OrderServiceDep = Annotated[OrderService, Depends(get_order_service)]
# The list filters, one query parameter per field of OrderFilters.
OrderFiltersDep = Annotated[OrderFilters, Query()]
