"""Test data for customers: valid request bodies and stored rows."""

import itertools
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from demo.features.customers.models import Customer
from demo.features.customers.schemas import CustomerCreate

_sequence = itertools.count(1)


# The leading parameters are positional-only, so a field may be called ``session`` too.
async def valid_payload(**overrides: Any) -> dict[str, Any]:
    """A JSON body the create endpoint accepts."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "name": f"Name {n}",
        "email": "Example email",
    }
    payload.update(overrides)
    return payload


async def create_customer(session: AsyncSession, owner_id: UUID, /, **overrides: Any) -> Customer:
    """Store and commit a valid row owned by ``owner_id``."""
    payload = await valid_payload(**overrides)
    values = CustomerCreate.model_validate(payload).model_dump()
    row = Customer(owner_id=owner_id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    await session.commit()
    return row
