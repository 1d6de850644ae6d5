"""Every query on the ``customers`` table."""

from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import ColumnElement

from ...shared.pagination import PageParams
from ...shared.repository import BaseRepository
from .models import Customer
from .schemas import CustomerFilters, CustomerRead


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
    read_fields: ClassVar[tuple[str, ...]] = tuple(CustomerRead.model_fields)

    async def search(
        self,
        filters: CustomerFilters,
        params: PageParams,
        *,
        sort: str | None,
        owner_id: UUID | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of rows as the API shows them, matching ``filters``.

        Only the rows of ``owner_id``, when given.
        """
        criteria: list[ColumnElement[bool]] = []
        if filters.name is not None:
            criteria.append(Customer.name == filters.name)
        if filters.email is not None:
            criteria.append(Customer.email == filters.email)
        if not criteria:  # the prepared statements of read_page
            return await self.read_page(params, sort=sort, owner_id=owner_id)
        if owner_id is not None:
            criteria.append(Customer.owner_id == owner_id)
        return await self.read_filtered_page(params, filters=criteria, sort=sort)
