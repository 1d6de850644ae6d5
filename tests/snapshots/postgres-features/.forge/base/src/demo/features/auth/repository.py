"""Every query on the ``refresh_tokens`` table."""

import uuid
from datetime import datetime

from sqlalchemy import update

from ...shared.repository import BaseRepository
from .models import RefreshToken


class RefreshTokenRepository(BaseRepository[RefreshToken]):
    """Issued refresh tokens."""

    model = RefreshToken

    async def revoke(self, token_id: uuid.UUID, when: datetime) -> bool:
        """Revoke one live refresh token; False if it was already revoked.

        One conditional UPDATE, so of two requests racing with the same token exactly one
        revokes it (PostgreSQL locks the row; SQLite serialises writers).
        """
        revoked = await self.session.scalar(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=when)
            .returning(RefreshToken.id)
            .execution_options(synchronize_session=False)
        )
        return revoked is not None

    async def revoke_all_for_user(self, user_id: uuid.UUID, when: datetime) -> None:
        """Revoke every live refresh token of a user."""
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=when)
        )
