"""The unit of work around each request: what a failed commit leaves behind."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from demo.core import database
from demo.core.config import Settings

METADATA = MetaData()
PARENTS = Table("session_scope_parents", METADATA, Column("id", Integer, primary_key=True))
# Checked at commit, like the links of a many-to-many: the commit itself is refused.
CHILDREN = Table(
    "session_scope_children",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column(
        "parent_id",
        ForeignKey("session_scope_parents.id", deferrable=True, initially="DEFERRED"),
    ),
)


async def test_a_refused_commit_leaves_the_connection_usable(settings: Settings) -> None:
    # A new engine used one unit of work at a time holds one connection: the second unit
    # of work runs on the connection whose commit failed.
    engine = database.create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    sessionmaker = database.create_sessionmaker(engine)
    try:
        with pytest.raises(IntegrityError):
            async with database.session_scope(sessionmaker) as session:
                await session.execute(insert(CHILDREN).values(id=1, parent_id=1))
        async with database.session_scope(sessionmaker) as session:
            await session.execute(insert(PARENTS).values(id=1))
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(PARENTS)) == 1
            assert await connection.scalar(select(func.count()).select_from(CHILDREN)) == 0
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(METADATA.drop_all)
        await engine.dispose()
