"""Request size limits: oversized bodies and headers are refused before the app reads them."""

import json

import pytest
from fastapi import FastAPI
from starlette.types import Message

from .conftest import AppFactory, client_for

LIMIT = 4096
REGISTER = "/api/v1/auth/register"


def small_limits(app_factory: AppFactory) -> FastAPI:
    return app_factory(max_request_body_bytes=LIMIT, max_request_header_bytes=2048)


async def call(
    app: FastAPI, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[Message, bytes, int]:
    """Send a raw ASGI request whose body arrives in ``chunks``.

    Returns the response start message, the body, and how many chunks the app read.
    """
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if read >= len(chunks):
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": REGISTER,
        "raw_path": REGISTER.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start, body, read


async def test_declared_oversized_body_is_413_without_reading_it(app_factory: AppFactory) -> None:
    app = small_limits(app_factory)
    start, body, read = await call(
        app, [(b"content-length", str(100 * 1024 * 1024).encode())], [b"x" * 1024] * 8
    )
    assert start["status"] == 413
    assert read == 0
    error = json.loads(body)["error"]
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    assert error["details"] == {"max_bytes": LIMIT}


async def test_streamed_oversized_body_is_cut_off_at_the_limit(app_factory: AppFactory) -> None:
    app = small_limits(app_factory)
    chunks = [b"x" * 1024] * 1000  # about 1 MB, without Content-Length (chunked)
    start, body, read = await call(app, [], chunks)
    assert start["status"] == 413
    assert json.loads(body)["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert read <= LIMIT // 1024 + 1, "reading stops as soon as the limit is passed"


async def test_a_body_under_the_limit_is_read(app_factory: AppFactory) -> None:
    app = small_limits(app_factory)
    payload = json.dumps({"email": "not-an-email", "password": "x" * 20}).encode()
    start, body, _ = await call(
        app, [(b"content-length", str(len(payload)).encode())], [payload[:10], payload[10:]]
    )
    assert start["status"] == 422
    assert json.loads(body)["error"]["code"] == "VALIDATION_ERROR"


async def test_oversized_body_over_http_keeps_the_request_id(app_factory: AppFactory) -> None:
    async with client_for(small_limits(app_factory)) as client:
        response = await client.post(
            REGISTER, content=b"{" + b" " * LIMIT + b"}", headers={"X-Request-ID": "big-1"}
        )
    assert response.status_code == 413
    assert response.headers["X-Request-ID"] == "big-1"
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_oversized_headers_are_431(app_factory: AppFactory) -> None:
    async with client_for(small_limits(app_factory)) as client:
        response = await client.get("/health", headers={"X-Padding": "p" * 4096})
    assert response.status_code == 431
    error = response.json()["error"]
    assert error["code"] == "HEADERS_TOO_LARGE"
    assert error["details"] == {"max_bytes": 2048}


@pytest.mark.parametrize("size", [1, LIMIT])
async def test_limits_are_inclusive(app_factory: AppFactory, size: int) -> None:
    async with client_for(small_limits(app_factory)) as client:
        response = await client.post(
            REGISTER, content=b" " * size, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
