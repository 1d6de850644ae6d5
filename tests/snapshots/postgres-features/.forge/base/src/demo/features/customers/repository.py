"""Every query on the ``customers`` table."""

from typing import ClassVar
from uuid import UUID

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Customer
from .schemas import CustomerFilters


class CustomerRepository(BaseRepository[Customer]):
    """Customers by id, and filtered, sorted pages."""

    model = Customer
    sortable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "name",
            "email",
        }
    )

    async def search(
        self,
        filters: CustomerFilters,
        params: PageParams,
        *,
        sort: str | None,
        owner_id: UUID | None = None,
    ) -> tuple[list[Customer], int]:
        """A page of rows matching ``filters`` (and owned by ``owner_id`` when given)."""
        criteria: list[ColumnElement[bool]] = []
        if owner_id is not None:
            criteria.append(Customer.owner_id == owner_id)
        if filters.name is not None:
            criteria.append(Customer.name == filters.name)
        if filters.email is not None:
            criteria.append(Customer.email == filters.email)
        return await self.page(params, filters=criteria, sort=sort)
