"""Page-number pagination and sorting parameters, and the ``Page[T]`` response."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

ItemT = TypeVar("ItemT")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Bounds the OFFSET (MAX_PAGE * MAX_PAGE_SIZE) far below any database integer limit.
MAX_PAGE = 100_000
SORT_PATTERN = r"^-?[a-z_][a-z0-9_]*(,-?[a-z_][a-z0-9_]*)*$"


@dataclass(frozen=True, slots=True)
class PageParams:
    """A validated page request."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.page_size


# ``async def``: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop
# per request for work that never blocks.
async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}.")
    ] = DEFAULT_PAGE_SIZE,
) -> PageParams:
    """Read ``page`` and ``page_size`` from the query string; out-of-range values are 422."""
    return PageParams(page=page, page_size=page_size)


async def sort_param(
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=SORT_PATTERN,
            description="Comma-separated fields; prefix with '-' for descending, e.g. -created_at.",
        ),
    ] = None,
) -> str | None:
    """Read the ``sort`` query parameter; the repository checks the field names."""
    return sort


PageDep = Annotated[PageParams, Depends(page_params)]
SortDep = Annotated[str | None, Depends(sort_param)]


class Page(BaseModel, Generic[ItemT]):
    """One page of results."""

    items: list[ItemT]
    total: int = Field(ge=0, description="Items matching the query, on all pages.")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=MAX_PAGE_SIZE)
    has_next: bool

    @classmethod
    def of(cls, items: Sequence[ItemT], total: int, params: PageParams) -> "Page[ItemT]":
        """Build a page from the rows of ``params`` and the total count."""
        return cls(
            items=list(items),
            total=total,
            page=params.page,
            page_size=params.page_size,
            has_next=params.offset + len(items) < total,
        )
