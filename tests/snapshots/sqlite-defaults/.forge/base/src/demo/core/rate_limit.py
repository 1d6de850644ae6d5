"""Rate limits on sensitive endpoints, with the ``limits`` library.

Counters live in memory by default (one process) and in Redis when a Redis URL is
configured, so every worker and replica shares them. Limits are counted per client
address (``request.client``: the TCP peer, or the address a trusted proxy forwarded, see
``TRUSTED_PROXIES``) and, where an account is named, per account as well.
"""

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
    """A moving-window limiter over a memory or Redis storage."""

    def __init__(self, redis_url: str | None) -> None:
        self.storage: Storage = (
            MemoryStorage() if redis_url is None else RedisStorage(f"async+{redis_url}")
        )
        self._strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one hit; raise ``RateLimitError`` once the limit is exceeded.

        If the storage is unreachable the request is let through and the failure logged:
        a Redis outage must not lock every user out of logging in.
        """
        try:
            allowed = await self._strategy.hit(limit, *keys)
            if allowed:
                return
            stats = await self._strategy.get_window_stats(limit, *keys)
        except Exception:
            logger.exception("rate_limit_storage_unavailable")
            return
        raise RateLimitError(retry_after=max(1, math.ceil(stats.reset_time - time.time())))

    async def check(self, limit: RateLimitItem, *keys: str) -> None:
        """Raise ``RateLimitError`` if the limit is used up, without counting a hit.

        Used with ``hit`` to count only some outcomes (failed logins). As in ``hit``, an
        unreachable storage lets the request through.
        """
        try:
            if await self._strategy.test(limit, *keys):
                return
            stats = await self._strategy.get_window_stats(limit, *keys)
        except Exception:
            logger.exception("rate_limit_storage_unavailable")
            return
        raise RateLimitError(retry_after=max(1, math.ceil(stats.reset_time - time.time())))

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
