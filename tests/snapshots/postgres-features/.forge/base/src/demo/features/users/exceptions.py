"""Errors of the users feature."""

import uuid

from ...core.errors import ConflictError, NotFoundError


class EmailAlreadyRegisteredError(ConflictError):
    """Another account uses this email address."""

    def __init__(self) -> None:
        super().__init__("Email is already registered", field="email")


class UserNotFoundError(NotFoundError):
    """No user with this id."""

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__("User", user_id)
