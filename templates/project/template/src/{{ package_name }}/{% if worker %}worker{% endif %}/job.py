"""What a job is: a name, a typed argument model, a function, and an optional schedule."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.config import Settings


class JobArgs(BaseModel):
    """Base of every job's arguments: validated when enqueued and again when run."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(JobArgs):
    """The arguments of a job that takes none."""


ArgsT = TypeVar("ArgsT", bound=JobArgs)


@dataclass(frozen=True)
class JobContext:
    """What a running job gets besides its arguments."""

    session: AsyncSession
    """The job's own session: committed when the job returns, rolled back if it raises."""
    settings: Settings
    job_id: str
    attempt: int
    """1 on the first run, 2 on the first retry..."""


@dataclass(frozen=True)
class Job(Generic[ArgsT]):
    """A background job. ``name`` is what the broker carries: keep it stable."""

    name: str
    args: type[ArgsT]
    run: Callable[[ArgsT, JobContext], Awaitable[None]]
    cron: str | None = None
    """When the scheduler enqueues it (``minute hour day month weekday``, UTC);
    ``JOB_SCHEDULES`` overrides it per job."""
    description: str = ""
