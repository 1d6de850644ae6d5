"""Errors of orders."""

from uuid import UUID

from ...core.errors import ConflictError, NotFoundError


class OrderNotFoundError(NotFoundError):
    """No order with this id that the caller may see."""

    def __init__(self, order_id: UUID) -> None:
        super().__init__("Order", order_id)


class OrderConflictError(ConflictError):
    """Another order of the same owner has this value."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Another order has the same {field}", field=field)
