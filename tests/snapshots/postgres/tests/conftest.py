"""Test fixtures: an isolated database, one app for the run, and an HTTP client.

By default the tests run on a throwaway SQLite file. Set ``TEST_DATABASE_URL`` to a
PostgreSQL URL (``postgresql+asyncpg://user@host:5432/postgres``) to run them on
PostgreSQL: a fresh database is created for the run and dropped afterwards, so the
tests never touch the database the URL names, nor a development database.
Each test runs inside a transaction that is rolled back when it ends.
"""

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from demo.core.config import Environment, Settings
from demo.core.database import create_engine, get_session, session_scope
from demo.core.logging import configure_logging
from demo.core.security import TokenService
from demo.main import create_app
from demo.shared.models import Base

from .factories import UserFactory

# Random per run: the test environment refuses weak secrets, like production.
TEST_JWT_SECRET = secrets.token_urlsafe(48)
# The Host of every in-process request (``client_for``'s base URL).
TEST_HOST = "test"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: cheap password hashing, no .env file, nothing from Redis."""
    values: dict[str, Any] = {
        "_env_file": None,
        "environment": Environment.TEST,
        "database_url": database_url,
        "jwt_secret": TEST_JWT_SECRET,
        "redis_url": None,
        "log_level": "WARNING",
        "log_json": True,
        "cors_origins": None,
        "allowed_hosts": [TEST_HOST],
        "rate_limit_login": "1000/minute",
        "rate_limit_login_account": "1000/minute",
        "rate_limit_register": "1000/minute",
        "rate_limit_password_change": "1000/minute",
        "rate_limit_refresh": "1000/minute",
        "rate_limit_public_writes": "1000/minute",
        # A field may allow 10 MiB of text; tests/test_limits.py checks the limit itself.
        "max_request_body_bytes": 16 * 1024 * 1024,
        # Cheap hashing in tests only; production keeps the defaults in Settings.
        "password_hash_time_cost": 1,
        "password_hash_memory_cost": 1024,
        "password_hash_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)


async def _create_postgres_database(server_url: str) -> str:
    url = make_url(server_url)
    name = f"{url.database or 'test'}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    admin = create_async_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database that exists only for this test run."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await _create_postgres_database(server_url)
    try:
        yield url
    finally:
        await _drop_postgres_database(server_url, url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings every test app is built with."""
    return make_settings(database_url)


@pytest.fixture(scope="session", autouse=True)
def logging_configured(settings: Settings) -> None:
    """The app's logging, set up as ``create_app`` does, for every test: a test that reads
    log lines passes when run alone, not only after a test that built an app."""
    configure_logging(level=settings.log_level, json_logs=settings.json_logs)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The test engine, with the schema created once for the run."""
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions bound to the test's transaction; their commits become savepoints."""
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for arranging data directly, inside the test's transaction."""
    async with sessionmaker() as session:
        yield session


class AppFactory(Protocol):
    """Builds an app; keyword arguments override settings."""

    def __call__(self, **overrides: Any) -> FastAPI: ...


@asynccontextmanager
async def client_for(app: FastAPI, address: str = "127.0.0.1") -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to ``app`` in-process from ``address``; server errors become
    500 responses."""
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    async with AsyncClient(transport=transport, base_url=f"http://{TEST_HOST}") as client:
        yield client


def sessions_in(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[], AsyncIterator[AsyncSession]]:
    """A ``get_session`` override whose sessions run inside the test's transaction."""

    async def test_session() -> AsyncIterator[AsyncSession]:
        async with session_scope(sessionmaker) as session:
            yield session

    return test_session


@pytest.fixture
def app_factory(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> AppFactory:
    """Build fresh apps (for other settings) whose sessions run inside the test's transaction."""

    def build(**overrides: Any) -> FastAPI:
        app_settings = Settings.model_validate(settings.model_dump() | overrides)
        app = create_app(app_settings)
        app.dependency_overrides[get_session] = sessions_in(sessionmaker)
        return app

    return build


@pytest.fixture(scope="session")
async def shared_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """One app for the whole run.

    FastAPI prepares an app's routes on its first requests, a cost that grows with every
    feature; building an app per test would make the suite grow with the square of the
    number of features. Tests that need other settings use ``app_factory``.
    """
    app = create_app(settings)
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def app(
    shared_app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[FastAPI]:
    """The application under test: its sessions run in the test's transaction, its rate
    limits start from zero, and overrides a test adds are removed after it."""
    saved = dict(shared_app.dependency_overrides)
    shared_app.dependency_overrides[get_session] = sessions_in(sessionmaker)
    await shared_app.state.rate_limiter.reset()
    try:
        yield shared_app
    finally:
        shared_app.dependency_overrides.clear()
        shared_app.dependency_overrides.update(saved)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with client_for(app) as client:
        yield client


@pytest.fixture
def users(session: AsyncSession, app: FastAPI) -> UserFactory:
    """Create users (and their tokens) directly in the test database."""
    return UserFactory(session, app.state.password_hasher, app.state.token_service)


@pytest.fixture
def token_service(app: FastAPI) -> TokenService:
    """The app's token service, to mint tokens in tests."""
    service: TokenService = app.state.token_service
    return service
