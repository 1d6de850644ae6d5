"""Business rules of customers. Services flush through repositories, never commit."""

import uuid
from collections.abc import Mapping
from typing import Any

from ...shared.pagination import PageParams
from ..auth.dependencies import Principal
from .exceptions import CustomerConflictError, CustomerNotFoundError
from .models import Customer
from .repository import CustomerFilters, CustomerRepository
from .schemas import CustomerCreate, CustomerUpdate

UNIQUE_FIELDS: tuple[str, ...] = ("name",)


class CustomerService:
    """Create, read, list, change and delete customers; only owners and admins see a row."""

    def __init__(self, repository: CustomerRepository) -> None:
        self.repository = repository

    async def create(self, principal: Principal, data: CustomerCreate) -> Customer:
        """Store a new customer owned by the caller."""
        values = data.model_dump()
        await self._check_unique(values)
        return await self.repository.add(Customer(**values, owner_id=principal.id))

    async def get(self, principal: Principal, customer_id: uuid.UUID) -> Customer:
        """The customer with this id, or ``CustomerNotFoundError``."""
        row = await self.repository.get(customer_id)
        if row is None or not (principal.is_admin or row.owner_id == principal.id):
            raise CustomerNotFoundError(customer_id)
        return row

    async def list(
        self,
        principal: Principal,
        filters: CustomerFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[Customer], int]:
        """A page of customers: all of them for admins, one's own for others."""
        return await self.repository.search(
            filters,
            params,
            sort=sort,
            owner_id=None if principal.is_admin else principal.id,
        )

    async def update(
        self,
        principal: Principal,
        row: Customer,
        data: CustomerUpdate,
    ) -> Customer:
        """Apply the fields present in ``data``."""
        values = data.model_dump(exclude_unset=True)
        await self._check_unique(values, exclude_id=row.id)
        return await self.repository.update(row, values)

    async def delete(self, row: Customer) -> None:
        """Delete a row; rows that others still reference answer 409."""
        await self.repository.delete(row)

    async def _check_unique(
        self, values: Mapping[str, Any], *, exclude_id: uuid.UUID | None = None
    ) -> None:
        candidates = {name: values[name] for name in UNIQUE_FIELDS if name in values}
        duplicates = await self.repository.find_duplicates(candidates, exclude_id=exclude_id)
        if duplicates:
            raise CustomerConflictError(duplicates[0])
