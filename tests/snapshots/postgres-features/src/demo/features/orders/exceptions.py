"""Errors of orders."""

import uuid

from ...core.errors import ConflictError, NotFoundError


class OrderNotFoundError(NotFoundError):
    """No order with this id that the caller may see."""

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__("Order", order_id)


class OrderConflictError(ConflictError):
    """Another order already has this value."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Another order has the same {field}", field=field)
