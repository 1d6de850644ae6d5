"""Authentication dependencies: the current principal, role checks, the auth service."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from ...core.config import API_PREFIX
from ...core.database import SessionDep
from ...core.errors import AuthenticationError, AuthorizationError
from ...core.security import Role, TokenService, TokenType
from ..users.repository import UserRepository
from .repository import RefreshTokenRepository
from .service import AuthService

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/login", auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the verified access token says.

    Access tokens are short-lived and self-contained, so authenticating a request costs
    no database query; a deactivated user loses access when the token expires, and at
    once for refreshing.
    """

    id: uuid.UUID
    role: Role

    @property
    def is_admin(self) -> bool:
        """Whether the principal has the admin role."""
        return self.role is Role.ADMIN


async def get_current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    """The caller of the request, from a valid ``Authorization: Bearer`` access token."""
    if not token:
        raise AuthenticationError("Not authenticated")
    tokens: TokenService = request.app.state.token_service
    claims = tokens.verify(token, TokenType.ACCESS)
    return Principal(id=claims.subject, role=claims.role)


CurrentUser = Annotated[Principal, Depends(get_current_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only principals holding one of ``roles``."""

    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            names = ", ".join(role.value for role in roles)
            raise AuthorizationError(f"Requires role: {names}")
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]


async def get_auth_service(session: SessionDep, request: Request) -> AuthService:
    """The auth service bound to the request's session."""
    return AuthService(
        UserRepository(session),
        RefreshTokenRepository(session),
        request.app.state.password_hasher,
        request.app.state.token_service,
    )


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]
