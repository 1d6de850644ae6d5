"""Validate project and feature names and derive every other name from them, once, in Python.

The templates never compute names themselves: ``forge new`` passes the values of
:class:`ProjectNames`, and ``forge add-feature`` those of :class:`FeatureNames`, to Copier
as data.
"""

import keyword
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass

import inflection

from fastapi_forge.errors import UserError

__all__ = [
    "MAX_FEATURE_NAME_LENGTH",
    "MAX_NAME_LENGTH",
    "RESERVED_FEATURE_NAMES",
    "RESERVED_PACKAGE_NAMES",
    "FeatureNames",
    "ProjectNames",
    "check_not_existing",
    "feature_names",
    "is_keyword",
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
    if is_keyword(package):
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


def is_keyword(word: str) -> bool:
    """Whether ``word`` is a Python keyword or soft keyword in any supported Python version."""
    return keyword.iskeyword(word) or word in _SOFT_KEYWORDS


MAX_FEATURE_NAME_LENGTH = 40
"""Longest accepted feature name (singular or plural, snake case).

Table, index and constraint names are built from it and must stay under PostgreSQL's
63-character identifier limit.
"""

_BUILT_IN_FEATURES = frozenset({"auth", "health", "user", "users"})
_PROJECT_PARTS = frozenset(
    {"core", "features", "main", "manage", "migrations", "registry", "shared", "tests"}
)

RESERVED_FEATURE_NAMES: frozenset[str] = _BUILT_IN_FEATURES | _PROJECT_PARTS
"""Feature names (singular or plural) taken by the generated project itself."""

_FEATURE_EXAMPLE = "try a name such as 'orders' or 'order-items'"


@dataclass(frozen=True, slots=True)
class FeatureNames:
    """Every name derived from the feature name the user typed."""

    original: str
    """The name exactly as the user typed it."""
    singular_snake: str
    """Variable and module-level singular name: ``order_item``."""
    plural_snake: str
    """Package, module and table name: ``order_items``."""
    singular_pascal: str
    """Class name: ``OrderItem``."""
    plural_pascal: str
    """Plural class-like name: ``OrderItems``."""
    plural_kebab: str
    """URL path segment: ``order-items``."""
    singular_title: str
    """Singular name for messages and docs: ``Order item``."""
    plural_title: str
    """Plural name for messages and docs: ``Order items``."""

    @property
    def is_uncountable(self) -> bool:
        """Whether singular and plural are the same word (``news``, ``series``)."""
        return self.singular_snake == self.plural_snake


def feature_names(raw: str, *, existing: Collection[str] = ()) -> FeatureNames:
    """Validate ``raw`` and derive the singular, plural, class, URL and title names.

    ``raw`` may be singular or plural, in any case, with ``-``, ``_``, spaces or camelCase
    between words (``order-items``, ``OrderItem``); only its last word is inflected.
    ``existing`` holds the feature packages the project already has; passing them is the
    same as calling :func:`check_not_existing` afterwards (leave it empty to decide about
    overwriting yourself). Raises :class:`~fastapi_forge.errors.UserError` naming the
    problem and a fix.
    """
    names = _inflect(raw)
    shown = repr(raw)
    for word in (names.singular_snake, names.plural_snake):
        if is_keyword(word):
            raise UserError(
                f"invalid feature name {shown}: '{word}' is a Python keyword and cannot name a "
                f"module or variable; use a more specific name such as 'shop-{names.plural_kebab}'"
            )
    for word in (names.singular_pascal, names.plural_pascal):
        if keyword.iskeyword(word):
            raise UserError(
                f"invalid feature name {shown}: its class name '{word}' is a Python keyword; "
                f"use a more specific name such as 'shop-{names.plural_kebab}'"
            )
    for word in (names.singular_snake, names.plural_snake):
        if word in RESERVED_FEATURE_NAMES:
            taken = (
                f"the generated project's built-in '{word}' feature"
                if word in _BUILT_IN_FEATURES
                else f"the generated project's own '{word}' package or module"
            )
            raise UserError(
                f"invalid feature name {shown}: '{word}' is reserved for {taken}; "
                f"use a more specific name such as 'shop-{names.plural_kebab}'"
            )
    longest = max((names.singular_snake, names.plural_snake), key=len)
    if len(longest) > MAX_FEATURE_NAME_LENGTH:
        raise UserError(
            f"invalid feature name {shown}: '{longest}' is {len(longest)} characters long, the "
            f"limit is {MAX_FEATURE_NAME_LENGTH} so table and constraint names fit PostgreSQL's "
            "63-character limit; use a shorter name"
        )
    if existing:
        check_not_existing(names, existing)
    return names


def check_not_existing(names: FeatureNames, existing: Collection[str]) -> None:
    """Refuse a feature whose package (``names.plural_snake``) is already in ``existing``.

    ``existing`` holds the package names under the project's ``features/`` folder.
    """
    if names.plural_snake in existing:
        raise UserError(
            f"feature '{names.plural_snake}' already exists in features/{names.plural_snake}/: "
            "choose another name, or pass --force to generate it again"
        )


def _inflect(raw: str) -> FeatureNames:
    """Split ``raw`` into lower-case words and derive every form, or raise UserError."""
    text = raw.strip()
    shown = repr(raw)
    if not text:
        raise UserError(f"the feature name is empty: {_FEATURE_EXAMPLE}")
    bad = _INVALID_CHARACTER.search(text)
    if bad is not None:
        raise UserError(
            f"invalid feature name {shown}: {bad.group()!r} is not allowed, use only ASCII "
            f"letters, digits, '-', '_' or spaces; {_FEATURE_EXAMPLE}"
        )
    if not text[0].isalpha():
        raise UserError(
            f"invalid feature name {shown}: it must start with a letter; {_FEATURE_EXAMPLE}"
        )
    if text[-1] in _SEPARATORS:
        raise UserError(
            f"invalid feature name {shown}: it must end with a letter or digit; "
            f"try {text.rstrip(_SEPARATORS)!r}"
        )
    # ``underscore`` splits camelCase and lower-cases; spaces and dashes become ``_`` first.
    words = inflection.underscore(_SEPARATOR_RUN.sub("_", text)).split("_")
    *head, last = [word for word in words if word]
    if last[-1].isdigit():
        # "orders_v2" has no noun at the end to inflect: keep it as typed.
        singular_last = plural_last = last
    else:
        singular_last = inflection.singularize(last) or last
        plural_last = inflection.pluralize(singular_last) or last
    singular = [*head, singular_last]
    plural = [*head, plural_last]
    return FeatureNames(
        original=raw,
        singular_snake="_".join(singular),
        plural_snake="_".join(plural),
        singular_pascal="".join(word.capitalize() for word in singular),
        plural_pascal="".join(word.capitalize() for word in plural),
        plural_kebab="-".join(plural),
        singular_title=" ".join(singular).capitalize(),
        plural_title=" ".join(plural).capitalize(),
    )
