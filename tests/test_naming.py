"""Project-name validation and the names derived from it."""

import re

import pytest

from fastapi_forge.dependency_names import DISTRIBUTIONS
from fastapi_forge.engine.render import template_dir
from fastapi_forge.errors import ForgeError, UserError
from fastapi_forge.naming import (
    MAX_NAME_LENGTH,
    RESERVED_PACKAGE_NAMES,
    ProjectNames,
    normalize_project_name,
)


def test_the_longest_name_is_accepted() -> None:
    assert len(normalize_project_name("x" * MAX_NAME_LENGTH).project_name) == MAX_NAME_LENGTH


@pytest.mark.parametrize(
    ("raw", "project_name", "package_name", "env_prefix", "title"),
    [
        ("my-api", "my-api", "my_api", "MY_API_", "My Api"),
        ("My-API", "my-api", "my_api", "MY_API_", "My Api"),
        ("my_api", "my-api", "my_api", "MY_API_", "My Api"),
        ("my api", "my-api", "my_api", "MY_API_", "My Api"),
        ("MY API", "my-api", "my_api", "MY_API_", "My Api"),
        ("  my-api  ", "my-api", "my_api", "MY_API_", "My Api"),
        ("my--api", "my-api", "my_api", "MY_API_", "My Api"),
        ("my_-_ api", "my-api", "my_api", "MY_API_", "My Api"),
        ("Shop Api 2", "shop-api-2", "shop_api_2", "SHOP_API_2_", "Shop Api 2"),
        ("api2", "api2", "api2", "API2_", "Api2"),
        ("a", "a", "a", "A_", "A"),
        ("billing", "billing", "billing", "BILLING_", "Billing"),
        ("None", "none", "none", "NONE_", "None"),
        ("x" * 28, "x" * 28, "x" * 28, "X" * 28 + "_", "X" + "x" * 27),
    ],
)  # fmt: skip
def test_accepted_names_are_normalised(
    raw: str, project_name: str, package_name: str, env_prefix: str, title: str
) -> None:
    names = normalize_project_name(raw)

    assert names == ProjectNames(
        original=raw,
        project_name=project_name,
        package_name=package_name,
        env_prefix=env_prefix,
        title=title,
    )


@pytest.mark.parametrize("raw", ["my-api", "a", "orders-2"])
def test_canonical_name_is_not_reported_as_changed(raw: str) -> None:
    names = normalize_project_name(raw)

    assert not names.was_changed
    assert names.change_summary is None


@pytest.mark.parametrize("raw", ["My-API", "my_api", "my api", " my-api"])
def test_changed_name_is_reported(raw: str) -> None:
    names = normalize_project_name(raw)

    assert names.was_changed
    assert names.change_summary == (
        f"'{raw}' was normalised to project 'my-api' "
        "(package 'my_api', environment prefix 'MY_API_')"
    )


