"""Liveness, readiness and metrics."""

import secrets

import pytest
from httpx import AsyncClient

from .conftest import AppFactory, client_for


async def test_health_is_ok(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_ready_reports_an_unreachable_redis_as_degraded_not_down(
    app_factory: AppFactory,
) -> None:
    # Rate limits fail open without Redis: the replica still serves, so it stays in rotation.
    app = app_factory(redis_url="redis://127.0.0.1:9/0")
    async with client_for(app) as client:
        response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "rate_limit": "degraded"},
    }


@pytest.mark.parametrize("path", ["/health", "/ready"])
async def test_probes_answer_head(client: AsyncClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code == 200
    assert response.content == b""


async def test_head_ready_is_503_when_the_database_is_down(app_factory: AppFactory) -> None:
    app = app_factory(database_url="sqlite+aiosqlite:////nonexistent/dir/down.sqlite3")
    async with client_for(app) as client:
        response = await client.head("/ready")
    await app.state.engine.dispose()
    assert response.status_code == 503


async def test_ready_is_503_when_the_database_is_down(app_factory: AppFactory) -> None:
    app = app_factory(database_url="sqlite+aiosqlite:////nonexistent/dir/down.sqlite3")
    async with client_for(app) as client:
        response = await client.get("/ready")
    await app.state.engine.dispose()
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "NOT_READY"
    assert error["details"] == {"checks": {"database": "unavailable"}}
    assert "nonexistent" not in response.text


async def test_health_does_not_need_the_database(app_factory: AppFactory) -> None:
    app = app_factory(database_url="sqlite+aiosqlite:////nonexistent/dir/down.sqlite3")
    async with client_for(app) as client:
        response = await client.get("/health")
    assert response.status_code == 200


async def test_metrics_count_requests_by_route_template(app_factory: AppFactory) -> None:
    async with client_for(app_factory()) as client:  # a fresh app: every count starts at 0
        await client.get("/health")
        await client.get(f"/api/v1/users/{'0' * 8}-0000-0000-0000-{'0' * 12}")
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert 'route="/api/v1/users/{user_id}"' in text
    assert "http_request_duration_seconds_bucket" in text
    assert "00000000-0000" not in text


async def test_metrics_can_be_disabled(app_factory: AppFactory) -> None:
    async with client_for(app_factory(metrics_enabled=False)) as client:
        await client.get("/health")
        response = await client.get("/metrics")
    assert "http_requests_total{" not in response.text


@pytest.mark.parametrize("environment", ["staging", "production"])
async def test_metrics_are_not_served_when_deployed_without_a_token(
    app_factory: AppFactory, environment: str
) -> None:
    async with client_for(app_factory(environment=environment)) as client:
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_metrics_need_the_token_when_one_is_set(app_factory: AppFactory) -> None:
    token = secrets.token_urlsafe(32)
    app = app_factory(environment="production", metrics_token=token)
    async with client_for(app) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer wrong"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert anonymous.status_code == wrong.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
    assert right.status_code == 200
    assert "http_requests_total" in right.text


async def test_metrics_are_not_in_the_api_schema(app_factory: AppFactory) -> None:
    async with client_for(app_factory()) as client:
        schema = (await client.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
