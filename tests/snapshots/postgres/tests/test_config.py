"""Settings: fail fast on missing or unsafe values, sensible defaults per environment."""

from typing import Any

import pytest
from pydantic import ValidationError

from demo.core.config import Environment, Settings

GOOD_SECRET = "s" * 48
PLACEHOLDER = "change-me-to-a-random-string-of-at-least-32-characters"


def build(**values: Any) -> Settings:
    values.setdefault("jwt_secret", GOOD_SECRET)
    return Settings(_env_file=None, **values)


def test_jwt_secret_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="jwt_secret"):
        Settings(_env_file=None)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        build(jwt_secret="too-short")


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_placeholder_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        build(environment=environment, jwt_secret=PLACEHOLDER)


def test_placeholder_secret_is_allowed_in_development() -> None:
    assert build(environment="development", jwt_secret=PLACEHOLDER).jwt_secret


def test_secret_is_hidden_in_repr() -> None:
    settings = build()
    assert GOOD_SECRET not in repr(settings)
    assert GOOD_SECRET not in str(settings.model_dump())


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_ENVIRONMENT", "staging")
    monkeypatch.setenv("DEMO_CORS_ORIGINS", "https://a.example.com, https://b.example.com")
    settings = build()
    assert settings.environment is Environment.STAGING
    assert settings.effective_cors_origins == ["https://a.example.com", "https://b.example.com"]


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError, match="environment"):
        build(environment="prod")


@pytest.mark.parametrize(
    "url", ["sqlite:///sync.db", "postgresql://u@h/db", "postgresql+psycopg2://u@h/db", "mysql://x"]
)
def test_sync_database_drivers_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="async driver"):
        build(database_url=url)


def test_wildcard_cors_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        build(environment="production", cors_origins=["*"])


def test_cors_defaults_per_environment() -> None:
    assert build(environment="development").effective_cors_origins
    assert build(environment="production").effective_cors_origins == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_token_expire_minutes", 31), ("refresh_token_expire_days", 8), ("db_pool_size", 0)],
)
def test_limits_from_the_security_checklist(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        build(**{field: value})


def test_docs_and_log_format_follow_the_environment() -> None:
    production = build(environment="production")
    development = build(environment="development")
    assert not production.docs_enabled
    assert production.json_logs
    assert development.docs_enabled
    assert not development.json_logs


def test_production_keeps_strong_password_hashing() -> None:
    settings = build(environment="production")
    assert settings.password_hash_time_cost >= 3
    assert settings.password_hash_memory_cost >= 65536