@pytest.mark.parametrize(
    ("raw", "problem", "fix"),
    [
        ("", "is empty", "'my-api'"),
        ("   ", "is empty", "'my-api'"),
        ("1api", "must start with a letter", "try 'api1'"),
        ("2-fast", "must start with a letter", "try 'fast2'"),
        ("123", "must start with a letter", "try 'app-123'"),
        ("-api", "must start with a letter", "try 'api'"),
        ("_api", "must start with a letter", "try 'api'"),
        ("_", "must start with a letter", "'my-api'"),
        ("api-", "must end with a letter or digit", "try 'api'"),
        ("api_", "must end with a letter or digit", "try 'api'"),
        ("my$api", "'$' is not allowed", "try 'my-api'"),
        ("my.api", "'.' is not allowed", "try 'my-api'"),
        ("my/api", "'/' is not allowed", "try 'my-api'"),
        ("café", "'é' is not allowed", "try 'cafe'"),
        ("ünï", "'ü' is not allowed", "try 'uni'"),
        ("my\tapi", "'\\t' is not allowed", "try 'my-api'"),
        ("class", "'class' is a Python keyword", "try 'class-service'"),
        ("Import", "'import' is a Python keyword", "try 'import-service'"),
        ("match", "'match' is a Python keyword", "try 'match-service'"),
        ("type", "'type' is a Python keyword", "try 'type-service'"),
        ("json", "shadow the standard-library module 'json'", "try 'json-service'"),
        ("Logging", "shadow the standard-library module 'logging'", "try 'logging-service'"),
        ("cgi", "shadow the standard-library module 'cgi'", "try 'cgi-service'"),
        ("fastapi", "shadow the 'fastapi' module", "try 'fastapi-service'"),
        ("pydantic-settings", "the 'pydantic_settings' module", "'pydantic-settings-service'"),
        ("prometheus client", "the 'prometheus_client' module", "'prometheus-client-service'"),
        ("test", "shadow the 'test' module", "try 'test-service'"),
        ("tests", "shadow the 'tests' module", "try 'tests-service'"),
        ("src", "shadow the 'src' module", "try 'src-service'"),
        ("migrations", "shadow the 'migrations' module", "try 'migrations-service'"),
        ("a" * (MAX_NAME_LENGTH + 1), "29 characters long, the limit is 28", f"try '{'a' * 28}'"),
        ("ab-" * 30, "must end with a letter or digit", "try '"),
    ],
)  # fmt: skip
def test_refused_names_say_what_is_wrong_and_how_to_fix_it(
    raw: str, problem: str, fix: str
) -> None:
    with pytest.raises(UserError) as caught:
        normalize_project_name(raw)

    message = str(caught.value)
    assert problem in message
    assert fix in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "module",
    [
        "fastapi", "starlette", "pydantic", "pydantic_settings", "sqlalchemy", "alembic", "jwt",
        "pwdlib", "argon2", "structlog", "limits", "prometheus_client", "uvicorn", "httpx",
        "anyio", "asyncpg", "aiosqlite", "redis", "pytest", "mypy", "ruff", "email_validator",
        "multipart", "typer", "rich", "copier", "test", "tests", "src", "migrations",
        "conftest", "setup", "site", "sys", "os", "asyncio", "typing",
    ],
)  # fmt: skip
def test_modules_the_project_imports_are_reserved(module: str) -> None:
    assert module in RESERVED_PACKAGE_NAMES
    with pytest.raises(UserError, match="would shadow"):
        normalize_project_name(module)


def test_every_suggestion_is_itself_accepted() -> None:
    for raw in ["1api", "my$api", "class", "json", "fastapi", "a" * 80, "api-", "9-lives"]:
        with pytest.raises(UserError) as caught:
            normalize_project_name(raw)
        suggestion = str(caught.value).rsplit("try '", 1)[1].rstrip("'")
        assert normalize_project_name(suggestion).project_name == suggestion


def test_user_error_belongs_to_the_forge_error_family() -> None:
    assert issubclass(UserError, ForgeError)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("requests", "'requests' is a package the generated project installs"),
        ("pygments", "'pygments' is a package the generated project installs"),
        ("markdown-it", "would shadow the module 'markdown_it' that a dependency"),
        ("Charset_Normalizer", "'charset-normalizer' is a package the generated project"),
        ("yaml", "would shadow"),
    ],
)
def test_names_of_any_installed_dependency_are_refused(raw: str, problem: str) -> None:
    """Issue 10: `forge new requests` made a project uv cannot resolve."""
    with pytest.raises(UserError) as caught:
        normalize_project_name(raw)

    assert problem in str(caught.value)
    suggestion = str(caught.value).rsplit("'", 2)[1]
    assert normalize_project_name(suggestion).project_name == suggestion


def test_the_dependency_list_covers_the_templates_dependencies() -> None:
    """Every dependency the project template declares is in the generated list."""
    pyproject = (template_dir("project") / "template" / "pyproject.toml.jinja").read_text()
    declared = {
        re.sub(r"[-_.]+", "-", match.lower())
        for match in re.findall(r'^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)[\[<>=~! ]', pyproject, re.M)
    }
    assert declared, "no dependency found in the template's pyproject.toml"
    missing = declared - DISTRIBUTIONS
    assert not missing, f"regenerate fastapi_forge/dependency_names.py: {sorted(missing)}"
