"""Factories for test data: real rows through the real repositories."""

import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from demo.core.security import (
    PasswordHasher,
    Role,
    TokenService,
    TokenType,
)
from demo.features.users.models import User
from demo.features.users.repository import UserRepository

DEFAULT_PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@dataclass
class UserFactory:
    """Makes users with known passwords, and access tokens for them."""

    session: AsyncSession
    hasher: PasswordHasher
    tokens: TokenService

    async def create(
        self,
        *,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        role: Role = Role.USER,
        is_active: bool = True,
        full_name: str | None = "Test User",
    ) -> User:
        """Insert a user and flush it."""
        user = User(
            email=email or f"user{next(_sequence)}@example.com",
            password_hash=await self.hasher.hash(password),
            role=role,
            is_active=is_active,
            full_name=full_name,
        )
        await UserRepository(self.session).add(user)
        await self.session.commit()
        return user

    async def admin(self) -> User:
        """Insert a user with the admin role."""
        return await self.create(role=Role.ADMIN)

    def headers(self, user: User) -> dict[str, str]:
        """An ``Authorization`` header with a fresh access token for ``user``."""
        token = self.tokens.issue(user.id, user.role, TokenType.ACCESS).token
        return {"Authorization": f"Bearer {token}"}
