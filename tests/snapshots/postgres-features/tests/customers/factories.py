"""Test data for customers: valid request bodies and stored rows."""

import itertools
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from demo.features.customers.models import Customer
from demo.features.customers.schemas import CustomerCreate

_sequence = itertools.count(1)


async def valid_payload(
    session: AsyncSession, owner_id: uuid.UUID | None = None, **overrides: Any
) -> dict[str, Any]:
    """A JSON body the create endpoint accepts; referenced rows are created for it."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "name": f"Name {n}",
        "email": "Example email",
    }
    payload.update(overrides)
    return payload


async def create_customer(
    session: AsyncSession, owner_id: uuid.UUID | None = None, **overrides: Any
) -> Customer:
    """Store a valid customer owned by ``owner_id`` and commit it."""
    assert owner_id is not None, "customers rows have an owner"
    payload = await valid_payload(session, owner_id, **overrides)
    values = CustomerCreate.model_validate(payload).model_dump()
    row = Customer(**values, owner_id=owner_id)
    session.add(row)
    await session.commit()
    return row
