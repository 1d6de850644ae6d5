"""Errors of the auth feature."""

from ...core.errors import AuthenticationError, ValidationError


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; deliberately does not say which."""

    def __init__(self) -> None:
        super().__init__("Incorrect email or password")


class InactiveUserError(AuthenticationError):
    """The account has been deactivated."""

    def __init__(self) -> None:
        super().__init__("Account is inactive")


class InvalidRefreshTokenError(AuthenticationError):
    """The refresh token is unknown, expired or revoked."""

    def __init__(self) -> None:
        super().__init__("Invalid refresh token")


class RefreshTokenReusedError(InvalidRefreshTokenError):
    """A revoked refresh token came back: the user's sessions were all revoked.

    The revocation is written even though the request fails.
    """

    persist_changes = True


class AccountUnavailableError(AuthenticationError):
    """The token is valid but its account no longer exists."""

    def __init__(self) -> None:
        super().__init__("Account no longer exists")


class WrongCurrentPasswordError(ValidationError):
    """A password change whose current password is wrong."""

    def __init__(self) -> None:
        super().__init__(
            "Current password is incorrect",
            errors=[
                {
                    "loc": ["body", "current_password"],
                    "msg": "Current password is incorrect",
                    "type": "wrong_password",
                }
            ],
        )


class UnchangedPasswordError(ValidationError):
    """A password change to the same password."""

    def __init__(self) -> None:
        super().__init__(
            "The new password must differ from the current one",
            errors=[
                {
                    "loc": ["body", "new_password"],
                    "msg": "The new password must differ from the current one",
                    "type": "unchanged_password",
                }
            ],
        )
