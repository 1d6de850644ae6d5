"""A generic async repository: get, add, update, delete, and filtered, sorted pages.

Reads that answer a request on their own (one row by id, a page) return the columns the
API shows as plain dicts (``read``, ``read_page``, ``read_filtered_page``), without
loading ORM objects; writes load and change ORM objects in the request's session.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    UnaryExpression,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database import fetch_mappings
from ..core.errors import ValidationError
from .models import Base
from .pagination import PageParams

ModelT = TypeVar("ModelT", bound=Base)
OtherT = TypeVar("OtherT", bound=Base)
# Prepared read statements kept per repository (one per sort order asked for): past this
# many distinct orders, further ones are built for their request only.
STATEMENTS_KEPT = 64


class BaseRepository(Generic[ModelT]):
    """All queries of one model. Subclasses set ``model`` and the sortable fields."""

    model: type[ModelT]
    sortable_fields: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})
    default_sort: ClassVar[str] = "-created_at"
    # The columns ``read`` and the pages return: those of the API's read schema.
    read_fields: ClassVar[tuple[str, ...]] = ()
    _statements: ClassVar[dict[tuple[Any, ...], Select[Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._statements = {}

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, entity_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
    ) -> ModelT | None:
        """The row with this primary key (and this owner, when given), or None."""
        if owner_id is None:
            return await self.session.get(self.model, entity_id)
        table = self.model.__table__
        owned = select(self.model).where(table.c.id == entity_id, table.c.owner_id == owner_id)
        return await self.session.scalar(owned)

    async def read(
        self, entity_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
    ) -> dict[str, Any] | None:
        """The read columns of the row with this id (and this owner, when given), or None.

        Ownership is part of the query: someone else's row is never fetched.
        """
        owned = owner_id is not None
        statement = self._statement(("read", owned), lambda: self._read_by_id(owned=owned))
        rows = await fetch_mappings(
            self.session, statement, {"id": entity_id, "owner_id": owner_id}
        )
        return rows[0] if rows else None

    async def read_page(
        self, params: PageParams, *, sort: str | None = None, owner_id: uuid.UUID | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of read columns (of this owner's rows, when given) and the total count."""
        owned = owner_id is not None
        order = sort or self.default_sort
        count = self._statement(("count", owned), lambda: self._count(owned=owned))
        page = self._statement(("page", owned, order), lambda: self._page(order, owned=owned))
        values = {"owner_id": owner_id, "limit": params.page_size, "offset": params.offset}
        total = (await fetch_mappings(self.session, count, values))[0]["total"]
        return await fetch_mappings(self.session, page, values), int(total)

    async def read_filtered_page(
        self,
        params: PageParams,
        *,
        filters: Sequence[ColumnElement[bool]],
        sort: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of read columns of the rows matching ``filters``, and the total count."""
        total = await self.session.scalar(
            select(func.count()).select_from(self.model).where(*filters)
        )
        statement = (
            self._read_columns()
            .where(*filters)
            .order_by(*self._order_by(sort or self.default_sort))
            .offset(params.offset)
            .limit(params.page_size)
        )
        result = await self.session.execute(statement)
        return [dict(row) for row in result.mappings()], total or 0

    async def get_related(self, model: type[OtherT], entity_id: uuid.UUID) -> OtherT | None:
        """A row of another model by primary key (to check a reference), or None."""
        return await self.session.get(model, entity_id)

    async def add(self, entity: ModelT) -> ModelT:
        """Insert a new row; constraint violations surface here, not at commit."""
        self.session.add(entity)
        await self.session.flush()
        return entity

    async def update(self, entity: ModelT, values: Mapping[str, Any]) -> ModelT:
        """Set the given attributes and flush."""
        for name, value in values.items():
            setattr(entity, name, value)
        await self.session.flush()
        return entity

    async def delete(self, entity: ModelT) -> None:
        """Delete a row and flush."""
        await self.session.delete(entity)
        await self.session.flush()

    async def find_duplicates(
        self,
        values: Mapping[str, Any],
        *,
        exclude_id: uuid.UUID | None = None,
        within: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """The names in ``values`` whose value another row already holds.

        ``within`` narrows the search to rows with these column values (an owner's rows,
        when uniqueness is per owner).
        """
        duplicates: list[str] = []
        table = self.model.__table__
        scope = [table.c[name] == value for name, value in (within or {}).items()]
        for name, value in values.items():
            if value is None:
                continue
            criteria = [*scope, table.c[name] == value]
            if exclude_id is not None:
                criteria.append(table.c.id != exclude_id)
            if await self.session.scalar(select(exists().where(*criteria))):
                duplicates.append(name)
        return duplicates

    async def page(
        self,
        params: PageParams,
        *,
        filters: Sequence[ColumnElement[bool]] = (),
        sort: str | None = None,
    ) -> tuple[list[ModelT], int]:
        """One page of rows matching ``filters``, ordered by ``sort``, and the total count."""
        order_by = self._order_by(sort or self.default_sort)
        statement = select(self.model).where(*filters)
        total = await self.session.scalar(
            select(func.count()).select_from(self.model).where(*filters)
        )
        rows = await self.session.scalars(
            statement.order_by(*order_by).offset(params.offset).limit(params.page_size)
        )
        return list(rows.all()), total or 0

    def _statement(self, key: tuple[Any, ...], build: Callable[[], Select[Any]]) -> Select[Any]:
        statement = self._statements.get(key)
        if statement is None:
            statement = build()
            if len(self._statements) < STATEMENTS_KEPT:
                self._statements[key] = statement
        return statement

    def _read_columns(self) -> Select[Any]:
        table = self.model.__table__
        return select(*(table.c[name] for name in self.read_fields))

    def _owner_criteria(self, *, owned: bool) -> list[ColumnElement[bool]]:
        return [self.model.__table__.c.owner_id == bindparam("owner_id")] if owned else []

    def _read_by_id(self, *, owned: bool) -> Select[Any]:
        table = self.model.__table__
        return self._read_columns().where(
            table.c.id == bindparam("id"), *self._owner_criteria(owned=owned)
        )

    def _count(self, *, owned: bool) -> Select[Any]:
        return (
            select(func.count().label("total"))
            .select_from(self.model)
            .where(*self._owner_criteria(owned=owned))
        )

    def _page(self, sort: str, *, owned: bool) -> Select[Any]:
        return (
            self._read_columns()
            .where(*self._owner_criteria(owned=owned))
            .order_by(*self._order_by(sort))
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
        )

    def _order_by(self, sort: str) -> list[UnaryExpression[Any]]:
        clauses: list[UnaryExpression[Any]] = []
        seen: set[str] = set()
        for raw in sort.split(","):
            descending = raw.startswith("-")
            name = raw.removeprefix("-")
            if name in seen:
                raise ValidationError(
                    f"'{name}' appears more than once in sort",
                    errors=[{"loc": ["query", "sort"], "msg": f"give '{name}' once"}],
                )
            if name not in self.sortable_fields:
                allowed = ", ".join(sorted(self.sortable_fields))
                raise ValidationError(
                    f"Cannot sort by '{name}'",
                    errors=[{"loc": ["query", "sort"], "msg": f"sortable fields: {allowed}"}],
                )
            seen.add(name)
            column = getattr(self.model, name)
            clauses.append(column.desc() if descending else column.asc())
        # A unique tie-breaker keeps pages stable when sort keys repeat.
        clauses.append(self.model.__table__.c.id.asc())
        return clauses
