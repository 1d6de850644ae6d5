"""HTTP endpoints of the users feature. Thin: validate, call the service, shape the reply."""

import uuid

from fastapi import APIRouter, Request, Response

from ...core.config import API_PREFIX
from ...core.errors import responses
from ...core.http_cache import NOT_MODIFIED, entity_tag, not_modified
from ...shared.pagination import Page, PageDep, SortDep
from ..auth.dependencies import AdminUser
from .dependencies import Me, UserServiceDep
from .schemas import UserAdminUpdate, UserRead, UserSelfUpdate

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"], responses=responses(401))


@router.get(
    "/me", summary="The authenticated user", response_model=UserRead, responses=NOT_MODIFIED
)
async def read_me(me: Me, request: Request, response: Response) -> UserRead | Response:
    """Return the profile of the user the access token belongs to.

    Sending the reply's ``ETag`` back in ``If-None-Match`` gets an empty 304 while the
    profile is unchanged.
    """
    unchanged = not_modified(request, response, entity_tag(me.id, me.updated_at))
    if unchanged is not None:
        return unchanged
    return UserRead.model_validate(me)


@router.patch("/me", summary="Update one's own profile", responses=responses(422))
async def update_me(me: Me, data: UserSelfUpdate, service: UserServiceDep) -> UserRead:
    """Change one's own name. The password is changed with ``POST /auth/password``."""
    return UserRead.model_validate(await service.update_self(me, data))


@router.get("", summary="List users (admin)", responses=responses(403, 422))
async def list_users(
    _: AdminUser, service: UserServiceDep, params: PageDep, sort: SortDep
) -> Page[UserRead]:
    """A page of users, sortable by email, full_name, role, created_at or updated_at."""
    users, total = await service.list(params, sort=sort)
    return Page.of([UserRead.model_validate(user) for user in users], total, params)


@router.get("/{user_id}", summary="Read a user (admin)", responses=responses(403, 404, 422))
async def read_user(_: AdminUser, user_id: uuid.UUID, service: UserServiceDep) -> UserRead:
    """Return any user's profile."""
    return UserRead.model_validate(await service.get(user_id))


@router.patch(
    "/{user_id}",
    summary="Change a user's role or status (admin)",
    responses=responses(403, 404, 422),
)
async def update_user(
    _: AdminUser, user_id: uuid.UUID, data: UserAdminUpdate, service: UserServiceDep
) -> UserRead:
    """Grant or revoke the admin role, or deactivate an account."""
    user = await service.get(user_id)
    return UserRead.model_validate(await service.update_as_admin(user, data))
