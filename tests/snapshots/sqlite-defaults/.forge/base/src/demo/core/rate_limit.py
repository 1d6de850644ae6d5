"""Rate limits on sensitive endpoints, with the ``limits`` library.

Counters live in memory by default (one process) and in Redis when a Redis URL is
configured, so every worker and replica shares them. Limits are counted per client
address (``request.client``: the TCP peer, or the address a trusted proxy forwarded, see
``TRUSTED_PROXIES``) and, where an account is named, per account as well.
"""

import asyncio
import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache

import structlog
from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from .errors import RateLimitError

logger = structlog.get_logger(__name__)


@lru_cache(maxsize=64)
def parse_limit(value: str) -> RateLimitItem:
    """Parse ``"10/minute"``-style limits once."""
    return parse(value)


class RateLimiter:
    """A moving-window limiter over a memory or Redis storage.

    If the storage is unreachable, requests are let through (limits fail open: a Redis
    outage must not lock every user out of logging in). The outage is logged once, with
    its cause, when it starts, and once when the storage answers again, with the number of
    checks skipped meanwhile; ``/ready`` reports it as ``"rate_limit": "degraded"``.
    """

    def __init__(self, redis_url: str | None) -> None:
        self.shared = redis_url is not None
        self.storage: Storage = (
            MemoryStorage() if redis_url is None else RedisStorage(f"async+{redis_url}")
        )
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._skipped = 0

    @property
    def degraded(self) -> bool:
        """Whether the last call to the storage failed (limits are not enforced)."""
        return self._skipped > 0

    async def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one hit; raise ``RateLimitError`` once the limit is exceeded."""
        await self._enforce(self._strategy.hit, limit, keys)

    async def check(self, limit: RateLimitItem, *keys: str) -> None:
        """Raise ``RateLimitError`` if the limit is used up, without counting a hit.

        Used with ``hit`` to count only some outcomes (failed logins).
        """
        await self._enforce(self._strategy.test, limit, keys)

    async def _enforce(
        self,
        ask: Callable[..., Awaitable[bool]],
        limit: RateLimitItem,
        keys: tuple[str, ...],
    ) -> None:
        try:
            allowed = await ask(limit, *keys)
            reset_time = 0.0 if allowed else await self._reset_time(limit, *keys)
        except Exception as exc:
            self._failed(exc)
            return
        self._answered()
        if not allowed:
            raise RateLimitError(retry_after=max(1, math.ceil(reset_time - time.time())))

    async def available(self, timeout_seconds: float) -> bool:
        """Whether the storage answers a ping within ``timeout_seconds`` (for ``/ready``)."""
        if not self.shared:
            return True
        try:
            async with asyncio.timeout(timeout_seconds):
                return bool(await self.storage.check())
        except Exception:
            return False

    async def _reset_time(self, limit: RateLimitItem, *keys: str) -> float:
        stats = await self._strategy.get_window_stats(limit, *keys)
        return stats.reset_time

    def _failed(self, exc: Exception) -> None:
        if self._skipped == 0:
            logger.error(
                "rate_limit_storage_unavailable",
                error=type(exc).__name__,
                detail="rate limits are not enforced until the storage answers again",
                exc_info=exc,
            )
        self._skipped += 1

    def _answered(self) -> None:
        if self._skipped:
            logger.warning("rate_limit_storage_recovered", checks_skipped=self._skipped)
            self._skipped = 0

    async def reset(self) -> None:
        """Forget every counter (tests use it)."""
        if isinstance(self.storage, MemoryStorage):
            # A fresh storage: clearing the old one races with its own expiry task, which
            # then fails on a key that vanished under it ("Task exception was never
            # retrieved").
            self.storage = MemoryStorage()
            self._strategy = MovingWindowRateLimiter(self.storage)
            return
        await self.storage.reset()


def account_key(identity: str) -> str:
    """The counter key of an account: a digest, so no email address is stored in Redis."""
    return hashlib.sha256(identity.strip().lower().encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccountLimit:
    """A limit counted per account, whichever address the requests come from."""

    limiter: RateLimiter
    limit: RateLimitItem
    name: str

    async def check(self, identity: str) -> None:
        """Raise ``RateLimitError`` if the account's limit is used up."""
        await self.limiter.check(self.limit, self.name, account_key(identity))

    async def hit(self, identity: str) -> None:
        """Count one attempt against the account."""
        await self.limiter.hit(self.limit, self.name, account_key(identity))


def account_limit(request: Request, setting: str) -> AccountLimit:
    """The per-account limit named by a setting."""
    limit = parse_limit(getattr(request.app.state.settings, setting))
    return AccountLimit(request.app.state.rate_limiter, limit, setting)


def rate_limit(setting: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency enforcing the limit named by a setting, per client address and route."""

    async def dependency(request: Request) -> None:
        limit = parse_limit(getattr(request.app.state.settings, setting))
        client = request.client.host if request.client else "unknown"
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.hit(limit, setting, client)

    return dependency
