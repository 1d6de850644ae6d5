"""Rate limits: in memory by default, shared through Redis when a Redis URL is set."""

import asyncio
import os
import uuid

import pytest
from limits import parse
from pydantic import ValidationError

from demo.core.config import Settings
from demo.core.errors import RateLimitError
from demo.core.logging import configure_logging
from demo.core.rate_limit import AccountLimit, RateLimiter

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


async def test_unreachable_redis_lets_requests_through(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging(level="WARNING", json_logs=True)
    limiter = RateLimiter("redis://127.0.0.1:9/0")
    limit = parse("1/minute")
    for _ in range(3):
        await limiter.hit(limit, "login", "10.0.0.1")
        await limiter.check(limit, "login", "10.0.0.1")
    events = [r.msg.get("event") for r in caplog.records if isinstance(r.msg, dict)]
    assert "rate_limit_storage_unavailable" in events


@pytest.mark.parametrize(
    "setting",
    [
        "rate_limit_login",
        "rate_limit_login_account",
        "rate_limit_register",
        "rate_limit_password_change",
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
