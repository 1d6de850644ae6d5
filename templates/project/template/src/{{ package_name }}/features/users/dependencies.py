"""Dependencies of the users feature: the service, and users loaded by id or from the token."""

from typing import Annotated

from fastapi import Depends, Request

from ...core.database import SessionDep
from ..auth.dependencies import CurrentUser
from .models import User
from .repository import UserRepository
from .service import UserService


async def get_user_service(session: SessionDep, request: Request) -> UserService:
    """The users service bound to the request's session."""
    return UserService(UserRepository(session), request.app.state.password_hasher)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]


async def get_me(principal: CurrentUser, service: UserServiceDep) -> User:
    """The authenticated user's row, or 404 if the account is gone."""
    return await service.get(principal.id)


Me = Annotated[User, Depends(get_me)]
