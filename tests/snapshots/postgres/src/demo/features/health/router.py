"""Liveness (``/health``), readiness (``/ready``) and Prometheus metrics (``/metrics``)."""

from typing import Literal

import structlog
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ...core.database import ping
from ...core.errors import AppError, responses
from ...core.metrics import CONTENT_TYPE_LATEST, Metrics

router = APIRouter(tags=["health"])
logger = structlog.get_logger(__name__)

READINESS_TIMEOUT_SECONDS = 3.0


class HealthStatus(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class ReadinessStatus(BaseModel):
    """Every dependency the service needs answered."""

    status: Literal["ok"] = "ok"
    checks: dict[str, Literal["ok"]]


class NotReadyError(AppError):
    """A dependency of the service is unavailable."""

    status_code = 503
    code = "NOT_READY"

    def __init__(self, checks: dict[str, str]) -> None:
        super().__init__("Service is not ready", details={"checks": checks})


@router.get("/health", summary="Liveness probe")
async def health() -> HealthStatus:
    """Answers as long as the process serves requests; checks nothing else."""
    return HealthStatus()


@router.get("/ready", summary="Readiness probe", responses=responses(503))
async def ready(request: Request) -> ReadinessStatus:
    """Answers 200 when the database accepts queries, 503 otherwise."""
    try:
        await ping(request.app.state.engine, READINESS_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("readiness_check_failed", check="database", error=type(exc).__name__)
        raise NotReadyError({"database": "unavailable"}) from None
    return ReadinessStatus(checks={"database": "ok"})


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Metrics"}},
)
async def metrics(request: Request) -> Response:
    """Request counts and latencies in the Prometheus text format."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
