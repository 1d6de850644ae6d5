"""Errors of customers."""

from uuid import UUID

from ...core.errors import ConflictError, NotFoundError


class CustomerNotFoundError(NotFoundError):
    """No customer with this id that the caller may see."""

    def __init__(self, customer_id: UUID) -> None:
        super().__init__("Customer", customer_id)


class CustomerConflictError(ConflictError):
    """Another customer of the same owner has this value."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Another customer has the same {field}", field=field)
