"""Every query on the ``users`` table."""

from typing import ClassVar

from sqlalchemy import select

from ...shared.repository import BaseRepository
from .models import User


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively, so they are stored lower-cased."""
    return email.strip().lower()


class UserRepository(BaseRepository[User]):
    """Users by id, by email, and in pages."""

    model = User
    sortable_fields: ClassVar[frozenset[str]] = frozenset(
        {"created_at", "updated_at", "email", "full_name", "role"}
    )

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email (emails are stored lower-cased)."""
        if "\x00" in email:
            # No stored email holds NUL (registration validates them), and PostgreSQL
            # refuses NUL in a query parameter: answer without asking the database.
            return None
        return await self.session.scalar(select(User).where(User.email == normalize_email(email)))
