"""The development-only request profiler (PROFILING=true, then ?profile=1)."""

import pytest
from pydantic import ValidationError

from .conftest import TEST_JWT_SECRET, AppFactory, client_for, make_settings


async def test_profiling_answers_the_html_report_instead_of_the_response(
    app_factory: AppFactory,
) -> None:
    app = app_factory(environment="development", profiling=True)
    async with client_for(app) as client:
        response = await client.get("/health", params={"profile": "1"})
        plain = await client.get("/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "pyinstrument" in response.text
    assert response.text.lstrip().lower().startswith("<!doctype html")
    assert '"status"' not in response.text[:200]
    assert plain.json() == {"status": "ok"}


async def test_profile_parameter_is_an_ordinary_query_parameter_when_disabled(
    app_factory: AppFactory,
) -> None:
    app = app_factory(environment="development")
    async with client_for(app) as client:
        response = await client.get("/health", params={"profile": "1"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("environment", ["test", "staging", "production"])
def test_profiling_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match=r"PROFILING .* refused in"):
        make_settings(
            "sqlite+aiosqlite:///unused.sqlite3",
            environment=environment,
            profiling=True,
            allowed_hosts=["api.example.com"],
            jwt_secret=TEST_JWT_SECRET,
        )
