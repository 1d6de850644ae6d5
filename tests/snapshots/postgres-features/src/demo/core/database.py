"""The async engine, the session factory, the per-request session dependency, and the
driver-level read path the repositories use for their hot reads on PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Select, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection, StaticPool
from sqlalchemy.sql.compiler import SQLCompiler

from .config import DatabaseSettings
from .errors import AppError

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """Create the engine: a tuned pool for PostgreSQL, foreign keys enforced on SQLite.

    PostgreSQL connections are not pinged on checkout (``pool_pre_ping`` costs a round
    trip, about a third of a read). Dropped connections are handled as SQLAlchemy's
    "optimistic" disconnect handling documents instead: a connection the server closed
    while it sat in the pool is known closed without a round trip and replaced on
    checkout (``_replace_closed``); one lost during a statement is invalidated with every
    older connection of the pool, and the reads of :func:`fetch_mappings` retry once on a
    fresh one. ``pool_recycle`` retires connections before idle timeouts of proxies and
    firewalls cut them. The pool is sized to the concurrency it serves (``db_pool_size``,
    no overflow by default): overflow connections are closed as soon as they are returned,
    so a pool smaller than the load opens a new connection for many requests.
    """
    url = settings.database_url.get_secret_value()
    if settings.is_sqlite:
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if ":memory:" in url or url.endswith("://"):
            options["poolclass"] = StaticPool
        engine = create_async_engine(url, echo=settings.db_echo, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
    )
    event.listen(engine.sync_engine, "checkout", _replace_closed)
    return engine


def _replace_closed(_dbapi_connection: Any, _record: Any, proxy: Any) -> None:
    # asyncpg notices at once when the server closes a connection (a restart, a failover,
    # pg_terminate_backend): raising DisconnectionError makes the pool discard it and
    # check out another (SQLAlchemy's documented "checkout" event contract).
    if proxy.driver_connection.is_closed():
        raise DisconnectionError


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
            if session.in_transaction():  # a request that only read began none: no commit
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


async def fetch_mappings(
    session: AsyncSession, statement: Select[Any], params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Run a read-only ``statement`` (bound parameters named in ``params``); its rows as dicts.

    On PostgreSQL the statement is compiled once and sent through the asyncpg connection
    itself, outside the session and with no transaction: one round trip and a fraction of
    the CPU of the ORM. A connection lost on the way is invalidated and the read retried
    once on a fresh one (reads are safe to repeat). It does not see the session's own
    unflushed or uncommitted writes: it is for requests that only read. A session bound to
    a connection (the tests' rolled-back transaction) reads on that connection. Elsewhere
    (SQLite) the statement runs in the session, like every other query.
    """
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        result = await session.execute(statement, dict(params))
        return [dict(row) for row in result.mappings()]
    compiled = _compiled(statement, bind.dialect)
    args = [params[name] for name in compiled.positiontup or ()]
    if isinstance(bind, AsyncConnection):
        driver = _driver(await bind.get_raw_connection())
        records = await driver.fetch(compiled.string, *args)
        return [dict(record) for record in records]
    for attempt in (1, 2):
        async with bind.connect() as connection:
            driver = _driver(await connection.get_raw_connection())
            try:
                records = await driver.fetch(compiled.string, *args)
            except Exception as exc:
                if attempt == 2 or not _connection_lost(exc, driver):
                    raise
                await connection.invalidate()
                continue
            return [dict(record) for record in records]
    raise AssertionError("unreachable")  # pragma: no cover


def _connection_lost(exc: Exception, driver: Any) -> bool:
    """Whether ``exc`` says the connection is gone (not that the statement failed).

    SQLSTATE class 08 is a connection exception; 57P01 to 57P03 are the server shutting
    the session down (pg_terminate_backend, a restart, a failover).
    """
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    return (
        driver.is_closed()
        or isinstance(exc, OSError)
        or sqlstate.startswith(("08", "57P01", "57P02", "57P03"))
    )


def _driver(raw: PoolProxiedConnection) -> Any:
    """The asyncpg connection under SQLAlchemy's adapter."""
    if raw.driver_connection is None:
        raise RuntimeError("the connection was closed")
    return raw.driver_connection


_COMPILED: dict[tuple[int, int], tuple[Select[Any], SQLCompiler]] = {}
COMPILED_KEPT = 1024


def _compiled(statement: Select[Any], dialect: Dialect) -> SQLCompiler:
    # The repositories build each statement once and keep it: compiled once each.
    key = (id(statement), id(dialect))
    cached = _COMPILED.get(key)
    if cached is None or cached[0] is not statement:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {statement}")
        cached = (statement, compiled)
        if len(_COMPILED) >= COMPILED_KEPT:
            _COMPILED.clear()
        _COMPILED[key] = cached
    return cached[1]
