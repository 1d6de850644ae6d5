"""Request and response bodies of the users feature. No password or hash is ever returned."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from ...core.security import Role
from ...shared.schemas import NO_NUL_PATTERN, AppSchema, StrictBoolean, VerbatimStr
from .models import FULL_NAME_MAX_LENGTH

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def _not_only_whitespace(password: str) -> str:
    if not password.strip():
        msg = "must contain characters other than whitespace"
        raise ValueError(msg)
    return password


# Passwords are kept exactly as typed: surrounding spaces are part of a pass phrase and
# count towards the length, but a password of whitespace alone is refused.
Password = Annotated[
    VerbatimStr,
    StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    AfterValidator(_not_only_whitespace),
    Field(
        description=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters, kept as "
        "typed; not whitespace alone."
    ),
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
    """What users may change about their profile (the password has its own endpoint)."""

    full_name: FullName | None = None


class PasswordChange(AppSchema):
    """A password change: the current password proves it is the account's owner."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"current_password": "correct horse battery", "new_password": "a new pass phrase"}
            ]
        }
    )

    current_password: Annotated[
        VerbatimStr, StringConstraints(min_length=1, max_length=PASSWORD_MAX_LENGTH)
    ]
    new_password: Password


class UserAdminUpdate(AppSchema):
    """What an administrator may change about any user; omitted fields stay as they are."""

    role: Role | None = None
    is_active: StrictBoolean | None = None

    @field_validator("role", "is_active", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            msg = "may not be null; omit the field to leave it unchanged"
            raise ValueError(msg)
        return value


class UserRead(AppSchema):
    """A user as the API shows it."""

    id: uuid.UUID
    email: EmailStr
    full_name: str | None
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
