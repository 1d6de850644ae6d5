"""Application settings, read from the environment (prefix ``DEMO_``) and ``.env``."""

import ipaddress
import json
import os
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "DEMO_"
API_PREFIX = "/api/v1"
MIN_SECRET_LENGTH = 32
# A secret made of fewer distinct characters than this is a pattern, not a random string.
MIN_SECRET_DISTINCT_CHARACTERS = 8
# Words that mark a secret as a placeholder, compared without case, dashes or underscores.
PLACEHOLDER_WORDS = ("changeme", "placeholder", "replaceme", "yoursecret", "secretkey")
# Set by pytest (8.2+) for the duration of a run: the one place ENVIRONMENT=test belongs.
PYTEST_MARKER = "PYTEST_VERSION"
GENERATE_KEY_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
DEVELOPMENT_CORS_ORIGINS = ("http://localhost:3000", "http://localhost:5173")
# Proxies sit in networks of their own: a trusted network wider than this (such as
# 0.0.0.0/0) would let much of the Internet forge X-Forwarded-For. Refused when deployed.
MIN_PROXY_PREFIX = {4: 8, 6: 16}
# Upper bounds of the Argon2id cost: beyond them one login would take seconds or more
# memory than a container has (memory in KiB: 1 GiB).
MAX_HASH_TIME_COST = 10
MAX_HASH_MEMORY_COST = 1_048_576
MAX_HASH_PARALLELISM = 16


