"""The minimum same-work app ``bench load`` holds the generated service against.

Small on purpose: FastAPI, asyncpg and PyJWT, nothing else. It answers the same three
requests as the generated feature, from the same table, for the same bearer tokens:

* ``GET /items/{id}``: verify the token (PyJWT, HS256, issuer, expiry), then one
  ``SELECT`` by id *and* owner (an admin's token reads any row);
* ``GET /items?page=&page_size=``: the caller's rows, newest first, 20 per page, with the
  total count (two statements, like any page-number API);
* ``POST /items``: validate the body (Pydantic), then one ``INSERT ... RETURNING`` that
  stores the row only if the caller's account exists and is active.

What it leaves out is what the generated service adds for production: request ids, the
access log, metrics, security headers, body limits, the error shape, rate limits, the token
memory, migrations. The ratio of the two apps' CPU per request is the price of those.

It is started by ``bench load`` with the generated project's own interpreter (so both run
the same FastAPI, Pydantic and uvicorn) and configured from the environment:
``MINIMAL_DATABASE_URL`` (a ``postgresql://`` URL), ``MINIMAL_JWT_SECRET``,
``MINIMAL_JWT_ISSUER`` and ``MINIMAL_TABLE`` (the feature's table). It never imports
forge or the generated package.
"""

# The table name is checked against _IDENTIFIER before it is put into the SQL text.
# ruff: noqa: S608

import datetime as dt
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import asyncpg
import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
POOL_SIZE = 10  # beside the generated app's pool, on a PostgreSQL shared with other work


class Status(StrEnum):
    NEW = "new"
    PAID = "paid"
    SHIPPED = "shipped"


class ItemIn(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    total: Decimal = Field(max_digits=10, decimal_places=2)
    placed_at: dt.datetime | None = None
    status: Status


class ItemOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    title: str
    total: Decimal
    placed_at: dt.datetime | None
    status: Status


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    page: int
    page_size: int
    has_next: bool


class Caller(BaseModel):
    id: uuid.UUID
    admin: bool


def create_app() -> FastAPI:
    """The app, configured from ``MINIMAL_*`` variables."""
    dsn = os.environ["MINIMAL_DATABASE_URL"]
    secret = os.environ["MINIMAL_JWT_SECRET"]
    issuer = os.environ["MINIMAL_JWT_ISSUER"]
    table = os.environ["MINIMAL_TABLE"]
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name: {table!r}")
    columns = "id, owner_id, created_at, updated_at, title, total, placed_at, status"
    by_id = f"SELECT {columns} FROM {table} WHERE id = $1 AND owner_id = $2"
    by_id_admin = f"SELECT {columns} FROM {table} WHERE id = $1"
    count = f"SELECT count(*) FROM {table} WHERE owner_id = $1"
    page = (
        f"SELECT {columns} FROM {table} WHERE owner_id = $1 "
        "ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
    )
    insert = (
        f"INSERT INTO {table} (id, owner_id, created_at, updated_at, title, total, placed_at, "
        "status) SELECT $1, $2, $3, $3, $4, $5, $6, $7 "
        "WHERE EXISTS (SELECT 1 FROM users WHERE id = $2 AND is_active) "
        f"RETURNING {columns}"
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    async def caller(request: Request) -> Caller:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "Not authenticated")
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=issuer,
                options={"require": ["exp", "sub", "type", "role"]},
            )
        except jwt.PyJWTError:
            raise HTTPException(401, "Invalid token") from None
        if claims["type"] != "access":
            raise HTTPException(401, "Invalid token")
        return Caller(id=uuid.UUID(claims["sub"]), admin=claims["role"] == "admin")

    CallerOf = Annotated[Caller, Depends(caller)]  # noqa: N806 (a type alias)

    def item(row: Any) -> ItemOut:
        return ItemOut.model_validate(dict(row))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/items/{item_id}")
    async def read(item_id: uuid.UUID, who: CallerOf, request: Request) -> ItemOut:
        pool = request.app.state.pool
        if who.admin:
            row = await pool.fetchrow(by_id_admin, item_id)
        else:
            row = await pool.fetchrow(by_id, item_id, who.id)
        if row is None:
            raise HTTPException(404, "Not found")
        return item(row)

    @app.get("/items")
    async def read_page(
        who: CallerOf,
        request: Request,
        page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> ItemPage:
        offset = (page_number - 1) * page_size
        async with request.app.state.pool.acquire() as connection:
            total = await connection.fetchval(count, who.id)
            rows = await connection.fetch(page, who.id, page_size, offset)
        items = [item(row) for row in rows]
        return ItemPage(
            items=items,
            total=total,
            page=page_number,
            page_size=page_size,
            has_next=offset + len(items) < total,
        )

    @app.post("/items", status_code=201)
    async def create(body: ItemIn, who: CallerOf, request: Request) -> ItemOut:
        now = dt.datetime.now(dt.UTC)
        row = await request.app.state.pool.fetchrow(
            insert,
            uuid.uuid4(),
            who.id,
            now,
            body.title,
            body.total,
            body.placed_at,
            body.status.value,
        )
        if row is None:
            raise HTTPException(401, "Account unavailable")
        return item(row)

    return app
