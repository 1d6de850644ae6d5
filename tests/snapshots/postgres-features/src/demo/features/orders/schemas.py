"""Request and response bodies of orders."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from ...shared.schemas import (
    NO_NUL_PATTERN,
    AppSchema,
    IsoDate,
    IsoDateTime,
    JsonDocument,
    StrictBoolean,
    StrictInteger,
    StrictNumber,
)
from .models import OrderStatus


class OrderCreate(AppSchema):
    """A new order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Example",
                    "notes": "Example notes",
                    "quantity": 42,
                    "weight": 2.5,
                    "total": "12.50",
                    "rush": True,
                    "due_on": "2024-01-31",
                    "shipped_at": "2024-01-31T12:00:00Z",
                    "tracking": "8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3",
                    "status": "pending",
                    "tags": {"key": "value", "items": [1, 2]},
                    "customer_id": "8f14e45f-ceea-467f-a0e6-1a1e4bb1b1a3",
                }
            ]
        }
    )

    title: Annotated[str, StringConstraints(min_length=2, max_length=120, pattern=NO_NUL_PATTERN)]
    notes: Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)] | None = None
    quantity: Annotated[StrictInteger, Field(ge=0, le=1000)]
    weight: Annotated[StrictNumber, Field(allow_inf_nan=False, gt=0.0, lt=500.5)]
    total: Annotated[
        Decimal, Field(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0"))
    ]
    rush: StrictBoolean = False
    due_on: IsoDate
    shipped_at: IsoDateTime | None = None
    tracking: uuid.UUID
    status: OrderStatus = OrderStatus.PENDING
    tags: JsonDocument | None = None
    customer_id: uuid.UUID


class OrderUpdate(AppSchema):
    """Changes to a order: every field optional, none nullable unless the column is."""

    title: (
        Annotated[str, StringConstraints(min_length=2, max_length=120, pattern=NO_NUL_PATTERN)]
        | None
    ) = None
    notes: Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)] | None = None
    quantity: Annotated[StrictInteger, Field(ge=0, le=1000)] | None = None
    weight: Annotated[StrictNumber, Field(allow_inf_nan=False, gt=0.0, lt=500.5)] | None = None
    total: (
        Annotated[
            Decimal, Field(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0"))
        ]
        | None
    ) = None
    rush: StrictBoolean | None = None
    due_on: IsoDate | None = None
    shipped_at: IsoDateTime | None = None
    tracking: uuid.UUID | None = None
    status: OrderStatus | None = None
    tags: JsonDocument | None = None
    customer_id: uuid.UUID | None = None

    @field_validator(
        "title",
        "quantity",
        "weight",
        "total",
        "rush",
        "due_on",
        "tracking",
        "status",
        "customer_id",
        mode="after",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            msg = "may not be null; omit the field to leave it unchanged"
            raise ValueError(msg)
        return value


class OrderRead(AppSchema):
    """A order as the API shows it."""

    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    title: str
    notes: str | None
    quantity: int
    weight: float
    total: Decimal
    rush: bool
    due_on: date
    shipped_at: datetime | None
    tracking: uuid.UUID
    status: OrderStatus
    tags: JsonDocument | None
    customer_id: uuid.UUID
