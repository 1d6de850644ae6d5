"""The ``forge`` executable: load the command line, and leave quietly on Ctrl-C.

Kept free of imports beyond :mod:`sys`: an interrupt while Typer, Rich or Jinja are
still being imported happens before the commands' own handling exists, and used to
print a raw traceback.
"""

import sys
from collections.abc import Callable

__all__ = ["main"]

EXIT_INTERRUPTED = 130


def _load_app() -> Callable[[], object]:
    from fastapi_forge.cli import app

    return app


def main() -> None:
    """Run ``forge``; Ctrl-C at any point is one line on stderr and exit status 130."""
    try:
        app = _load_app()
        app()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted; nothing was written\n")
        sys.exit(EXIT_INTERRUPTED)
