"""Request and response bodies of orders; list filters."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ...shared.schemas import (
    INT32_MAX,
    INT32_MIN,
    NO_NUL_PATTERN,
    AppSchema,
    IsoDate,
    IsoDateTime,
    JsonDocument,
    StrictBoolean,
    StrictInteger,
    StrictNumber,
    canonical_decimal,
    json_max_length,
)
from .models import OrderStatus

# A body the create endpoint accepts, shown in the OpenAPI document.
CREATE_EXAMPLE: dict[str, Any] = {
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


class OrderCreate(AppSchema):
    """A new order."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    title: Annotated[str, StringConstraints(min_length=2, max_length=120, pattern=NO_NUL_PATTERN)]
    notes: Annotated[str, StringConstraints(max_length=65535, pattern=NO_NUL_PATTERN)] | None = None
    quantity: Annotated[StrictInteger, Field(ge=0, le=1000)]
    weight: Annotated[StrictNumber, Field(allow_inf_nan=False, gt=0.0, lt=500.5)]
    total: Annotated[
        Decimal,
        Field(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0")),
        canonical_decimal(2),
    ]
    rush: StrictBoolean = False
    due_on: IsoDate
    shipped_at: IsoDateTime | None = None
    tracking: UUID
    status: OrderStatus = OrderStatus.PENDING
    tags: Annotated[JsonDocument, json_max_length(65535)] | None = None
    customer_id: UUID


class OrderUpdate(AppSchema):
    """Changes to an order.

    Every field is optional; none is nullable unless its column is.
    """

    title: (
        Annotated[str, StringConstraints(min_length=2, max_length=120, pattern=NO_NUL_PATTERN)]
        | None
    ) = None
    notes: Annotated[str, StringConstraints(max_length=65535, pattern=NO_NUL_PATTERN)] | None = None
    quantity: Annotated[StrictInteger, Field(ge=0, le=1000)] | None = None
    weight: Annotated[StrictNumber, Field(allow_inf_nan=False, gt=0.0, lt=500.5)] | None = None
    total: (
        Annotated[
            Decimal,
            Field(max_digits=10, decimal_places=2, allow_inf_nan=False, ge=Decimal("0")),
            canonical_decimal(2),
        ]
        | None
    ) = None
    rush: StrictBoolean | None = None
    due_on: IsoDate | None = None
    shipped_at: IsoDateTime | None = None
    tracking: UUID | None = None
    status: OrderStatus | None = None
    tags: Annotated[JsonDocument, json_max_length(65535)] | None = None
    customer_id: UUID | None = None

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
    """One order as the API shows it."""

    id: UUID
    owner_id: UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    title: str
    notes: str | None
    quantity: int
    weight: float
    total: Decimal
    rush: bool
    due_on: dt.date
    shipped_at: dt.datetime | None
    tracking: UUID
    status: OrderStatus
    tags: JsonDocument | None
    customer_id: UUID


class OrderFilters(BaseModel):
    """The list endpoint's filters, from the query string; ``None`` means "any".

    Ranges are inclusive and take any value of the field's type, allowed or not.
    """

    title: Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL_PATTERN)] | None = None
    quantity_min: Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)] | None = None
    quantity_max: Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)] | None = None
    weight_min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    weight_max: Annotated[float, Field(allow_inf_nan=False)] | None = None
    total_min: (
        Annotated[Decimal, Field(max_digits=10, decimal_places=2, allow_inf_nan=False)] | None
    ) = None
    total_max: (
        Annotated[Decimal, Field(max_digits=10, decimal_places=2, allow_inf_nan=False)] | None
    ) = None
    rush: bool | None = None
    due_on_min: IsoDate | None = None
    due_on_max: IsoDate | None = None
    shipped_at_min: IsoDateTime | None = None
    shipped_at_max: IsoDateTime | None = None
    tracking: UUID | None = None
    status: OrderStatus | None = None
    customer_id: UUID | None = None
