"""The ``users`` table."""

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from ...core.security import Role
from ...shared.models import Base, TimestampMixin, UUIDPrimaryKeyMixin, enum_values

EMAIL_MAX_LENGTH = 320
FULL_NAME_MAX_LENGTH = 120


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A person who can log in."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(FULL_NAME_MAX_LENGTH))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            native_enum=False,
            length=20,
            validate_strings=True,
            values_callable=enum_values,
        ),
        default=Role.USER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
