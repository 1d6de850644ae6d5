"""Every query on the ``users`` table."""

from typing import ClassVar

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select

from ...shared.repository import BaseRepository
from .models import User

_EMAIL = TypeAdapter(EmailStr)


def normalize_email(email: str) -> str:
    """The one form an email is stored, looked up and rate-limited under.

    The form registration validates (an IDNA domain decoded, Unicode in NFC, full-width
    characters folded), then lower-cased: emails compare case-insensitively. A string
    that is no valid email is only stripped and lower-cased; no account has it.
    """
    try:
        email = _EMAIL.validate_python(email)
    except ValidationError:
        email = email.strip()
    return email.lower()


class UserRepository(BaseRepository[User]):
    """Users by id, by email, and in pages."""

    model = User
    sortable_fields: ClassVar[frozenset[str]] = frozenset(
        {"created_at", "updated_at", "email", "full_name", "role"}
    )

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email, in any form ``normalize_email`` folds together."""
        if "\x00" in email:
            # No stored email holds NUL (registration validates them), and PostgreSQL
            # refuses NUL in a query parameter: answer without asking the database.
            return None
        return await self.session.scalar(select(User).where(User.email == normalize_email(email)))
