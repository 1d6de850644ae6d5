"""Liveness (``/health``), readiness (``/ready``) and Prometheus metrics (``/metrics``).

``/health`` and ``/ready`` answer ``HEAD`` too (load balancers probe with it) and any
``Host`` (see ``core.hosts``). ``/metrics`` is left out of the OpenAPI schema: it answers
a bearer ``METRICS_TOKEN`` when one is set, and without one only in development and test.
"""

import hmac
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ...core.config import Settings
from ...core.database import ping
from ...core.errors import AppError, AuthenticationError, responses
from ...core.metrics import CONTENT_TYPE_LATEST, Metrics
from ...core.rate_limit import RateLimiter

router = APIRouter(tags=["health"])
PROBE_PATHS = ("/health", "/ready")
logger = structlog.get_logger(__name__)

READINESS_TIMEOUT_SECONDS = 3.0


class HealthStatus(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class ReadinessStatus(BaseModel):
    """Every dependency the service needs answered.

    ``degraded``: the service works, with less protection (rate limits not enforced).
    """

    status: Literal["ok", "degraded"] = "ok"
    checks: dict[str, Literal["ok", "degraded"]]


class NotReadyError(AppError):
    """A dependency of the service is unavailable."""

    status_code = 503
    code = "NOT_READY"

    def __init__(self, checks: dict[str, str]) -> None:
        super().__init__("Service is not ready", details={"checks": checks})


@router.get("/health", summary="Liveness probe")
@router.head("/health", include_in_schema=False)
async def health() -> HealthStatus:
    """Answers as long as the process serves requests; checks nothing else."""
    return HealthStatus()


@router.get("/ready", summary="Readiness probe", responses=responses(503))
@router.head("/ready", include_in_schema=False)
async def ready(request: Request) -> ReadinessStatus:
    """Answers 200 when the database accepts queries, 503 otherwise.

    With ``REDIS_URL`` set, Redis is checked too: unreachable, it is reported as
    ``"rate_limit": "degraded"`` with a 200, since rate limits fail open and taking every
    replica out of rotation over it would turn a Redis outage into a full one.
    """
    try:
        await ping(request.app.state.engine, READINESS_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("readiness_check_failed", check="database", error=type(exc).__name__)
        raise NotReadyError({"database": "unavailable"}) from None
    checks: dict[str, Literal["ok", "degraded"]] = {"database": "ok"}
    limiter: RateLimiter = request.app.state.rate_limiter
    if limiter.shared:
        available = await limiter.available(READINESS_TIMEOUT_SECONDS)
        checks["rate_limit"] = "ok" if available else "degraded"
    status: Literal["ok", "degraded"] = "ok" if "degraded" not in checks.values() else "degraded"
    return ReadinessStatus(status=status, checks=checks)


@router.get("/metrics", include_in_schema=False)
async def metrics(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Request counts and latencies in the Prometheus text format."""
    settings: Settings = request.app.state.settings
    if not settings.metrics_enabled:
        raise HTTPException(404)
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        if not hmac.compare_digest((authorization or "").encode(), expected):
            raise AuthenticationError("A valid metrics token is required")
    elif not settings.metrics_public:
        raise HTTPException(404)
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
