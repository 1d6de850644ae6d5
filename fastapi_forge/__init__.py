"""fastapi_forge: generate production-grade FastAPI services."""

# The one place the version is written: pyproject.toml reads it from here (hatch), and
# a static string keeps `forge` from importing importlib.metadata at start-up.
__version__ = "0.1.0"

__all__ = ["__version__"]
