"""Migrations apply, match the models exactly, and revert, on a database of their own."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from demo.registry import load_metadata

PROJECT_ROOT = Path(__file__).resolve().parents[1]


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.exec_driver_sql(statement)
    await engine.dispose()


@pytest.fixture
def migration_url(tmp_path: Path) -> Iterator[str]:
    """An empty database, only for this test."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


async def _table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


def test_upgrade_check_downgrade_round_trip(migration_url: str) -> None:
    config = alembic_config(migration_url)
    command.upgrade(config, "head")
    tables = asyncio.run(_table_names(migration_url))
    assert set(load_metadata().tables) <= tables
    command.check(config)  # raises if the models and the migrations disagree
    command.downgrade(config, "base")
    assert asyncio.run(_table_names(migration_url)) <= {"alembic_version"}
    command.upgrade(config, "head")


def test_every_revision_reverts_step_by_step(migration_url: str) -> None:
    config = alembic_config(migration_url)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions("base", "heads"))
    command.upgrade(config, "head")
    for _ in revisions:
        command.downgrade(config, "-1")
    assert asyncio.run(_table_names(migration_url)) <= {"alembic_version"}


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(script.get_heads()) == 1, "several heads: run `alembic merge heads`"
