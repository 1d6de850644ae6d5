"""How the API enqueues jobs: ``JobQueueDep``, injected like the session.

Tests get a queue on the in-memory broker, which runs each job at once in the test's
transaction; the app gets the broker of ``BROKER_URL``.
"""

import asyncio
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from taskiq import AsyncBroker

from ..core.errors import AppError
from .broker import ping_broker
from .job import ArgsT, Job

logger = structlog.get_logger(__name__)

ENQUEUE_TIMEOUT_SECONDS = 5.0


class JobQueueUnavailableError(AppError):
    """The broker did not take the job."""

    status_code = 503
    code = "JOB_QUEUE_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__("The job queue is unavailable; try again later")


class JobQueue:
    """Sends jobs to the broker, with the current request's id."""

    def __init__(self, broker: AsyncBroker) -> None:
        self.broker = broker

    async def startup(self) -> None:
        """Connect to the broker (the API's lifespan calls it)."""
        await self.broker.startup()

    async def shutdown(self) -> None:
        """Close the broker's connections."""
        await self.broker.shutdown()

    async def enqueue(self, job: Job[ArgsT], args: ArgsT) -> str:
        """Send ``job`` with ``args``; return its job id (in the worker's log lines).

        Raises ``JobQueueUnavailableError`` (503) when the broker does not take it in
        ``ENQUEUE_TIMEOUT_SECONDS``.
        """
        task = self.broker.find_task(job.name)
        if task is None:
            msg = f"job {job.name!r} is not registered (see jobs/registry.py)"
            raise LookupError(msg)
        labels: dict[str, Any] = {}
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            labels["request_id"] = request_id
        try:
            async with asyncio.timeout(ENQUEUE_TIMEOUT_SECONDS):
                kicker = task.kicker().with_labels(**labels)
                sent = await kicker.kiq(payload=args.model_dump(mode="json"))
        except Exception as exc:
            logger.warning("enqueue_failed", job=job.name, error=type(exc).__name__)
            raise JobQueueUnavailableError from None
        logger.info("job_enqueued", job=job.name, job_id=sent.task_id)
        return sent.task_id

    async def available(self, limit_seconds: float) -> bool:
        """Whether the broker answers within ``limit_seconds``."""
        try:
            async with asyncio.timeout(limit_seconds):
                await ping_broker(self.broker)
        except Exception as exc:
            logger.warning("readiness_check_failed", check="broker", error=type(exc).__name__)
            return False
        return True


def get_job_queue(request: Request) -> JobQueue:
    """The app's job queue."""
    queue: JobQueue = request.app.state.job_queue
    return queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
