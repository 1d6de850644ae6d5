"""HTTP conditional requests on reads by id: a weak ETag and ``304 Not Modified``.

The tag is derived from the row's id and ``updated_at`` (which every write moves), never
by hashing the body, so it costs next to nothing. Replies carry
``Cache-Control: private, no-cache``: a client (never a shared cache) may keep the copy
but must revalidate it with ``If-None-Match``, and gets an empty 304 while it is current.
The caller checks access first: a row the caller may not read is a 404, whatever tag
the request names.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import Request, Response

CACHE_CONTROL = "private, no-cache"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the copy named in If-None-Match is current"}
}


def entity_tag(entity_id: UUID, updated_at: datetime) -> str:
    """The weak ETag of a row as the API shows it: its id and when it last changed."""
    if updated_at.tzinfo is None:  # stored as UTC; some drivers hand it back naive
        updated_at = updated_at.replace(tzinfo=UTC)
    return f'W/"{entity_id.hex}-{round(updated_at.timestamp() * 1_000_000):x}"'


def matches(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110) or is ``*``."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == opaque:
            return True
    return False


def if_none_match(request: Request) -> str | None:
    """The ``If-None-Match`` header, read from the raw headers (no header parsing)."""
    for name, value in request.scope["headers"]:
        if name == b"if-none-match":
            return str(value.decode("latin-1"))
    return None


def not_modified(request: Request, response: Response, etag: str) -> Response | None:
    """Put the validators on ``response``; an empty 304 when the client's copy is current."""
    if matches(if_none_match(request), etag):
        return Response(status_code=304, headers={"etag": etag, "cache-control": CACHE_CONTROL})
    response.headers["etag"] = etag
    response.headers["cache-control"] = CACHE_CONTROL
    return None
