"""fastapi_forge: generate production-grade FastAPI services."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("fastapi-forge")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
