"""Validate a project name and derive every other name from it, once, in Python.

The template never computes names itself: ``forge new`` passes the values of
:class:`ProjectNames` to Copier as data.
"""

import keyword
import re
import sys
from dataclasses import dataclass

from fastapi_forge.errors import UserError

__all__ = [
    "MAX_NAME_LENGTH",
    "RESERVED_PACKAGE_NAMES",
    "ProjectNames",
    "normalize_project_name",
]

MAX_NAME_LENGTH = 64
"""Longest accepted project name, counted after normalisation."""

# Standard-library modules that exist in one of the Python versions a generated
# project may target (3.11 to 3.13) but not necessarily in the one forge runs on.
_STDLIB_ACROSS_VERSIONS = frozenset(
    {
        # removed in 3.12
        "asynchat",
        "asyncore",
        "distutils",
        "imp",
        "smtpd",
        # removed in 3.13
        "aifc",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "imghdr",
        "lib2to3",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
    }
)

# Top-level modules the generated service, its tests or its tooling import, plus
# folder names of the generated project; a package with one of these names would
# shadow it (or be shadowed by it).
_PROJECT_MODULES = frozenset(
    {
        "aiosqlite",
        "alembic",
        "annotated_types",
        "anyio",
        "argon2",
        "asgi_lifespan",
        "asyncpg",
        "certifi",
        "click",
        "conftest",
        "copier",
        "coverage",
        "dns",
        "dotenv",
        "email_validator",
        "fastapi",
        "greenlet",
        "h11",
        "httpcore",
        "httptools",
        "httpx",
        "idna",
        "jinja2",
        "jwt",
        "limits",
        "mako",
        "markupsafe",
        "migrations",
        "multipart",
        "mypy",
        "nox",
        "packaging",
        "pip",
        "pip_audit",
        "pluggy",
        "prometheus_client",
        "psycopg",
        "pwdlib",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pytest",
        "pytest_asyncio",
        "pytest_cov",
        "python_multipart",
        "redis",
        "rich",
        "ruff",
        "setup",
        "setuptools",
        "site",
        "sniffio",
        "sqlalchemy",
        "src",
        "starlette",
        "structlog",
        "test",
        "tests",
        "typer",
        "typing_extensions",
        "uv",
        "uvicorn",
        "uvloop",
        "watchfiles",
        "websockets",
        "wheel",
        "yaml",
    }
)

_STDLIB_MODULES = frozenset(sys.stdlib_module_names) | _STDLIB_ACROSS_VERSIONS

# ``keyword.softkwlist`` depends on the running Python; ``type`` only became soft in 3.12.
_SOFT_KEYWORDS = frozenset(keyword.softkwlist) | {"_", "case", "match", "type"}

RESERVED_PACKAGE_NAMES: frozenset[str] = _STDLIB_MODULES | _PROJECT_MODULES
"""Package names refused because they would shadow an importable module."""

_SEPARATORS = "-_ "
_SEPARATOR_RUN = re.compile(r"[-_ ]+")
_INVALID_CHARACTER = re.compile(r"[^A-Za-z0-9_\- ]")
_INVALID_CHARACTERS = re.compile(r"[^A-Za-z0-9_\- ]+")


@dataclass(frozen=True)
class ProjectNames:
    """Every name derived from the project name the user typed."""

    original: str
    """The name exactly as the user typed it."""
    project_name: str
    """Distribution and directory name, lower-case kebab: ``my-api``."""
    package_name: str
    """Importable package name, snake case: ``my_api``."""
    env_prefix: str
    """Prefix of the service's environment variables: ``MY_API_``."""
    title: str
    """Human-readable title: ``My Api``."""

    @property
    def was_changed(self) -> bool:
        """Whether normalisation changed what the user typed."""
        return self.original != self.project_name

    @property
    def change_summary(self) -> str | None:
        """A sentence telling the user how their input was normalised, if it was."""
        if not self.was_changed:
            return None
        return (
            f"'{self.original}' was normalised to project '{self.project_name}' "
            f"(package '{self.package_name}', environment prefix '{self.env_prefix}')"
        )


