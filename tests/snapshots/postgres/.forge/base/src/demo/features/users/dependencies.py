"""Dependencies of the users feature: the service, and the user the token belongs to."""

from typing import Annotated

from fastapi import Depends, Request

from ...core.database import SessionDep
from ..auth.dependencies import CurrentAccount
from .repository import UserRepository
from .service import UserService


async def get_user_service(session: SessionDep, request: Request) -> UserService:
    """The users service bound to the request's session."""
    return UserService(UserRepository(session), request.app.state.password_hasher)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]

# The authenticated user's row; 401 if the account is gone or deactivated.
Me = CurrentAccount
