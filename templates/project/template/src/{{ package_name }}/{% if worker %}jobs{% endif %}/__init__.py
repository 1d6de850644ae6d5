"""The project's background jobs, one module each, listed in ``registry.py``."""
