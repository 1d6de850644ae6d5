"""Business rules of the users feature. Services flush through repositories, never commit."""

import uuid

from ...core.security import PasswordHasher
from ...shared.pagination import PageParams
from .exceptions import EmailAlreadyRegisteredError, UserNotFoundError
from .models import User
from .repository import UserRepository, normalize_email
from .schemas import UserAdminUpdate, UserCreate, UserSelfUpdate


class UserService:
    """Registration, profile changes and administration of users."""

    def __init__(self, repository: UserRepository, hasher: PasswordHasher) -> None:
        self.repository = repository
        self.hasher = hasher

    async def register(self, data: UserCreate) -> User:
        """Create an account with the ``user`` role; the email must be unused."""
        email = normalize_email(data.email)
        if await self.repository.get_by_email(email) is not None:
            raise EmailAlreadyRegisteredError
        user = User(
            email=email,
            password_hash=await self.hasher.hash(data.password),
            full_name=data.full_name,
        )
        return await self.repository.add(user)

    async def get(self, user_id: uuid.UUID) -> User:
        """The user with this id, or ``UserNotFoundError``."""
        user = await self.repository.get(user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    async def list(self, params: PageParams, *, sort: str | None) -> tuple[list[User], int]:
        """A page of users."""
        return await self.repository.page(params, sort=sort)

    async def update_self(self, user: User, data: UserSelfUpdate) -> User:
        """Change one's own profile."""
        values: dict[str, object] = {}
        if "full_name" in data.model_fields_set:
            values["full_name"] = data.full_name
        return await self.repository.update(user, values)

    async def update_as_admin(self, user: User, data: UserAdminUpdate) -> User:
        """Change a user's role or active flag."""
        values = data.model_dump(exclude_unset=True)
        return await self.repository.update(user, values)
