"""The one exception family raised by fastapi_forge's logic.

The one error wrapper of the CLI (``fastapi_forge/cli/__init__.py``) catches
:class:`ForgeError`, prints its message as a single ``error: ...`` line on stderr and
exits with status 1.
"""

__all__ = ["EXIT_CONFLICTS", "EXIT_INTERRUPTED", "EXIT_USER_ERROR", "ForgeError", "UserError"]

EXIT_USER_ERROR = 1
"""The exit status of a refused command (one ``error:`` line on stderr)."""
EXIT_CONFLICTS = 3
"""The exit status of ``forge update`` when it applied the update and left conflicts."""
EXIT_INTERRUPTED = 130
"""The exit status after Ctrl-C, as shells report SIGINT."""


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
