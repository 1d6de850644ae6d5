"""``POST /api/v1/jobs/{name}``: an admin runs a job now (a purge, a report...)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ..core.config import API_PREFIX
from ..core.errors import NotFoundError, ValidationError, responses
from ..features.auth.dependencies import AdminUser
from ..jobs.registry import JOBS
from .queue import JobQueueDep

router = APIRouter(prefix=f"{API_PREFIX}/jobs", tags=["jobs"])
JOBS_BY_NAME = {job.name: job for job in JOBS}


class JobEnqueued(BaseModel):
    """A job the queue accepted."""

    job: str
    job_id: str


@router.post(
    "/{name}",
    status_code=202,
    summary="Run a job now",
    responses=responses(401, 403, 404, 422, 503),
)
async def run_job(
    name: str,
    _: AdminUser,
    queue: JobQueueDep,
    arguments: Annotated[dict[str, Any], Body(examples=[{}])],
) -> JobEnqueued:
    """Enqueue the job ``name`` with ``arguments`` (its argument model, as JSON); admins only."""
    job = JOBS_BY_NAME.get(name)
    if job is None:
        raise NotFoundError("Job", name)
    try:
        args = job.args.model_validate(arguments)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError("Invalid job arguments", errors=[dict(e) for e in errors]) from None
    return JobEnqueued(job=name, job_id=await queue.enqueue(job, args))
