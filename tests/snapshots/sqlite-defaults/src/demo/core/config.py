"""Application settings, read from the environment (prefix ``DEMO_``) and ``.env``."""

import ipaddress
import json
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "DEMO_"
API_PREFIX = "/api/v1"
PLACEHOLDER_MARKER = "change-me"
MIN_SECRET_LENGTH = 32
DEVELOPMENT_CORS_ORIGINS = ("http://localhost:3000", "http://localhost:5173")


class Environment(StrEnum):
    """Where the service runs; decides defaults for docs, CORS, HSTS and log format."""

    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


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
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: SecretStr = Field(
        default=SecretStr("sqlite+aiosqlite:///./demo.db"),
        description="SQLAlchemy async URL: sqlite+aiosqlite:///... or postgresql+asyncpg://...",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
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
        return value

    @property
    def is_sqlite(self) -> bool:
        """True when the configured database is SQLite."""
        return self.database_url.get_secret_value().startswith("sqlite")


class Settings(DatabaseSettings):
    """Every setting of the service. Secrets are ``SecretStr`` and never logged."""

    app_name: str = "Demo"
    environment: Environment = Environment.DEVELOPMENT
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON logs; defaults to on everywhere except development."
    )

    jwt_secret: SecretStr = Field(description="HMAC key for tokens, at least 32 characters.")
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "demo"
    access_token_expire_minutes: int = Field(default=15, ge=1, le=30)
    refresh_token_expire_days: int = Field(default=7, ge=1, le=7)

    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_cost: int = Field(default=65536, ge=8, description="KiB")
    password_hash_parallelism: int = Field(default=4, ge=1)
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Password hashes computed at once per process; the others wait.",
    )

    cors_origins: Annotated[list[str] | None, NoDecode] = None
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])

    redis_url: SecretStr | None = Field(
        default=None, description="redis://host:6379/0; rate limits are in memory when unset."
    )
    rate_limit_login: str = Field(default="10/minute", description="Per client address.")
    rate_limit_login_account: str = Field(
        default="20/hour", description="Failed logins per account, from any address."
    )
    rate_limit_register: str = Field(default="5/minute", description="Per client address.")
    rate_limit_password_change: str = Field(default="5/hour", description="Per account.")
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
    force_https: bool = Field(
        default=False,
        description="Redirect plain HTTP to HTTPS; leave off behind a TLS-terminating proxy.",
    )

    @field_validator("cors_origins", "allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator(
        "rate_limit_login",
        "rate_limit_login_account",
        "rate_limit_register",
        "rate_limit_password_change",
        "rate_limit_public_writes",
    )
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError:
            msg = "must be a rate limit such as 10/minute, 5/hour or 100/day"
            raise ValueError(msg) from None
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
                f"must be at least {MIN_SECRET_LENGTH} characters; generate one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> Self:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return self
        if self.jwt_secret.get_secret_value().startswith(PLACEHOLDER_MARKER):
            msg = (
                f"{ENV_PREFIX}JWT_SECRET is the placeholder from .env.example, refused in "
                f"{self.environment.value}; set a random secret "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
            raise ValueError(msg)
        if "*" in self.trusted_proxies:
            msg = (
                f"{ENV_PREFIX}TRUSTED_PROXIES may not contain '*' in {self.environment.value}: "
                "anyone could then forge X-Forwarded-For; list the proxies' addresses or networks"
            )
            raise ValueError(msg)
        if self.cors_origins and "*" in self.cors_origins:
            msg = f"{ENV_PREFIX}CORS_ORIGINS may not contain '*' in {self.environment.value}"
            raise ValueError(msg)
        return self

    @property
    def effective_cors_origins(self) -> list[str]:
        """CORS origins: explicit ones, else localhost dev servers in development only."""
        if self.cors_origins is not None:
            return self.cors_origins
        if self.environment is Environment.DEVELOPMENT:
            return list(DEVELOPMENT_CORS_ORIGINS)
        return []

    @property
    def docs_enabled(self) -> bool:
        """Interactive docs and the OpenAPI schema are off in production."""
        return self.environment is not Environment.PRODUCTION

    @property
    def json_logs(self) -> bool:
        """Whether logs are rendered as JSON lines."""
        if self.log_json is not None:
            return self.log_json
        return self.environment is not Environment.DEVELOPMENT


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment and ``.env``; ``overrides`` win."""
    return Settings(**overrides)
