"""The async engine, the session factory and the per-request session dependency."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from .config import DatabaseSettings
from .errors import AppError

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """Create the engine: a tuned pool for PostgreSQL, foreign keys enforced on SQLite."""
    url = settings.database_url.get_secret_value()
    if settings.is_sqlite:
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if ":memory:" in url or url.endswith("://"):
            options["poolclass"] = StaticPool
        engine = create_async_engine(url, echo=settings.db_echo, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    return create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=True,
    )


def _sqlite_on_connect(dbapi_connection: Any, _: Any) -> None:
    # The sqlite3 driver's own transaction handling breaks SAVEPOINTs and transactional
    # DDL; SQLAlchemy emits BEGIN itself instead (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Readers never wait for a writer, and a busy writer is waited for, not failed.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: two deferred transactions that both
    # upgrade to writing deadlock, and SQLite fails one at once ("database is locked")
    # instead of waiting out the busy timeout. Read-only work can ask for DEFERRED.
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no lazy reload in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A unit of work: commit on success, roll back on error.

    An ``AppError`` with ``persist_changes`` set is the one exception: the writes made
    before it are committed (revoking a stolen token family, then answering 401).
    """
    async with sessionmaker() as session:
        try:
            yield session
        except AppError as exc:
            if exc.persist_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, in a ``session_scope``. Services never commit.

    The dependency runs with ``scope="function"`` so the commit happens before the
    response is sent: a failed commit becomes an error response instead of a lost
    write behind a 2xx.
    """
    async with session_scope(request.app.state.sessionmaker) as session:
        yield session


async def ping(engine: AsyncEngine, limit_seconds: float) -> None:
    """Run ``SELECT 1``; raise if the database does not answer within ``limit_seconds``."""
    async with asyncio.timeout(limit_seconds), engine.connect() as connection:
        # A read: on SQLite it must not queue behind writers for the write lock.
        await connection.execution_options(sqlite_begin="DEFERRED")
        await connection.execute(text("SELECT 1"))


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
