"""A generic async repository: get, add, update, delete, and filtered, sorted pages."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, UnaryExpression, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.errors import ValidationError
from .models import Base
from .pagination import PageParams

ModelT = TypeVar("ModelT", bound=Base)
OtherT = TypeVar("OtherT", bound=Base)


class BaseRepository(Generic[ModelT]):
    """All queries of one model. Subclasses set ``model`` and the sortable fields."""

    model: type[ModelT]
    sortable_fields: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})
    default_sort: ClassVar[str] = "-created_at"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, entity_id: uuid.UUID) -> ModelT | None:
        """The row with this primary key, or None."""
        return await self.session.get(self.model, entity_id)

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
