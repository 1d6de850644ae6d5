"""Pure-ASGI middleware: request id, access log, metrics and security headers (one layer),
size limits, the HTTPS redirect, HEAD on GET routes, CORS refusals in the error shape and
the last-resort 500.

These are plain ASGI callables rather than ``BaseHTTPMiddleware`` subclasses: they add no
task or memory-stream hop per request, and context variables set here reach the handlers.
"""

import contextlib
import ipaddress
import re
import time
import uuid
from collections.abc import Iterable, Sequence

import structlog
from starlette.datastructures import URL, Headers
from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import logging as app_logging
from .errors import error_response, internal_error_response
from .metrics import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

error_logger = structlog.get_logger("errors")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class RequestContextMiddleware:
    """Accept or create ``X-Request-ID``, bind it to every log line, add the security
    headers, log and count requests.

    One layer does the four: every ASGI layer costs a call and a ``send`` wrapper per
    request. Security headers go on every HTTP response, HSTS only when served in
    production; a header the app set itself is kept.
    """

    API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics | None = None,
        *,
        hsts: bool = False,
        docs_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            common.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        # Swagger UI and ReDoc load scripts and styles; the strict API policy would blank them.
        self.docs_paths = frozenset(docs_paths)
        self.docs_headers = tuple(common)
        self.api_headers = (*common, (b"content-security-policy", self.API_CSP.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_code = 500
        start = time.perf_counter()
        extra = self.docs_headers if scope["path"] in self.docs_paths else self.api_headers

        async def send_with_context(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != b"x-request-id"
                ]
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                headers.extend(header for header in extra if header[0] not in present)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        finally:
            duration = time.perf_counter() - start
            route = _route_template(scope)
            app_logging.access.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status_code,
                duration_ms=round(duration * 1000, 2),
            )
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status_code, duration)
            structlog.contextvars.clear_contextvars()


class UnhandledErrorMiddleware:
    """Turn any exception that escaped the handlers into the standard generic 500.

    It sits inside the other middleware, so the 500 still carries the request id and the
    security headers; the traceback goes to the log, never to the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_logger.exception("unhandled_error", method=scope["method"], path=scope["path"])
            if response_started:
                raise
            await internal_error_response()(scope, receive, send)


class _BodyTooLargeError(Exception):
    """Raised into the app when a streamed body passes the limit; never leaves the middleware."""


class RequestLimitsMiddleware:
    """Answer 431 to oversized headers and 413 to oversized bodies, before the app reads them.

    A ``Content-Length`` above the limit is refused at once; a chunked body is counted as
    it arrives and refused as soon as it passes the limit, so at most ``max_body_bytes``
    are ever held. Both answers use the standard error shape.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_header_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size = 0
        declared: bytes | None = None
        for name, value in scope.get("headers", ()):
            size += len(name) + len(value)
            if name == b"content-length" and declared is None:
                declared = value
        if size > self.max_header_bytes:
            response = error_response(
                431,
                "HEADERS_TOO_LARGE",
                "Request headers are too large",
                {"max_bytes": self.max_header_bytes},
            )
            await response(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                return  # the app's answer to a read we cut short; the 413 replaces it
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        with contextlib.suppress(_BodyTooLargeError):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded and not response_started:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "PAYLOAD_TOO_LARGE",
            "Request body is too large",
            {"max_bytes": self.max_body_bytes},
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class LoopbackOnlyMiddleware:
    """Answer 403 to every request that did not arrive on a loopback address.

    Installed in development when the JWT secret is weak (the placeholder of
    ``.env.example``): anyone who can reach such a server can sign an admin token, so it
    serves this machine only, whatever ``--host`` it was started with.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _arrived_on_loopback(scope):
            await self.app(scope, receive, send)
            return
        response = error_response(
            403,
            "LOOPBACK_ONLY",
            "This development server has a weak JWT secret and answers on 127.0.0.1 only",
        )
        await response(scope, receive, send)


def _arrived_on_loopback(scope: Scope) -> bool:
    server = scope.get("server")
    if server is None:  # a Unix socket: only this machine can connect
        return True
    try:
        return ipaddress.ip_address(str(server[0])).is_loopback
    except ValueError:
        return False


class HTTPSRedirectMiddleware:
    """Redirect plain HTTP to HTTPS with a 307 (method and body kept).

    It sits inside the Host check, so only allowed hosts are redirected to (never
    ``https://evil.example``), and the probes are exempt: container and load-balancer
    health checks call the process over plain HTTP.
    """

    def __init__(self, app: ASGIApp, *, exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["scheme"] != "http"
            or scope["path"] in self.exempt_paths
        ):
            await self.app(scope, receive, send)
            return
        url = URL(scope=scope)
        if not url.netloc:
            await error_response(400, "INVALID_HOST", "Invalid host header")(scope, receive, send)
            return
        netloc = url.hostname if url.port in (80, 443) else url.netloc
        target = url.replace(scheme="https", netloc=netloc)
        await RedirectResponse(str(target), status_code=307)(scope, receive, send)


class HeadAsGetMiddleware:
    """Answer ``HEAD`` on every ``GET`` route: the GET's status and headers, no body.

    FastAPI routes answer only the methods they declare, so ``HEAD`` was a 405. Paths that
    declare their own ``HEAD`` route (the probes) keep it. The OpenAPI schema is unchanged.
    """

    def __init__(self, app: ASGIApp, *, own_head_routes: Sequence[re.Pattern[str]] = ()) -> None:
        self.app = app
        self.own_head_routes = tuple(own_head_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or any(pattern.match(scope["path"]) for pattern in self.own_head_routes)
        ):
            await self.app(scope, receive, send)
            return
        inner = {**scope, "method": "GET"}

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, send_without_body)
        finally:
            if "route" in inner:  # for the access log and the metrics outside
                scope["route"] = inner["route"]


class CORSMiddleware(StarletteCORSMiddleware):
    """Starlette's CORS handling, with refused preflights in the standard error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        message = bytes(response.body).decode()  # "Disallowed CORS origin, method"
        return error_response(response.status_code, "CORS_REJECTED", message, headers=headers)