class Environment(StrEnum):
    """Where the service runs; decides defaults for docs, CORS, HSTS and log format.

    Only ``development`` accepts weak secrets (and then serves loopback addresses only): it
    is meant for a server on your own machine. ``test`` is for the test suite (refused
    outside pytest) and is as strict about secrets as production; like development, it
    answers any host unless ``ALLOWED_HOSTS`` is set. ``staging`` is production-like: hosts
    required, no docs unless ``API_DOCS``, HSTS on.
    """

    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is not fit to sign anything outside development, or None if it is."""
    if secret != secret.strip():
        return "starts or ends with whitespace"
    letters = "".join(char for char in secret.lower() if char.isalnum())
    if any(word in letters for word in PLACEHOLDER_WORDS):
        return "is a placeholder such as the one in .env.example"
    if len(set(secret)) < MIN_SECRET_DISTINCT_CHARACTERS:
        return f"has fewer than {MIN_SECRET_DISTINCT_CHARACTERS} distinct characters"
    return None


def _split_csv(value: object) -> object:
    """Accept ``a,b`` as well as a JSON list for list-valued variables."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class DatabaseSettings(BaseSettings):
    """Database connection settings; all that Alembic needs to run."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A rejected value may be a secret or a URL with a password: never print it.
        hide_input_in_errors=True,
    )

    database_url: SecretStr = Field(
        default=SecretStr("sqlite+aiosqlite:///./demo.db"),
        description="SQLAlchemy async URL: sqlite+aiosqlite:///... or postgresql+asyncpg://...",
    )
    # Size the pool to the concurrent requests one process serves: connections above it
    # (overflow) are closed when returned, so a pool smaller than the load reconnects often.
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    db_pool_timeout: float = Field(default=30.0, gt=0)
    db_pool_recycle: int = Field(default=1800, ge=-1)
    db_echo: bool = False

    @field_validator("database_url")
    @classmethod
    def _require_async_driver(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            msg = (
                "must use an async driver: sqlite+aiosqlite:///path.db "
                "or postgresql+asyncpg://user:password@host/db"
            )
            raise ValueError(msg)
        try:
            make_url(url)
        except (ArgumentError, ValueError):
            # The parser's message repeats the URL, password included.
            msg = "is not a valid database URL (check the port and any special characters)"
            raise ValueError(msg) from None
        return value

    @property
    def is_sqlite(self) -> bool:
        """True when the configured database is SQLite."""
        return self.database_url.get_secret_value().startswith("sqlite")


class Settings(DatabaseSettings):
    """Every setting of the service. Secrets are ``SecretStr`` and never logged."""

    app_name: str = "Demo"
    environment: Environment = Environment.DEVELOPMENT
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Any case: debug and DEBUG are the same."
    )
    log_json: bool | None = Field(
        default=None, description="JSON logs; defaults to on everywhere except development."
    )

    jwt_secret: SecretStr = Field(description="HMAC key for tokens, at least 32 characters.")
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = Field(default="demo", min_length=1, pattern=r"\S")
    access_token_expire_minutes: int = Field(default=15, ge=1, le=30)
    refresh_token_expire_days: int = Field(default=7, ge=1, le=7)

    password_hash_time_cost: int = Field(default=3, ge=1, le=MAX_HASH_TIME_COST)
    password_hash_memory_cost: int = Field(
        default=65536, ge=8, le=MAX_HASH_MEMORY_COST, description="KiB"
    )
    password_hash_parallelism: int = Field(default=4, ge=1, le=MAX_HASH_PARALLELISM)
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Password hashes computed at once per process; the others wait.",
    )

    cors_origins: Annotated[list[str] | None, NoDecode] = None
    allowed_hosts: Annotated[list[str] | None, NoDecode] = Field(
        default=None,
        description="Host values answered; required (and no '*') in staging and production.",
    )
    api_docs: bool | None = Field(
        default=None, description="/docs and the OpenAPI schema; unset: development and test."
    )
    max_request_body_bytes: int = Field(default=1_048_576, ge=1)
    max_request_header_bytes: int = Field(default=32_768, ge=1024)

    redis_url: SecretStr | None = Field(
        default=None, description="redis://host:6379/0; rate limits are in memory when unset."
    )
    rate_limit_login: str = Field(default="10/minute", description="Per client address.")
    rate_limit_login_account: str = Field(
        default="20/hour", description="Failed logins per account, from any address."
    )
    rate_limit_register: str = Field(default="5/minute", description="Per client address.")
    rate_limit_password_change: str = Field(default="5/hour", description="Per account.")
    rate_limit_refresh: str = Field(
        default="30/minute", description="Token refreshes and logouts per client address."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Addresses or networks of the reverse proxies in front of the service; only "
            "their X-Forwarded-For/-Proto headers are believed."
        ),
    )
    # Anonymous writes to slices made with `forge add-feature --public-writes`.
    rate_limit_public_writes: str = Field(default="30/minute", description="Per client address.")

    metrics_enabled: bool = True
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for /metrics; without one, /metrics is served only in "
        "development and test.",
    )
    force_https: bool = Field(
        default=False,
        description="Redirect plain HTTP to HTTPS; leave off behind a TLS-terminating proxy.",
    )

    @field_validator("cors_origins", "allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator(
        "rate_limit_login",
        "rate_limit_login_account",
        "rate_limit_register",
        "rate_limit_password_change",
        "rate_limit_refresh",
        "rate_limit_public_writes",
    )
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        try:
            limit = parse(value)
        except ValueError:
            limit = None
        if limit is None or limit.amount < 1:
            msg = "must be a rate limit of at least 1, such as 10/minute, 5/hour or 100/day"
            raise ValueError(msg)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                msg = (
                    f"{entry!r} is not an IP address or network; list the proxies' "
                    "addresses or networks, e.g. 10.0.0.5,10.1.0.0/16"
                )
                raise ValueError(msg) from None
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            msg = (
                f"must be at least {MIN_SECRET_LENGTH} characters; "
                f"generate one: {GENERATE_KEY_COMMAND}"
            )
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_values_outside_development(self) -> Self:
        if self.environment is Environment.DEVELOPMENT:
            return self
        where = self.environment.value
        if self.environment is Environment.TEST and PYTEST_MARKER not in os.environ:
            msg = (
                f"{ENV_PREFIX}ENVIRONMENT=test is for the test suite only (pytest sets "
                f"{PYTEST_MARKER}); a server runs in development, staging or production"
            )
            raise ValueError(msg)
        checked = {"JWT_SECRET": self.jwt_secret, "METRICS_TOKEN": self.metrics_token}
        for name, secret in checked.items():
            if secret is None:
                continue
            value = secret.get_secret_value()
            weakness = secret_weakness(value)
            if weakness is None and len(value) < MIN_SECRET_LENGTH:
                weakness = f"is shorter than {MIN_SECRET_LENGTH} characters"
            if weakness is not None:
                msg = (
                    f"{ENV_PREFIX}{name} {weakness}, refused in {where} (only development "
                    f"accepts it); set a random one: {GENERATE_KEY_COMMAND}"
                )
                raise ValueError(msg)
        if self.environment is Environment.TEST:
            return self
        if "*" in self.trusted_proxies:
            msg = (
                f"{ENV_PREFIX}TRUSTED_PROXIES may not contain '*' in {where}: "
                "anyone could then forge X-Forwarded-For; list the proxies' addresses or networks"
            )
            raise ValueError(msg)
        for entry in self.trusted_proxies:
            network = ipaddress.ip_network(entry, strict=False)
            if network.prefixlen < MIN_PROXY_PREFIX[network.version]:
                msg = (
                    f"{ENV_PREFIX}TRUSTED_PROXIES entry {entry!r} is too broad for proxies "
                    f"in {where} (IPv4 networks need a prefix of at least /8, IPv6 /16); "
                    "list the proxies' addresses or networks"
                )
                raise ValueError(msg)
        if self.cors_origins and ({"*", "null"} & {origin.lower() for origin in self.cors_origins}):
            msg = (
                f"{ENV_PREFIX}CORS_ORIGINS may not contain '*' or 'null' in {where} "
                "('null' is the origin of sandboxed frames and local files, anyone's)"
            )
            raise ValueError(msg)
        if not self.allowed_hosts or "*" in self.allowed_hosts:
            msg = (
                f"{ENV_PREFIX}ALLOWED_HOSTS must name the hosts the service answers to in "
                f"{where} (such as api.example.com,*.example.com); '*' is refused"
            )
            raise ValueError(msg)
        for host in self.allowed_hosts:
            if host.startswith("*") and host.removeprefix("*.").count(".") < 1:
                msg = (
                    f"{ENV_PREFIX}ALLOWED_HOSTS entry {host!r} is a wildcard over a whole "
                    f"top-level domain, refused in {where}; name your domain, "
                    "such as *.example.com"
                )
                raise ValueError(msg)
        if self.db_echo:
            msg = (
                f"{ENV_PREFIX}DB_ECHO logs every SQL statement with its parameters "
                f"(password hashes, personal data), refused in {where}; use it in development"
            )
            raise ValueError(msg)
        return self

    @property
    def weak_jwt_secret(self) -> bool:
        """Whether the JWT secret would be refused outside development."""
        value = self.jwt_secret.get_secret_value()
        return secret_weakness(value) is not None

    @property
    def effective_cors_origins(self) -> list[str]:
        """CORS origins: explicit ones, else localhost dev servers in development only."""
        if self.cors_origins is not None:
            return self.cors_origins
        if self.environment is Environment.DEVELOPMENT:
            return list(DEVELOPMENT_CORS_ORIGINS)
        return []

    @property
    def effective_allowed_hosts(self) -> list[str]:
        """Host values answered: explicit ones, else any host (development and test only)."""
        return self.allowed_hosts if self.allowed_hosts else ["*"]

    @property
    def docs_enabled(self) -> bool:
        """Interactive docs and the OpenAPI schema: development and test, unless API_DOCS."""
        if self.api_docs is not None:
            return self.api_docs
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def hsts_enabled(self) -> bool:
        """HSTS wherever the service is deployed (staging and production)."""
        return self.environment in (Environment.STAGING, Environment.PRODUCTION)

    @property
    def metrics_public(self) -> bool:
        """Whether /metrics answers without a token: development and test only."""
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def json_logs(self) -> bool:
        """Whether logs are rendered as JSON lines."""
        if self.log_json is not None:
            return self.log_json
        return self.environment is not Environment.DEVELOPMENT


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment and ``.env``; ``overrides`` win."""
    return Settings(**overrides)
