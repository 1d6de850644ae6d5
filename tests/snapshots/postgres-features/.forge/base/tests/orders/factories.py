"""Test data for orders: valid request bodies and stored rows."""

import itertools
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from demo.features.orders.models import Order
from demo.features.orders.schemas import OrderCreate

from ..customers.factories import create_customer

_sequence = itertools.count(1)


# The leading parameters are positional-only, so a field may be called ``session`` too.
async def valid_payload(
    session: AsyncSession, owner_id: UUID, /, **overrides: Any
) -> dict[str, Any]:
    """A JSON body the create endpoint accepts; referenced rows are created for it."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "title": f"Title {n}",
        "notes": "Example notes",
        "quantity": 42,
        "weight": 2.5,
        "total": "12.50",
        "rush": True,
        "due_on": "2024-01-31",
        "shipped_at": "2024-01-31T12:00:00Z",
        "tracking": str(uuid4()),
        "status": "pending",
        "tags": {"key": "value", "items": [1, 2]},
        "customer_id": str((await create_customer(session, owner_id)).id),
    }
    payload.update(overrides)
    return payload


async def create_order(session: AsyncSession, owner_id: UUID, /, **overrides: Any) -> Order:
    """Store and commit a valid row owned by ``owner_id``."""
    payload = await valid_payload(session, owner_id, **overrides)
    values = OrderCreate.model_validate(payload).model_dump()
    row = Order(owner_id=owner_id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    await session.commit()
    return row
