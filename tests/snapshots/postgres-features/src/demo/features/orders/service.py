"""Business rules of orders.

Services flush through repositories, never commit.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from ...core.errors import ValidationError
from ...shared.pagination import PageParams
from ..auth.dependencies import Principal
from ..customers.models import Customer
from .exceptions import OrderConflictError, OrderNotFoundError
from .models import Order
from .repository import OrderRepository
from .schemas import OrderCreate, OrderFilters, OrderUpdate

# Checked before writing, so a duplicate is a 409 naming the field; unique per owner.
UNIQUE_FIELDS: tuple[str, ...] = (
    "title",
    "tracking",
)


def _owner_scope(principal: Principal) -> UUID | None:
    """Whose rows the caller may see: its own, or everyone's (None) for an admin."""
    return None if principal.is_admin else principal.id


class OrderService:
    """Create, read, list, change and delete orders.

    Only owners and admins see a row.
    """

    def __init__(self, repository: OrderRepository) -> None:
        self.repository = repository

    async def create(self, principal: Principal, data: OrderCreate) -> Order:
        """Store a new order owned by the caller."""
        values = data.model_dump()
        await self._check_unique(values, owner_id=principal.id)
        await self._check_references(principal.id, values)
        # Attributes are set one by one: a field may be called anything, even ``self``.
        row = Order(owner_id=principal.id)
        for name, value in values.items():
            setattr(row, name, value)
        return await self.repository.add(row)

    async def read(self, principal: Principal, order_id: UUID) -> dict[str, Any]:
        """The row with this id as the API shows it (not found: a 404)."""
        row = await self.repository.read(order_id, owner_id=_owner_scope(principal))
        if row is None:
            raise OrderNotFoundError(order_id)
        return row

    async def get(self, principal: Principal, order_id: UUID) -> Order:
        """The row with this id, or ``OrderNotFoundError``."""
        row = await self.repository.get(order_id, owner_id=_owner_scope(principal))
        if row is None:
            raise OrderNotFoundError(order_id)
        return row

    async def list(
        self,
        principal: Principal,
        filters: OrderFilters,
        params: PageParams,
        *,
        sort: str | None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of orders, as the API shows them.

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
        order_id: UUID,
        data: OrderUpdate,
    ) -> Order:
        """Apply the fields present in ``data`` to a row the caller may see."""
        row = await self.get(principal, order_id)
        values = data.model_dump(exclude_unset=True)
        await self._check_unique(values, exclude_id=row.id, owner_id=row.owner_id)
        await self._check_references(row.owner_id, values)
        return await self.repository.update(row, values)

    async def delete(self, principal: Principal, order_id: UUID) -> None:
        """Delete a row the caller may see; rows that others still reference answer 409."""
        row = await self.get(principal, order_id)
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
            raise OrderConflictError(duplicates[0])

    async def _check_references(self, owner_id: UUID, values: Mapping[str, Any]) -> None:
        """Referenced rows must exist and be public or the row owner's: else 422, not a 500.

        The owner of the row being written counts, not the caller: an admin's row may not
        point at another user's row, which that user could then not delete (409).
        """
        checks: list[tuple[str, type[Any]]] = [
            ("customer_id", Customer),
        ]
        for name, model in checks:
            target = values.get(name)
            if target is None:
                continue
            row = await self.repository.get_related(model, target)
            owner = getattr(row, "owner_id", None)
            visible = row is not None and (owner is None or owner == owner_id)
            if not visible:
                raise ValidationError(
                    f"{name} does not refer to an existing row",
                    errors=[{"loc": ["body", name], "msg": "no such row", "type": "reference"}],
                )