def normalize_project_name(raw: str) -> ProjectNames:
    """Validate ``raw`` and derive the project, package, env-prefix and title names.

    Surrounding whitespace is ignored, letters are lower-cased, and every run of
    ``-``, ``_`` or spaces becomes one ``-`` (project name) or ``_`` (package name).
    Raises :class:`~fastapi_forge.errors.UserError` naming the problem and a fix.
    """
    project_name = _check(raw)
    package_name = project_name.replace("-", "_")
    return ProjectNames(
        original=raw,
        project_name=project_name,
        package_name=package_name,
        env_prefix=f"{package_name.upper()}_",
        title=" ".join(word.capitalize() for word in project_name.split("-")),
    )


def _canonical(text: str) -> str:
    """Lower-case ``text`` and turn each run of separators into a single ``-``."""
    return _SEPARATOR_RUN.sub("-", text.strip().lower())


def _check(raw: str, *, suggest: bool = True) -> str:
    """Return the canonical project name for ``raw`` or raise UserError.

    With ``suggest`` false the messages carry no suggestion, which keeps
    :func:`_try` (that validates its own suggestion) from recursing.
    """

    def _try(candidate: str) -> str:
        return _suggestion(candidate) if suggest else "try a name such as 'my-api'"

    text = raw.strip()
    shown = repr(raw)
    if not text:
        raise UserError("the project name is empty: pass a name such as 'my-api'")
    bad = _INVALID_CHARACTER.search(text)
    if bad is not None:
        raise UserError(
            f"invalid project name {shown}: {bad.group()!r} is not allowed, use only ASCII "
            f"letters, digits, '-', '_' or spaces; {_try(_INVALID_CHARACTERS.sub('-', text))}"
        )
    if text[0] in _SEPARATORS:
        raise UserError(
            f"invalid project name {shown}: it must start with a letter; "
            f"{_try(text.lstrip(_SEPARATORS))}"
        )
    if text[0].isdigit():
        rest = text.lstrip("0123456789" + _SEPARATORS)
        digits = "".join(char for char in text[: len(text) - len(rest)] if char.isdigit())
        raise UserError(
            f"invalid project name {shown}: it must start with a letter; "
            f"{_try(f'{rest}{digits}' if rest else f'app-{digits}')}"
        )
    if text[-1] in _SEPARATORS:
        raise UserError(
            f"invalid project name {shown}: it must end with a letter or digit; "
            f"{_try(text.rstrip(_SEPARATORS))}"
        )
    name = _canonical(text)
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(
            f"invalid project name {shown}: it is {len(name)} characters long, the limit is "
            f"{MAX_NAME_LENGTH}; {_try(name[:MAX_NAME_LENGTH].rstrip('-'))}"
        )
    package = name.replace("-", "_")
    if keyword.iskeyword(package) or package in _SOFT_KEYWORDS:
        raise UserError(
            f"invalid project name {shown}: '{package}' is a Python keyword and cannot be a "
            f"package name; {_try(f'{name}-service')}"
        )
    if package in RESERVED_PACKAGE_NAMES:
        shadowed = (
            f"the standard-library module '{package}'"
            if package in _STDLIB_MODULES
            else f"the '{package}' module or folder the generated project and its tools use"
        )
        raise UserError(
            f"invalid project name {shown}: package '{package}' would shadow {shadowed}; "
            f"{_try(f'{name}-service')}"
        )
    return name


def _suggestion(candidate: str) -> str:
    """Suggest ``candidate`` if it is itself a valid name, else give generic advice."""
    candidate = _canonical(candidate).strip("-")[:MAX_NAME_LENGTH].rstrip("-")
    try:
        suggestion = _check(candidate, suggest=False)
    except UserError:
        return "try a name such as 'my-api'"
    return f"try '{suggestion}'"
