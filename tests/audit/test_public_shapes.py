"""Shapes met in public FastAPI projects that the first rules misread, each as a minimal
fixture written here (none of their code): the rule must read them right."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_forge import __version__
from fastapi_forge.audit import audit
from fastapi_forge.audit.model import Check
from tests.audit.conftest import write_files

APP = 'from fastapi import FastAPI\n\napp = FastAPI(title="T")\n'
SCHEMAS = "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n"


def check_of(root: Path, check_id: str) -> Check:
    report = audit(root, forge_version=__version__)
    return next(check for check in report.checks if check.id == check_id)


def test_a_lifetime_written_as_arithmetic_in_a_module_constant_is_read(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP,
            "app/tokens.py": "import jwt\n\nACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 7  # a week\n",
        },
    )

    check = check_of(tmp_path, "security.token_expiry")

    assert check.status.value == "not_met"
    assert [(e.path, e.line) for e in check.evidence] == [("app/tokens.py", 3)]
    assert "10080" in check.evidence[0].note


def test_an_email_reset_token_is_not_a_session_token(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP,
            "app/config.py": (
                "import jwt\nfrom pydantic_settings import BaseSettings\n\n\n"
                "class Settings(BaseSettings):\n"
                "    ACCESS_TOKEN_EXPIRE_MINUTES: int = 15\n"
                "    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48\n"
            ),
        },
    )

    check = check_of(tmp_path, "security.token_expiry")

    assert check.status.value == "met"
    assert [e.line for e in check.evidence] == [6]


def test_an_exp_keyword_is_an_expiry_claim(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP,
            "app/tokens.py": (
                "import jwt\n\n\ndef issue(meta, expire):\n"
                "    return jwt.encode(meta(exp=expire).dict(), 'k')\n"
            ),
        },
    )

    check = check_of(tmp_path, "security.token_expiry")

    assert check.status.value == "unknown"  # the lifetime is not written where it can be read


def test_an_html_endpoint_declares_its_response_class(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP
            + (
                "from typing import Any\nfrom fastapi.responses import HTMLResponse\n\n\n"
                '@app.get("/page", response_class=HTMLResponse)\n'
                "async def page() -> Any:\n"
                '    """A page."""\n'
                '    return "<p>hi</p>"\n'
            ),
            "app/schemas.py": SCHEMAS,
        },
    )

    assert check_of(tmp_path, "health.type_safety").status.value == "healthy"


@pytest.mark.parametrize("call", ["FastAPI(**settings.fastapi_kwargs)", 'FastAPI(title="Shop")'])
def test_an_app_configured_through_its_settings_is_not_the_default_docs(
    tmp_path: Path, call: str
) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": (
                f"from fastapi import FastAPI\n\napp = {call}\n\n\n"
                '@app.get("/")\nasync def root() -> int:\n    """Root."""\n    return 1\n'
            ),
            "app/schemas.py": SCHEMAS,
        },
    )

    assert check_of(tmp_path, "health.documentation").status.value == "healthy"


def test_a_health_check_path_is_a_liveness_probe(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP
            + '\n\n@app.get("/utils/health-check/")\nasync def health_check() -> bool:\n'
            "    return True\n",
        },
    )

    check = check_of(tmp_path, "p0.health_endpoints")

    assert check.summary == "missing readiness (/ready)"


def test_tests_run_by_a_script_the_workflow_calls_count(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP,
            ".github/workflows/tests.yml": "jobs:\n  t:\n    steps:\n      - run: ./scripts/test\n",
            "scripts/test": "#!/usr/bin/env bash\nset -e\npytest --cov=app\n",
            "scripts/format": "#!/usr/bin/env bash\nruff format .\n",
        },
    )

    check = check_of(tmp_path, "p0.tests_in_ci")

    assert check.status.value == "met"
    assert [(e.path, e.line) for e in check.evidence] == [("scripts/test", 3)]


def test_the_deployed_dockerfile_is_judged_not_the_dev_containers(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": APP,
            ".devcontainer/Dockerfile": "FROM python:3.12\n",
            "Dockerfile": (
                "FROM python:3.12 AS build\nRUN true\nFROM python:3.12-slim\nUSER app\n"
                "HEALTHCHECK CMD true\n"
            ),
        },
    )

    assert check_of(tmp_path, "health.deployment").status.value == "healthy"


def test_exception_handlers_given_to_the_constructor_count(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/main.py": (
                "from fastapi import FastAPI\n\n\nasync def not_found(request, exc):\n"
                "    return None\n\n\napp = FastAPI(exception_handlers={404: not_found})\n"
            )
        },
    )

    assert check_of(tmp_path, "p0.structured_errors").status.value == "met"
