"""Settings: fail fast on missing or unsafe values, sensible defaults per environment."""

import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from demo.core.config import DatabaseSettings, Environment, Settings

GOOD_SECRET = secrets.token_urlsafe(48)
PLACEHOLDER = "change-me-to-a-random-string-of-at-least-32-characters"
WEAK_SECRETS = [
    PLACEHOLDER,
    "CHANGE-ME-" + GOOD_SECRET,
    "changeme_" + GOOD_SECRET,
    "ChangeMe" + GOOD_SECRET,
    " " + GOOD_SECRET,
    GOOD_SECRET + "\n",
    "x" * 64,
    "ab12" * 16,
]


def build(**values: Any) -> Settings:
    values.setdefault("jwt_secret", GOOD_SECRET)
    values.setdefault("allowed_hosts", ["api.example.com"])
    return Settings(_env_file=None, **values)


def test_jwt_secret_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="jwt_secret"):
        Settings(_env_file=None)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        build(jwt_secret="too-short")


@pytest.mark.parametrize("environment", ["test", "staging", "production"])
def test_placeholder_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        build(environment=environment, jwt_secret=PLACEHOLDER)


@pytest.mark.parametrize("environment", ["test", "staging", "production"])
@pytest.mark.parametrize("secret", WEAK_SECRETS)
def test_weak_secrets_are_refused_outside_development(environment: str, secret: str) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET") as info:
        build(environment=environment, jwt_secret=secret)
    assert secret.strip() not in str(info.value)


def test_weak_metrics_token_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="METRICS_TOKEN"):
        build(environment="production", metrics_token="m" * 40)
    assert build(environment="production", metrics_token=GOOD_SECRET).metrics_token


def test_placeholder_secret_is_allowed_in_development() -> None:
    assert build(environment="development", jwt_secret=PLACEHOLDER).jwt_secret


def test_test_environment_is_refused_outside_the_test_suite(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert build(environment="test").environment is Environment.TEST  # pytest is running
    monkeypatch.delenv("PYTEST_VERSION")
    with pytest.raises(ValidationError, match="for the test suite only"):
        build(environment="test")


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("hosts", [None, [], ["*"], ["api.example.com", "*"]])
def test_explicit_allowed_hosts_are_required_when_deployed(
    environment: str, hosts: list[str] | None
) -> None:
    with pytest.raises(ValidationError, match="ALLOWED_HOSTS"):
        build(environment=environment, allowed_hosts=hosts)


def test_any_host_is_the_default_in_development_only() -> None:
    assert build(environment="development", allowed_hosts=None).effective_allowed_hosts == ["*"]
    production = build(environment="production", allowed_hosts="api.example.com,*.example.com")
    assert production.effective_allowed_hosts == ["api.example.com", "*.example.com"]


class TestNoSecretInStartupErrors:
    """A refused setting is named, never printed: the error ends up in the start-up log."""

    def test_refused_jwt_secret(self) -> None:
        secret = "changeme-" + GOOD_SECRET
        with pytest.raises(ValidationError) as info:
            build(environment="production", jwt_secret=secret, database_url=self.url())
        assert GOOD_SECRET not in str(info.value)
        assert "db-password" not in str(info.value)

    def test_short_jwt_secret(self) -> None:
        with pytest.raises(ValidationError) as info:
            build(jwt_secret="short-secret-42")
        assert "short-secret-42" not in str(info.value)

    @pytest.mark.parametrize(
        "url",
        [
            "postgresql://app:db-password-123@db/app",
            "postgresql+asyncpg://app:db-password-123@db:port/app",
        ],
    )
    def test_refused_database_url(self, url: str) -> None:
        values: dict[str, Any] = {"jwt_secret": GOOD_SECRET, "database_url": url}
        for settings_class in (Settings, DatabaseSettings):
            with pytest.raises(ValidationError, match="database_url") as info:
                settings_class(_env_file=None, **values)
            assert "db-password" not in str(info.value)

    @staticmethod
    def url() -> str:
        return "postgresql+asyncpg://app:db-password-123@db:5432/app"


def test_secret_is_hidden_in_repr() -> None:
    settings = build()
    assert GOOD_SECRET not in repr(settings)
    assert GOOD_SECRET not in str(settings.model_dump())


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_ENVIRONMENT", "staging")
    monkeypatch.setenv(
        "DEMO_CORS_ORIGINS",
        "https://a.example.com, https://b.example.com",
    )
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


@pytest.mark.parametrize(
    ("environment", "docs", "hsts"),
    [
        ("development", True, False),
        ("test", True, False),
        ("staging", False, True),
        ("production", False, True),
    ],
)
def test_docs_and_hsts_per_environment(environment: str, docs: bool, hsts: bool) -> None:
    settings = build(environment=environment)
    assert (settings.docs_enabled, settings.hsts_enabled) == (docs, hsts)


def test_docs_can_be_turned_on_in_staging() -> None:
    assert build(environment="staging", api_docs=True).docs_enabled


def test_production_keeps_strong_password_hashing() -> None:
    settings = build(environment="production")
    assert settings.password_hash_time_cost >= 3
    assert settings.password_hash_memory_cost >= 65536


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("origins", [["null"], ["https://app.example.com", "NULL"]])
def test_null_cors_origin_is_refused_when_deployed(environment: str, origins: list[str]) -> None:
    # "null" is the Origin of sandboxed iframes and local files: anybody can send it.
    with pytest.raises(ValidationError, match="CORS_ORIGINS may not contain"):
        build(environment=environment, cors_origins=origins)


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_sql_echo_is_refused_when_deployed(environment: str) -> None:
    # Echoed statements carry their parameters: password hashes and personal data.
    with pytest.raises(ValidationError, match="DB_ECHO"):
        build(environment=environment, db_echo=True)
    assert build(environment="development", db_echo=True).db_echo


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password_hash_time_cost", 11),
        ("password_hash_memory_cost", 1_048_577),
        ("password_hash_parallelism", 17),
    ],
)
def test_password_hashing_cost_has_upper_bounds(field: str, value: int) -> None:
    # A cost too high turns each login into seconds of CPU or more memory than there is.
    with pytest.raises(ValidationError, match=field):
        build(**{field: value})
    assert getattr(build(**{field: value - 1}), field) == value - 1


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("host", ["*.com", "*.localhost", "*"])
def test_a_wildcard_over_a_top_level_domain_is_refused_when_deployed(
    environment: str, host: str
) -> None:
    with pytest.raises(ValidationError, match="ALLOWED_HOSTS"):
        build(environment=environment, allowed_hosts=["api.example.com", host])
    assert build(environment="development", allowed_hosts=[host]).allowed_hosts == [host]


def test_a_wildcard_over_ones_own_domain_is_accepted() -> None:
    settings = build(environment="production", allowed_hosts=["*.example.com", "*.example.co.uk"])
    assert settings.allowed_hosts == ["*.example.com", "*.example.co.uk"]


@pytest.mark.parametrize("issuer", ["", "   "])
def test_an_empty_jwt_issuer_is_refused(issuer: str) -> None:
    with pytest.raises(ValidationError, match="jwt_issuer"):
        build(jwt_issuer=issuer)


@pytest.mark.parametrize(("value", "level"), [("debug", "DEBUG"), ("Warning", "WARNING")])
def test_log_level_in_any_case(value: str, level: str) -> None:
    assert build(log_level=value).log_level == level
