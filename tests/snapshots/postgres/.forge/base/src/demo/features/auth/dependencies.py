"""Authentication dependencies: the current principal and account, role checks, the service."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer

from ...core.config import API_PREFIX
from ...core.database import SessionDep
from ...core.errors import AuthenticationError, AuthorizationError
from ...core.rate_limit import account_limit
from ...core.security import Role, TokenService, TokenType
from ..users.models import User
from ..users.repository import UserRepository
from .exceptions import AccountUnavailableError, InactiveUserError
from .repository import RefreshTokenRepository
from .service import AuthService

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/login", auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the verified access token says.

    Access tokens are short-lived and self-contained, so authenticating an ordinary user
    costs no database query: a deactivated user loses access when the token expires, and
    at once for refreshing. A token claiming more than the ``user`` role is checked against
    the account (one query), so a demoted or deactivated admin loses those powers at once.
    """

    id: uuid.UUID
    role: Role

    @property
    def is_admin(self) -> bool:
        """Whether the principal has the admin role."""
        return self.role is Role.ADMIN


async def _load_account(session: SessionDep, user_id: uuid.UUID) -> User:
    """The live account with this id; 401 if it was deleted or deactivated."""
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise AccountUnavailableError
    if not user.is_active:
        raise InactiveUserError
    return user


async def get_current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)], session: SessionDep
) -> Principal:
    """The caller of the request, from a valid ``Authorization: Bearer`` access token.

    The role in the token is trusted only when it is ``user``: an elevated token is
    checked against the account, whose current role is the one that counts.
    """
    if not token:
        raise AuthenticationError("Not authenticated")
    tokens: TokenService = request.app.state.token_service
    claims = tokens.verify(token, TokenType.ACCESS)
    if claims.role is Role.USER:
        return Principal(id=claims.subject, role=claims.role)
    account = await _load_account(session, claims.subject)
    return Principal(id=account.id, role=account.role)


CurrentUser = Annotated[Principal, Depends(get_current_principal)]


async def get_current_account(principal: CurrentUser, session: SessionDep) -> User:
    """The caller's own row, for endpoints about the account itself (one query).

    A valid token whose account was deleted or deactivated is a 401 here, as it is for
    refreshing.
    """
    return await _load_account(session, principal.id)


CurrentAccount = Annotated[User, Depends(get_current_account)]


async def get_verified_principal(account: CurrentAccount) -> Principal:
    """The caller as ``CurrentUser``, once its account is known to exist and be active.

    For writes that store the caller's id (an owned row): a token whose account is gone
    is a 401, not a foreign-key conflict. Costs the one query of ``CurrentAccount``.
    """
    return Principal(id=account.id, role=account.role)


VerifiedUser = Annotated[Principal, Depends(get_verified_principal)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[Principal]]:
    """A dependency that lets through only live accounts holding one of ``roles``.

    The role and the active flag are read from the database (one query), not from the
    token: demoting or deactivating an account takes effect on its next request, 401 for
    an account gone or inactive, 403 for another role.
    """

    async def check(account: CurrentAccount) -> Principal:
        if account.role not in roles:
            names = ", ".join(role.value for role in roles)
            raise AuthorizationError(f"Requires role: {names}")
        return Principal(id=account.id, role=account.role)

    return check


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]


async def get_auth_service(session: SessionDep, request: Request) -> AuthService:
    """The auth service bound to the request's session."""
    return AuthService(
        UserRepository(session),
        RefreshTokenRepository(session),
        request.app.state.password_hasher,
        request.app.state.token_service,
        account_limit(request, "rate_limit_login_account"),
    )


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def limit_password_changes(request: Request, principal: CurrentUser) -> None:
    """Count a password-change attempt against the caller's account."""
    await account_limit(request, "rate_limit_password_change").hit(str(principal.id))


async def no_store(response: Response) -> None:
    """Responses carrying tokens must not be cached anywhere (RFC 6749, section 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
