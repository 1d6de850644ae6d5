"""Password hashing (argon2 via pwdlib) and JWT access/refresh tokens (PyJWT)."""

import asyncio
import math
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

from ..shared.models import utcnow
from .config import Settings
from .errors import AuthenticationError

# Verified access tokens kept in memory (about 1 KiB each), least recently used first out.
VERIFIED_TOKENS_KEPT = 4096
# NumericDate claims (exp, iat, nbf) must be numbers within these bounds (year 1970 to 9999).
LATEST_TIMESTAMP = 253402300799
# Tolerance between a token's lifetime (exp - iat) and the configured one: float rounding.
LIFETIME_TOLERANCE = timedelta(seconds=1)
STRING_CLAIMS = ("sub", "jti", "type", "role", "iss")

ResultT = TypeVar("ResultT")


class Role(StrEnum):
    """What a user may do. ``require_role`` checks it."""

    USER = "user"
    ADMIN = "admin"


class TokenType(StrEnum):
    """Access tokens authorise requests; refresh tokens only buy new token pairs."""

    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified content of a token."""

    subject: uuid.UUID
    role: Role
    token_type: TokenType
    token_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly signed token and when it expires."""

    token: str
    token_id: uuid.UUID
    expires_at: datetime


class PasswordHasher:
    """Argon2id hashing, run in a worker thread so it never blocks the event loop.

    Each hash takes ``password_hash_memory_cost`` KiB (64 MiB by default) and a core for a
    while, so at most ``password_hash_concurrency`` run at once per process; the others
    wait their turn. Memory stays bounded and ``/health`` keeps answering under a burst.
    """

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.password_hash_time_cost,
                    memory_cost=settings.password_hash_memory_cost,
                    parallelism=settings.password_hash_parallelism,
                ),
            )
        )
        # Verified against when the user does not exist, so both paths cost the same. Made
        # on first use: hashing takes a quarter of a second, which start-up should not pay.
        self._dummy_hash: str | None = None
        self._slots = asyncio.Semaphore(settings.password_hash_concurrency)

    async def hash(self, password: str) -> str:
        """Hash a password."""
        return await self._bounded(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Check a password; with no hash, spend the same time and answer False."""
        if password_hash is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash(uuid.uuid4().hex)
            await self._bounded(self._hash.verify, password, self._dummy_hash)
            return False
        return await self._bounded(self._hash.verify, password, password_hash)

    async def _bounded(self, function: Callable[..., ResultT], *args: Any) -> ResultT:
        async with self._slots:
            return await run_in_threadpool(function, *args)


class TokenService:
    """Signs and verifies JWTs. Only the configured HMAC algorithm is ever accepted."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.jwt_secret.get_secret_value()
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self.access_ttl = timedelta(minutes=settings.access_token_expire_minutes)
        self.refresh_ttl = timedelta(days=settings.refresh_token_expire_days)
        self._verified: OrderedDict[str, TokenClaims] = OrderedDict()

    def issue(self, user_id: uuid.UUID, role: Role, token_type: TokenType) -> IssuedToken:
        """Sign a token of the given type for a user."""
        now = utcnow()
        ttl = self.access_ttl if token_type is TokenType.ACCESS else self.refresh_ttl
        token_id = uuid.uuid4()
        expires_at = now + ttl
        payload = {
            "sub": str(user_id),
            "role": role.value,
            "type": token_type.value,
            "jti": str(token_id),
            "iss": self._issuer,
            "iat": now,
            "nbf": now,
            "exp": expires_at,
        }
        token = jwt.encode(payload, self._key, algorithm=self._algorithm)
        return IssuedToken(token=token, token_id=token_id, expires_at=expires_at)

    def verify(self, token: str, expected_type: TokenType) -> TokenClaims:
        """Verify signature, algorithm, issuer, expiry and type; any failure is a 401.

        A verified access token is remembered until it expires, so a client's next
        requests with the same token skip the signature check. The whole token is the
        key: a token differing in any byte (a forged signature) is verified afresh.
        """
        cached = self._verified.get(token)
        if cached is not None and cached.token_type is expected_type:
            if utcnow() < cached.expires_at:
                self._verified.move_to_end(token)
                return cached
            del self._verified[token]
            raise AuthenticationError("Token has expired")
        claims = self._decode(token, expected_type)
        if expected_type is TokenType.ACCESS:
            self._verified[token] = claims
            while len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        return claims

    def _decode(self, token: str, expected_type: TokenType) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "jti", "type", "role", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("Token has expired") from None
        except jwt.PyJWTError:
            raise AuthenticationError("Invalid token") from None
        # PyJWT reads "exp" and "iat" leniently ("123" passes as 123) and a huge "exp" used
        # to overflow datetime: every claim must have the type and range we issue.
        if not all(isinstance(payload[name], str) for name in STRING_CLAIMS):
            raise AuthenticationError("Invalid token")
        if payload["type"] != expected_type.value:
            raise AuthenticationError(f"Expected a token of type {expected_type.value}")
        times = {
            name: _timestamp(payload[name]) for name in ("iat", "nbf", "exp") if name in payload
        }
        issued_at, expires_at = times.get("iat"), times.get("exp")
        ttl = self.access_ttl if expected_type is TokenType.ACCESS else self.refresh_ttl
        if (
            None in times.values()
            or issued_at is None
            or expires_at is None
            or expires_at - issued_at > ttl + LIFETIME_TOLERANCE
        ):
            raise AuthenticationError("Invalid token")
        try:
            return TokenClaims(
                subject=uuid.UUID(payload["sub"]),
                role=Role(payload["role"]),
                token_type=expected_type,
                token_id=uuid.UUID(payload["jti"]),
                expires_at=expires_at,
            )
        except ValueError:
            raise AuthenticationError("Invalid token") from None


def _timestamp(value: object) -> datetime | None:
    """A NumericDate claim as a datetime; None unless it is a finite number in range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (math.isfinite(value) and 0 <= value <= LATEST_TIMESTAMP):
        return None
    return datetime.fromtimestamp(value, tz=UTC)
