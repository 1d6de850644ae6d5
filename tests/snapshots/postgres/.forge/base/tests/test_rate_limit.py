"""Rate limits: in memory by default, shared through Redis when a Redis URL is set."""

import asyncio
import os
import uuid

import pytest
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
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


async def test_reset_while_counters_expire_leaves_no_failed_task() -> None:
    # The suite resets the limiter before every test. Clearing a memory storage while its
    # expiry task walks the keys made that task fail ("Task exception was never retrieved").
    limiter = RateLimiter(None)
    old = limiter.storage
    limit = parse("5/minute")
    await limiter.hit(limit, "login", "10.0.0.1")
    await limiter.hit(limit, "login", "10.0.0.2")
    await asyncio.sleep(0)  # the expiry task starts and waits on its worker thread
    await limiter.reset()
    await asyncio.sleep(0.2)
    timer = getattr(old, "timer", None)
    assert isinstance(timer, asyncio.Task)
    assert timer.done()
    assert timer.exception() is None


def _events(caplog: pytest.LogCaptureFixture) -> list[object]:
    return [r.msg.get("event") for r in caplog.records if isinstance(r.msg, dict)]


async def test_unreachable_redis_lets_requests_through_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Each request used to log a traceback per limit it passed (three for a login).
    configure_logging(level="WARNING", json_logs=True)
    limiter = RateLimiter("redis://127.0.0.1:9/0")
    limit = parse("1/minute")
    for _ in range(3):
        await limiter.hit(limit, "login", "10.0.0.1")
        await limiter.check(limit, "login", "10.0.0.1")
    assert _events(caplog).count("rate_limit_storage_unavailable") == 1
    assert limiter.degraded
    assert not await limiter.available(1.0)


async def test_the_end_of_an_outage_is_logged_and_limits_apply_again(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging(level="WARNING", json_logs=True)
    limiter = RateLimiter(None)
    limit = parse("2/minute")

    async def unreachable(*_: object) -> bool:
        raise ConnectionError

    with monkeypatch.context() as patched:
        patched.setattr(MovingWindowRateLimiter, "hit", unreachable)
        for _ in range(4):
            await limiter.hit(limit, "login", "10.0.0.1")
    assert limiter.degraded
    await limiter.hit(limit, "login", "10.0.0.1")
    assert not limiter.degraded
    await limiter.hit(limit, "login", "10.0.0.1")
    with pytest.raises(RateLimitError):
        await limiter.hit(limit, "login", "10.0.0.1")
    recovered = [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg.get("event") == "rate_limit_storage_recovered"
    ]
    assert [event["checks_skipped"] for event in recovered] == [4]
    assert _events(caplog).count("rate_limit_storage_unavailable") == 1


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
        "rate_limit_public_writes",
        "rate_limit_refresh",
    ],
)
@pytest.mark.parametrize("value", ["ten per minute", "0/minute", "0 per hour"])
def test_a_malformed_or_zero_limit_is_refused_at_start_up(
    settings: Settings, setting: str, value: str
) -> None:
    # A malformed one used to be accepted, and made every request to the route a 500; a
    # zero one locked everybody out.
    with pytest.raises(ValidationError, match="must be a rate limit of at least 1"):
        Settings.model_validate(settings.model_dump() | {setting: value})


@pytest.mark.skipif(TEST_REDIS_URL is None, reason="set TEST_REDIS_URL to test with Redis")
async def test_redis_counters_are_shared_between_processes() -> None:
    assert TEST_REDIS_URL is not None
    first, second = RateLimiter(TEST_REDIS_URL), RateLimiter(TEST_REDIS_URL)
    limit = parse("1/minute")
    key = uuid.uuid4().hex
    await first.hit(limit, "login", key)
    with pytest.raises(RateLimitError):
        await second.hit(limit, "login", key)
    assert await first.available(1.0)
