"""Validate project and feature names and derive every other name from them, once, in Python.

The templates never compute names themselves: ``forge new`` passes the values of
:class:`ProjectNames`, and ``forge add-feature`` those of :class:`FeatureNames`, to Copier
as data.
"""

import dataclasses
import keyword
import re
import sys
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from fastapi_forge import dependency_names, inflector
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
    "singular_and_plural",
    "stated_forms",
]

MAX_NAME_LENGTH = 28
"""Longest accepted project name, counted after normalisation: the longest for which every
generated file still passes the project's own ruff check and ruff format (100 columns), as
``tests/generators/project/test_long_names.py`` proves."""

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

# Everything a generated project installs (fastapi_forge/dependency_names.py, generated
# from a fresh project's uv.lock and virtualenv), not a hand-kept list.
_DEPENDENCY_MODULES = dependency_names.MODULES | {
    name.replace("-", "_") for name in dependency_names.DISTRIBUTIONS
}

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
        # Suggest the name without its accents (ünï -> uni), not with the letters dropped.
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        raise UserError(
            f"invalid project name {shown}: {bad.group()!r} is not allowed, use only ASCII "
            f"letters, digits, '-', '_' or spaces; {_try(_INVALID_CHARACTERS.sub('-', folded))}"
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
    if name in dependency_names.DISTRIBUTIONS:
        raise UserError(
            f"invalid project name {shown}: '{name}' is a package the generated project "
            "installs (uv cannot install a project named like one of its own dependencies); "
            f"{_try(f'{name}-service')}"
        )
    if package in _DEPENDENCY_MODULES:
        raise UserError(
            f"invalid project name {shown}: package '{package}' would shadow the module "
            f"'{package}' that a dependency of the generated project installs; "
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


def feature_names(
    raw: str,
    *,
    existing: Collection[str] = (),
    singular: str | None = None,
    plural: str | None = None,
) -> FeatureNames:
    """Validate ``raw`` and derive the singular, plural, class, URL and title names.

    ``raw`` may be singular or plural, in any case, with ``-``, ``_``, spaces or camelCase
    between words (``order-items``, ``OrderItem``); only its last word is inflected.
    ``singular`` and ``plural`` state those forms instead (``--singular``/``--plural``).
    ``existing`` holds the feature packages the project already has; passing them is the
    same as calling :func:`check_not_existing` afterwards (leave it empty to decide about
    overwriting yourself). Raises :class:`~fastapi_forge.errors.UserError` naming the
    problem and a fix.

    Only what breaks Python whatever the templates say is checked here (a package or
    class name that is a keyword); :mod:`fastapi_forge.generators.feature.reserved`
    checks every identifier the templates derive from the name against the names they use.
    """
    names = stated_forms(raw, singular, plural)
    shown = repr(raw)
    if keyword.iskeyword(names.plural_snake):
        raise UserError(
            f"invalid feature name {shown}: its package name '{names.plural_snake}' is a "
            "Python keyword, so `import ...features."
            f"{names.plural_snake}` is a syntax error; use a more specific name such as "
            f"'shop-{names.plural_kebab}', or state another plural with --plural"
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


# One word of a name as typed: ``order``, ``FAQs``, ``OAuth``. Upper-case runs are
# acronyms (``APIKeys`` is ``API`` + ``Keys``; ``SKUs`` is the plural of ``SKU``), and a
# single letter before a capitalised word belongs to it (``OAuth``, ``iPhone``).
_WORD = re.compile(
    r"IoT(?![a-z])"  # mixed-case initialisms: IoTDevices is IoT + Devices
    r"|[A-Z]{2,}[0-9]*s(?![a-z])"  # an acronym's plural: FAQs, SKUs, IDs
    r"|[A-Z]+[0-9]*(?=[A-Z][a-z])"  # an acronym before a word: the API of APIKeys
    r"|[A-Z]?[a-z0-9]+"  # a word: order, Items, v2
    r"|[A-Z]+[0-9]*"  # a trailing acronym: API
)
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}[0-9]*s")

# Acronyms shown in capitals in titles even when typed in lower case ("API key not found").
_KNOWN_ACRONYMS = frozenset(
    {
        "api",
        "csv",
        "dns",
        "faq",
        "html",
        "http",
        "id",
        "ip",
        "json",
        "jwt",
        "pdf",
        "sku",
        "sms",
        "sql",
        "ui",
        "url",
        "uri",
        "uuid",
        "vat",
        "xml",
    }
)


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a feature name and how it is written in class names and titles."""

    snake: str
    """Lower case: ``faq``."""
    shown: str
    """As written in a class name and a title: ``FAQ``, ``Order``, ``OAuth``."""
    acronym: bool = False

    @property
    def pascal(self) -> str:
        return self.shown[:1].upper() + self.shown[1:]

    @property
    def title(self) -> str:
        mixed = self.shown not in (self.shown.lower(), self.shown.title())
        if self.acronym or mixed:
            return self.shown
        if self.snake in _KNOWN_ACRONYMS:
            return self.snake.upper()
        return self.snake


def _words(text: str) -> list[str]:
    """``text`` split into the words it is made of, each as typed."""
    words: list[str] = []
    for chunk in _SEPARATOR_RUN.split(text):
        tokens = _WORD.findall(chunk)
        merged: list[str] = []
        for token in tokens:
            previous = merged[-1] if merged else ""
            if len(previous) == 1 and previous.isalpha() and token[:1].isupper():
                merged[-1] = previous + token  # OAuth, iPhone
            else:
                merged.append(token)
        words.extend(merged)
    return [word for word in words if word]


def _word(typed: str) -> _Word:
    """A word as typed, with its case remembered."""
    if typed.isupper() and len(typed) > 1:
        return _Word(typed.lower(), typed, acronym=True)
    if typed.islower() or typed == typed.capitalize():
        return _Word(typed.lower(), typed.lower())
    return _Word(typed.lower(), typed)  # OAuth, iPhone


def _with_case(snake: str, typed: _Word) -> _Word:
    """``snake`` (an inflected form of ``typed``) written in ``typed``'s case."""
    if typed.shown.lower().startswith(snake) or snake.startswith(typed.shown.lower()):
        common = min(len(snake), len(typed.shown))
        return _Word(snake, typed.shown[:common] + snake[common:], typed.acronym)
    return _Word(snake, snake)


def singular_and_plural(typed: str) -> tuple[_Word, _Word]:
    """The singular and plural of the last word of a name, either form typed."""
    word = _word(typed)
    if _ACRONYM_PLURAL.fullmatch(typed):
        # FAQs, SKUs, IDs: the plural of an acronym.
        acronym = typed[:-1]
        return _Word(acronym.lower(), acronym, True), _Word(typed.lower(), typed, True)
    if word.acronym:
        return word, _Word(f"{word.snake}s", f"{word.shown}s", True)
    lower = word.snake
    if lower[-1].isdigit():
        return word, word  # "orders_v2" has no noun at the end to inflect
    if inflector.is_singular(lower):
        return word, _with_case(inflector.pluralize(lower), word)
    # ``lower`` is a plural: keep it exactly as typed (cafes stays cafes).
    return _with_case(inflector.singularize(lower), word), word


def _inflect(raw: str) -> FeatureNames:
    """Split ``raw`` into words and derive every form, or raise UserError."""
    return _forms(raw, *_inflected_words(raw))


def _lone_acronym(words: Sequence[str]) -> bool:
    """Whether ``words`` is one acronym in capitals: ``FAQ``, ``SKU`` (not ``ORDERS``)."""
    if len(words) != 1:
        return False
    word = words[0].lower()
    return word in _KNOWN_ACRONYMS or (len(word) <= 3 and inflector.is_singular(word))


def _inflected_words(raw: str) -> tuple[list[_Word], list[_Word]]:
    """The words of the singular and of the plural of ``raw``."""
    words = _checked_words(raw, "feature name")
    if not any(char.islower() for char in raw) and not _lone_acronym(words):
        # ORDER_ITEMS is shouted, not a run of acronyms; a lone FAQ or SKU is an acronym.
        words = [word.lower() for word in words]
    *head, last = words
    singular_last, plural_last = singular_and_plural(last)
    head_words = [_word(word) for word in head]
    return [*head_words, singular_last], [*head_words, plural_last]


def _checked_words(raw: str, what: str) -> list[str]:
    text = raw.strip()
    shown = repr(raw)
    if not text:
        raise UserError(f"the {what} is empty: {_FEATURE_EXAMPLE}")
    bad = _INVALID_CHARACTER.search(text)
    if bad is not None:
        raise UserError(
            f"invalid {what} {shown}: {bad.group()!r} is not allowed, use only ASCII "
            f"letters, digits, '-', '_' or spaces; {_FEATURE_EXAMPLE}"
        )
    if not text[0].isalpha():
        raise UserError(f"invalid {what} {shown}: it must start with a letter; {_FEATURE_EXAMPLE}")
    if text[-1] in _SEPARATORS:
        raise UserError(
            f"invalid {what} {shown}: it must end with a letter or digit; "
            f"try {text.rstrip(_SEPARATORS)!r}"
        )
    return _words(text)


def _forms(raw: str, singular: Sequence[_Word], plural: Sequence[_Word]) -> FeatureNames:
    def title(words: Sequence[_Word]) -> str:
        text = " ".join(word.title for word in words)
        return text[:1].upper() + text[1:]

    return FeatureNames(
        original=raw,
        singular_snake="_".join(word.snake for word in singular),
        plural_snake="_".join(word.snake for word in plural),
        singular_pascal="".join(word.pascal for word in singular),
        plural_pascal="".join(word.pascal for word in plural),
        plural_kebab="-".join(word.snake for word in plural),
        singular_title=title(singular),
        plural_title=title(plural),
    )


def stated_forms(raw: str, singular: str | None, plural: str | None) -> FeatureNames:
    """The names of ``raw`` with the singular and/or plural the user stated.

    ``--singular campus --plural campuses``: each is a whole name, written like NAME; the
    one not given is derived from the other. NAME must be one of the two forms.
    """
    derived = _inflect(raw)
    if singular is None and plural is None:
        return derived
    singular_words = (
        None if singular is None else [_word(w) for w in _checked_words(singular, "--singular")]
    )
    plural_words = (
        None if plural is None else [_word(w) for w in _checked_words(plural, "--plural")]
    )
    # The form not stated is NAME itself when NAME is not the stated one, else NAME's
    # derived form.
    typed = "_".join(word.lower() for word in _words(raw.strip()))
    as_typed = [_word(word) for word in _checked_words(raw, "feature name")]
    derived_singular, derived_plural = _inflected_words(raw)

    def snake(words: Sequence[_Word]) -> str:
        return "_".join(word.snake for word in words)

    if singular_words is None:
        assert plural_words is not None
        singular_words = as_typed if snake(plural_words) != typed else derived_singular
    if plural_words is None:
        plural_words = as_typed if snake(singular_words) != typed else derived_plural
    names = dataclasses.replace(_forms(raw, singular_words, plural_words), original=raw)
    if typed not in (names.singular_snake, names.plural_snake):
        raise UserError(
            f"feature name {raw!r} is neither the singular '{names.singular_snake}' nor the "
            f"plural '{names.plural_snake}' you stated; pass one of them as NAME"
        )
    return names
