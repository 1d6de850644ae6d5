"""The error hierarchy and the handlers that render every error as one JSON shape.

Every error body the service sends is ``{"error": {"code", "message", "details"}}``:
application errors, request validation errors, Starlette/FastAPI HTTP errors (404 on
unknown routes, 405, ...) and unhandled exceptions (a generic 500 whose traceback is
logged with the request id, never sent).
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = structlog.get_logger(__name__)

# A 422 lists at most this many errors, then counts the rest in ``omitted_errors``.
MAX_REPORTED_ERRORS = 20


class AppError(Exception):
    """Base of every error the service raises on purpose."""

    status_code: int = HTTPStatus.INTERNAL_SERVER_ERROR
    code: str = "INTERNAL_ERROR"
    # Commit the request's writes even though this error ends it (see session_scope).
    persist_changes: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.details: dict[str, Any] = details or {}
        self.headers: dict[str, str] = headers or {}


class NotFoundError(AppError):
    """The resource does not exist, or the caller may not know that it does."""

    status_code = HTTPStatus.NOT_FOUND
    code = "NOT_FOUND"

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(
            f"{resource} not found",
            details={"resource": resource, "id": str(identifier)},
        )


class ConflictError(AppError):
    """The request conflicts with the current state (duplicate key, stale reference)."""

    status_code = HTTPStatus.CONFLICT
    code = "CONFLICT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, details={"field": field} if field else None)


class AuthenticationError(AppError):
    """Missing, invalid or expired credentials."""

    status_code = HTTPStatus.UNAUTHORIZED
    code = "UNAUTHORIZED"

    def __init__(self, message: str = "Could not validate credentials") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class AuthorizationError(AppError):
    """Authenticated, but not allowed to do this."""

    status_code = HTTPStatus.FORBIDDEN
    code = "FORBIDDEN"

    def __init__(self, message: str = "Insufficient permissions") -> None:
        super().__init__(message)


class ValidationError(AppError):
    """Input that passed schema validation but breaks a business rule."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, details={"errors": errors or []})


class RateLimitError(AppError):
    """Too many requests; ``Retry-After`` says when to come back."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Rate limit exceeded",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class ErrorBody(BaseModel):
    """The inner object of every error response."""

    code: str = Field(examples=["NOT_FOUND"])
    message: str = Field(examples=["Resource not found"])
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build a response in the standard error shape."""
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(status_code=int(status_code), content=body, headers=headers)


def internal_error_response() -> JSONResponse:
    """The generic 500: nothing about the failure is sent to the client."""
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Internal server error"
    )


def responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring the standard error body for each status."""
    return {
        code: {"model": ErrorResponse, "description": HTTPStatus(code).phrase}
        for code in status_codes
    }


_HTTP_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route of ``app`` accepts for ``path``."""
    methods: set[str] = set()
    for pattern, route_methods in app.state.route_methods:
        if pattern.match(path):
            methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")  # see HeadAsGetMiddleware
    return sorted(methods)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers that give every error the standard shape."""

    @app.exception_handler(AppError)
    async def handle_app_error(_: Request, exc: AppError) -> JSONResponse:
        if exc.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.error("app_error", code=exc.code, error_message=exc.message)
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def handle_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # The offending input is never echoed back: it may hold a password or a token.
        # At most MAX_REPORTED_ERRORS are listed: a body of 100,000 bad keys would
        # otherwise answer megabytes (AppSchema already folds unknown keys into one error).
        all_errors = exc.errors()
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type"),
            }
            for error in all_errors[:MAX_REPORTED_ERRORS]
        ]
        details: dict[str, Any] = {"errors": errors}
        if len(all_errors) > MAX_REPORTED_ERRORS:
            details["omitted_errors"] = len(all_errors) - MAX_REPORTED_ERRORS
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Request validation failed",
            details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def handle_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        try:
            status = HTTPStatus(exc.status_code)
            default_code, phrase = status.name, status.phrase
        except ValueError:
            default_code, phrase = "HTTP_ERROR", "HTTP error"
        code = _HTTP_CODES.get(exc.status_code, default_code)
        message = exc.detail if isinstance(exc.detail, str) else phrase
        headers = dict(exc.headers or {})
        if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            # Starlette lists the methods of the first route whose path matched; the
            # resource supports every method of every route with that path.
            allowed = allowed_methods(request.app, request.url.path)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return error_response(exc.status_code, code, message, headers=headers)

    @app.exception_handler(DataError)
    async def handle_data_error(_: Request, exc: DataError) -> JSONResponse:
        # A value the schema let through but the database refused (out of range, bad
        # encoding). The schemas should have caught it; this keeps it a 422, not a 500.
        logger.warning("data_error", error=str(exc.orig))
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "A value is out of range for the database",
        )

    @app.exception_handler(IntegrityError)
    async def handle_integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint the service did not check first (a race on a unique key, a row
        # deleted under a foreign key). The SQL and the driver's message stay in the log.
        logger.warning("integrity_error", error=str(exc.orig))
        return error_response(
            HTTPStatus.CONFLICT, "CONFLICT", "The request conflicts with existing data"
        )
