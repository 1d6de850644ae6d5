"""Business rules of customers.

Services flush through repositories, never commit.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from ...shared.pagination import PageParams
from ..auth.dependencies import Principal
from .exceptions import CustomerConflictError, CustomerNotFoundError
from .models import Customer
from .repository import CustomerRepository
from .schemas import CustomerCreate, CustomerFilters, CustomerUpdate

# Checked before writing, so a duplicate is a 409 naming the field; unique per owner.
UNIQUE_FIELDS: tuple[str, ...] = ("name",)


def _owner_scope(principal: Principal) -> UUID | None:
    """Whose rows the caller may see: its own, or everyone's (None) for an admin."""
    return None if principal.is_admin else principal.id


class CustomerService:
    """Create, read, list, change and delete customers.

    Only owners and admins see a row.
    """

    def __init__(self, repository: CustomerRepository) -> None:
        self.repository = repository

    async def create(self, principal: Principal, data: CustomerCreate) -> Customer:
        """Store a new customer owned by the caller."""
        values = data.model_dump()
        await self._check_unique(values, owner_id=principal.id)
        # Attributes are set one by one: a field may be called anything, even ``self``.
        row = Customer(owner_id=principal.id)
        for name, value in values.items():
            setattr(row, name, value)
        return await self.repository.add(row)

    async def read(self, principal: Principal, customer_id: UUID) -> dict[str, Any]:
        """The row with this id as the API shows it (not found: a 404)."""
        row = await self.repository.read(customer_id, owner_id=_owner_scope(principal))
        if row is None:
            raise CustomerNotFoundError(customer_id)
        return row

    async def get(self, principal: Principal, customer_id: UUID) -> Customer:
        """The row with this id, or ``CustomerNotFoundError``."""
        row = await self.repository.get(customer_id, owner_id=_owner_scope(principal))
        if row is None:
            raise CustomerNotFoundError(customer_id)
        return row

    async def list(
        self,
        principal: Principal,
        filters: CustomerFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of customers, as the API shows them.

        Admins see everyone's rows, other callers their own.
        """
        return await self.repository.search(
            filters,
            params,
            sort=sort,
            owner_id=None if principal.is_admin else principal.id,
        )

    async def update(
        self,
        principal: Principal,
        customer_id: UUID,
        data: CustomerUpdate,
    ) -> Customer:
        """Apply the fields present in ``data`` to a row the caller may see."""
        row = await self.get(principal, customer_id)
        values = data.model_dump(exclude_unset=True)
        await self._check_unique(values, exclude_id=row.id, owner_id=row.owner_id)
        return await self.repository.update(row, values)

    async def delete(self, principal: Principal, customer_id: UUID) -> None:
        """Delete a row the caller may see; rows that others still reference answer 409."""
        row = await self.get(principal, customer_id)
        await self.repository.delete(row)

    async def _check_unique(
        self,
        values: Mapping[str, Any],
        *,
        exclude_id: UUID | None = None,
        owner_id: UUID,
    ) -> None:
        candidates = {name: values[name] for name in UNIQUE_FIELDS if name in values}
        duplicates = await self.repository.find_duplicates(
            candidates,
            exclude_id=exclude_id,
            within={"owner_id": owner_id},
        )
        if duplicates:
            raise CustomerConflictError(duplicates[0])
