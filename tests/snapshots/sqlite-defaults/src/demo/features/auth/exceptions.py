"""Errors of the auth feature."""

from ...core.errors import AuthenticationError


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
