"""The one exception family raised by fastapi_forge's logic.

Commands in ``cli.py`` catch :class:`ForgeError`, print its message as a single
``error: ...`` line on stderr and exit with status 1.
"""

__all__ = ["ForgeError", "UserError"]


class ForgeError(Exception):
    """Base class for every error fastapi_forge raises on purpose."""

    def __init__(self, message: str) -> None:
        """Store a one-line message (newlines and runs of spaces are collapsed)."""
        self.message = " ".join(message.split())
        super().__init__(self.message)

    def __str__(self) -> str:
        """Return the one-line message."""
        return self.message


class UserError(ForgeError):
    """Something the user can fix; the message names the problem and the fix."""
