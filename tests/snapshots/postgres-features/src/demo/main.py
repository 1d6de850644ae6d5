"""The application factory. Run it with ``uvicorn demo.main:create_app --factory``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .core.config import Settings, load_settings
from .core.content_types import document_json_bodies, require_json_content_type
from .core.database import create_engine, create_sessionmaker
from .core.errors import register_error_handlers, responses
from .core.hosts import TrustedHostMiddleware
from .core.logging import configure_logging
from .core.metrics import Metrics
from .core.middleware import (
    CORSMiddleware,
    HeadAsGetMiddleware,
    HTTPSRedirectMiddleware,
    LoopbackOnlyMiddleware,
    RequestContextMiddleware,
    RequestLimitsMiddleware,
    UnhandledErrorMiddleware,
)
from .core.rate_limit import RateLimiter
from .core.security import PasswordHasher, TokenService
from .features.health.router import PROBE_PATHS
from .features.health.router import router as health_router
from .registry import API_ROUTERS

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OPENAPI_URL = "/openapi.json"

logger = structlog.get_logger(__name__)


def _operation_id(route: APIRoute) -> str:
    """Stable, readable operation ids (``users-read_me``) for generated API clients."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logger.info("startup", environment=settings.environment.value, app=settings.app_name)
    try:
        yield
    finally:
        await app.state.engine.dispose()
        logger.info("shutdown")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application. Settings come from the environment unless given."""
    settings = settings if settings is not None else load_settings()
    configure_logging(level=settings.log_level, json_logs=settings.json_logs)

    app = FastAPI(
        title=settings.app_name,
        description="A service rendered for the snapshot tests.",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url=DOCS_URL if settings.docs_enabled else None,
        redoc_url=REDOC_URL if settings.docs_enabled else None,
        openapi_url=OPENAPI_URL if settings.docs_enabled else None,
        generate_unique_id_function=_operation_id,
        # Every operation can meet a body that is not JSON or a Host that is not allowed.
        responses=responses(400),
        # A body sent as anything but JSON is a 415 (document_json_bodies declares it).
        dependencies=[Depends(require_json_content_type)],
    )
    engine = create_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.password_hasher = PasswordHasher(settings)
    app.state.token_service = TokenService(settings)
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    app.state.rate_limiter = RateLimiter(redis_url)
    app.state.metrics = Metrics()

    register_error_handlers(app)
    app.include_router(health_router)
    for router in API_ROUTERS:
        app.include_router(router)
    app.state.route_methods = [
        (route.path_regex, set(route.methods or ()))
        for router in (health_router, *API_ROUTERS)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    document_json_bodies([route for router in API_ROUTERS for route in router.routes])

    # Added innermost first: the last one added sees the request first.
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_request_body_bytes,
        max_header_bytes=settings.max_request_header_bytes,
    )
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        HeadAsGetMiddleware,
        own_head_routes=[
            pattern for pattern, methods in app.state.route_methods if "HEAD" in methods
        ],
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.effective_cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    if settings.weak_jwt_secret:  # only possible in development (see Settings)
        logger.warning("weak_jwt_secret", serving="loopback only")
        app.add_middleware(LoopbackOnlyMiddleware)
    if settings.force_https:
        # Inside the Host check: only allowed hosts are redirected to; probes stay on HTTP.
        app.add_middleware(HTTPSRedirectMiddleware, exempt_paths=PROBE_PATHS)
    app.add_middleware(
        TrustedHostMiddleware,
        allowed_hosts=settings.effective_allowed_hosts,
        probe_paths=PROBE_PATHS,
    )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics if settings.metrics_enabled else None,
        hsts=settings.hsts_enabled,
        docs_paths=(DOCS_URL, REDOC_URL),
    )
    if settings.trusted_proxies:
        # Outermost: everything inside (logs, rate limits, HTTPS redirect) sees the client
        # address and scheme the trusted proxies forwarded; anyone else's headers are ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
