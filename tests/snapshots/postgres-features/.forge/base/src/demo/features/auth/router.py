"""HTTP endpoints of the auth feature."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...core.rate_limit import rate_limit
from ..users.dependencies import UserServiceDep
from ..users.schemas import PasswordChange, UserCreate, UserRead
from .dependencies import AuthServiceDep, CurrentAccount, limit_password_changes, no_store
from .schemas import RefreshRequest, TokenPair

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    dependencies=[Depends(rate_limit("rate_limit_register"))],
    responses=responses(409, 422, 429),
)
async def register(data: UserCreate, service: UserServiceDep) -> UserRead:
    """Register with an email and a password; the account gets the ``user`` role."""
    return UserRead.model_validate(await service.register(data))


@router.post(
    "/login",
    summary="Log in with email and password",
    dependencies=[Depends(rate_limit("rate_limit_login")), Depends(no_store)],
    responses=responses(401, 422, 429),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], service: AuthServiceDep
) -> TokenPair:
    """OAuth2 password flow: ``username`` is the email. Returns an access and a refresh token.

    Limited per client address and, for failed attempts, per account.
    """
    return await service.login(form.username, form.password)


@router.post(
    "/refresh",
    summary="Exchange a refresh token",
    dependencies=[Depends(rate_limit("rate_limit_refresh")), Depends(no_store)],
    responses=responses(401, 422, 429),
)
async def refresh(data: RefreshRequest, service: AuthServiceDep) -> TokenPair:
    """Rotate: the refresh token is revoked and a new pair is returned."""
    return await service.refresh(data.refresh_token)


@router.post(
    "/password",
    summary="Change one's password",
    dependencies=[Depends(limit_password_changes), Depends(no_store)],
    responses=responses(401, 422, 429),
)
async def change_password(
    data: PasswordChange, account: CurrentAccount, service: AuthServiceDep
) -> TokenPair:
    """Requires the current password. Every refresh token of the account is revoked (all
    sessions end); a new pair for this client is returned."""
    return await service.change_password(account, data.current_password, data.new_password)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a refresh token",
    dependencies=[Depends(rate_limit("rate_limit_refresh"))],
    responses=responses(401, 422, 429),
)
async def logout(data: RefreshRequest, service: AuthServiceDep) -> None:
    """Revoke the refresh token; access tokens already issued expire on their own."""
    await service.logout(data.refresh_token)
