"""Request bodies of JSON endpoints must say they are JSON: anything else is a 415.

Without this check FastAPI hands a body sent as ``text/plain`` (or with no
``Content-Type``) to the schema as raw bytes, and the client gets a puzzling 422 "Input
should be a valid dictionary". Form endpoints (the OAuth2 login) are left alone.
"""

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.openapi.constants import REF_PREFIX
from fastapi.params import Form
from fastapi.routing import APIRoute

from .errors import AppError

UNSUPPORTED_MEDIA_TYPE = 415


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/<anything>+json``, any parameters."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    main_type, _, subtype = media_type.partition("/")
    return main_type == "application" and (subtype == "json" or subtype.endswith("+json"))


def takes_json_body(route: APIRoute) -> bool:
    """Whether the route reads a JSON request body (not a form)."""
    field = route.body_field
    return field is not None and not isinstance(field.field_info, Form)


async def require_json_content_type(request: Request) -> None:
    """An app-wide dependency: refuse a non-empty body that is not declared JSON."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not takes_json_body(route):
        return
    if await request.body() and not is_json_media_type(request.headers.get("content-type", "")):
        raise AppError(
            "The request body must be JSON (Content-Type: application/json)",
            code="UNSUPPORTED_MEDIA_TYPE",
            status_code=UNSUPPORTED_MEDIA_TYPE,
        )


def document_json_bodies(routes: Iterable[Any]) -> None:
    """Declare the 415 on every operation with a JSON body, in the standard error shape."""
    for route in routes:
        if isinstance(route, APIRoute) and takes_json_body(route):
            route.responses.setdefault(
                UNSUPPORTED_MEDIA_TYPE,
                {
                    "description": "Unsupported Media Type",
                    "content": {
                        "application/json": {"schema": {"$ref": f"{REF_PREFIX}ErrorResponse"}}
                    },
                },
            )
