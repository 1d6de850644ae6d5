"""Rate limits: in memory by default, shared through Redis when a Redis URL is set."""

import os
import uuid

import pytest
from limits import parse
from pydantic import ValidationError

from demo.core.config import Settings
from demo.core.errors import RateLimitError
from demo.core.logging import configure_logging
from demo.core.rate_limit import AccountLimit, RateLimiter

from .conftest import AppFactory, client_for

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


async def test_memory_limiter_blocks_after_the_limit() -> None:
    limiter = RateLimiter(None)
    limit = parse("2/minute")
    await limiter.hit(limit, "login", "10.0.0.1")
    await limiter.hit(limit, "login", "10.0.0.1")
    with pytest.raises(RateLimitError) as raised:
        await limiter.hit(limit, "login", "10.0.0.1")
    assert 1 <= int(raised.value.headers["Retry-After"]) <= 60
    await limiter.hit(limit, "login", "10.0.0.2")


async def test_an_account_limit_counts_only_what_is_hit() -> None:
    failures = AccountLimit(RateLimiter(None), parse("2/minute"), "login_account")
    for _ in range(5):
        await failures.check("Ada@example.com")
    await failures.hit("ada@example.com")
    await failures.hit(" ADA@example.com")
    with pytest.raises(RateLimitError):
        await failures.check("ada@example.com")
    await failures.check("grace@example.com")


async def test_unreachable_redis_lets_requests_through(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging(level="WARNING", json_logs=True)
    limiter = RateLimiter("redis://127.0.0.1:9/0")
    limit = parse("1/minute")
    for _ in range(3):
        await limiter.hit(limit, "login", "10.0.0.1")
        await limiter.check(limit, "login", "10.0.0.1")
    events = [r.msg.get("event") for r in caplog.records if isinstance(r.msg, dict)]
    assert "rate_limit_storage_unavailable" in events


@pytest.mark.parametrize("path", ["/api/v1/auth/refresh", "/api/v1/auth/logout"])
async def test_refresh_and_logout_are_limited_per_client(
    app_factory: AppFactory, path: str
) -> None:
    # Anonymous endpoints: without a limit, anyone could guess tokens or send costly bodies.
    app = app_factory(rate_limit_refresh="2/minute")
    async with client_for(app, "203.0.113.7") as client:
        statuses = [
            (await client.post(path, json={"refresh_token": "not a token"})).status_code
            for _ in range(3)
        ]
    assert statuses == [401, 401, 429]


@pytest.mark.parametrize(
    "setting",
    [
        "rate_limit_login",
        "rate_limit_login_account",
        "rate_limit_register",
        "rate_limit_password_change",
        "rate_limit_refresh",
    ],
)
def test_a_malformed_limit_is_refused_at_start_up(settings: Settings, setting: str) -> None:
    # It used to be accepted, and made every request to the limited route a 500.
    with pytest.raises(ValidationError, match="must be a rate limit"):
        Settings.model_validate(settings.model_dump() | {setting: "ten per minute"})


@pytest.mark.skipif(TEST_REDIS_URL is None, reason="set TEST_REDIS_URL to test with Redis")
async def test_redis_counters_are_shared_between_processes() -> None:
    assert TEST_REDIS_URL is not None
    first, second = RateLimiter(TEST_REDIS_URL), RateLimiter(TEST_REDIS_URL)
    limit = parse("1/minute")
    key = uuid.uuid4().hex
    await first.hit(limit, "login", key)
    with pytest.raises(RateLimitError):
        await second.hit(limit, "login", key)
