"""Request and response bodies of the users feature. No password or hash is ever returned."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from ...core.security import Role
from ...shared.schemas import NO_NUL_PATTERN, AppSchema, StrictBoolean
from .models import FULL_NAME_MAX_LENGTH

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

Password = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    Field(description=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."),
]
FullName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=FULL_NAME_MAX_LENGTH, pattern=NO_NUL_PATTERN),
]


class UserCreate(AppSchema):
    """A registration."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "ada@example.com",
                    "password": "correct horse battery",
                    "full_name": "Ada",
                }
            ]
        }
    )

    email: EmailStr
    password: Password
    full_name: FullName | None = None


class UserSelfUpdate(AppSchema):
    """What users may change about themselves."""

    full_name: FullName | None = None
    password: Password | None = None


class UserAdminUpdate(AppSchema):
    """What an administrator may change about any user."""

    role: Role | None = None
    is_active: StrictBoolean | None = None


class UserRead(AppSchema):
    """A user as the API shows it."""

    id: uuid.UUID
    email: EmailStr
    full_name: str | None
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
