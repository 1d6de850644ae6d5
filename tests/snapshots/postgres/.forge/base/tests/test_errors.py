"""Every error, whatever raised it, has the shape {"error": {"code", "message", "details"}}."""

import logging
from typing import Annotated

import pytest
from fastapi import Body, FastAPI
from httpx import AsyncClient, Response
from sqlalchemy.exc import IntegrityError

from .conftest import client_for
from .factories import UserFactory


def assert_error_shape(response: Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert isinstance(body["error"]["details"], dict)
    error: dict[str, object] = body["error"]
    return error


async def _boom() -> None:
    msg = "secret detail at /srv/app/db.py: SELECT * FROM users"
    raise RuntimeError(msg)


async def _integrity() -> None:
    raise IntegrityError("INSERT INTO things", {}, Exception("duplicate key value"))


async def _numbers(numbers: Annotated[list[int], Body()]) -> None:
    del numbers


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    app.add_api_route("/_test/boom", _boom)
    app.add_api_route("/_test/integrity", _integrity)
    app.add_api_route("/_test/numbers", _numbers, methods=["POST"])
    return app


async def test_unknown_route_is_404(client: AsyncClient) -> None:
    assert_error_shape(await client.get("/no/such/route"), 404, "NOT_FOUND")


async def test_wrong_method_is_405_with_allow(client: AsyncClient) -> None:
    response = await client.delete("/health")
    assert_error_shape(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


async def test_405_lists_every_method_of_the_resource(client: AsyncClient) -> None:
    response = await client.delete("/api/v1/users/me")
    assert_error_shape(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, HEAD, PATCH"


async def test_body_that_is_not_text_is_a_documented_400(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.post(
            "/api/v1/auth/register",
            content=b"\xff\xfe\xfa",
            headers={"content-type": "application/json"},
        )
    assert_error_shape(response, 400, "BAD_REQUEST")
    register = app.openapi()["paths"]["/api/v1/auth/register"]["post"]
    assert "400" in register["responses"]


async def test_invalid_json_is_422(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    error = assert_error_shape(response, 422, "VALIDATION_ERROR")
    assert error["details"]


async def test_validation_errors_list_the_fields(client: AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={"email": "x"})
    error = assert_error_shape(response, 422, "VALIDATION_ERROR")
    details = error["details"]
    assert isinstance(details, dict)
    fields = {tuple(item["loc"]) for item in details["errors"]}
    assert ("body", "email") in fields
    assert ("body", "password") in fields


async def test_a_422_lists_at_most_twenty_errors(failing_app: FastAPI) -> None:
    async with client_for(failing_app) as client:
        response = await client.post("/_test/numbers", json=["not a number"] * 50)
    assert_error_shape(response, 422, "VALIDATION_ERROR")
    details = response.json()["error"]["details"]
    assert len(details["errors"]) == 20
    assert details["omitted_errors"] == 30


async def test_many_unknown_fields_are_one_small_error(client: AsyncClient) -> None:
    # 100,000 unknown keys (1 MB) were one error each: an 8.9 MB answer after seconds of CPU.
    body = {str(number): 0 for number in range(10_000)}
    response = await client.post("/api/v1/auth/refresh", json=body)
    assert_error_shape(response, 422, "VALIDATION_ERROR")
    assert len(response.content) < 1000
    errors = response.json()["error"]["details"]["errors"]
    assert [(error["loc"], error["type"]) for error in errors] == [
        (["body"], "too_many_unknown_fields")
    ]


async def test_unauthenticated_is_401(client: AsyncClient) -> None:
    assert_error_shape(await client.get("/api/v1/users/me"), 401, "UNAUTHORIZED")


async def test_forbidden_is_403(client: AsyncClient, users: UserFactory) -> None:
    user = await users.create()
    response = await client.get("/api/v1/users", headers=users.headers(user))
    assert_error_shape(response, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_a_json_endpoint_answers_other_bodies_415(
    client: AsyncClient, content_type: str | None
) -> None:
    # It was a 422 "Input should be a valid dictionary" at ["body"].
    headers = {} if content_type is None else {"Content-Type": content_type}
    body = b'{"refresh_token": "not a token"}'
    response = await client.post("/api/v1/auth/refresh", content=body, headers=headers)
    assert_error_shape(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/x+json"])
async def test_json_media_types_are_read(client: AsyncClient, content_type: str) -> None:
    body = b'{"refresh_token": "not a token"}'
    headers = {"Content-Type": content_type}
    response = await client.post("/api/v1/auth/refresh", content=body, headers=headers)
    assert_error_shape(response, 401, "UNAUTHORIZED")


def test_the_415_is_documented_on_json_bodies_only(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    refused = paths["/api/v1/auth/refresh"]["post"]["responses"]["415"]
    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert "415" not in paths["/api/v1/auth/login"]["post"]["responses"]  # a form
    assert "415" not in paths["/api/v1/users/me"]["get"]["responses"]


async def test_head_answers_every_get_route(client: AsyncClient, users: UserFactory) -> None:
    # It was a 405 whose Allow did not list HEAD.
    headers = users.headers(await users.create())
    read = await client.get("/api/v1/users/me", headers=headers)
    head = await client.head("/api/v1/users/me", headers=headers)
    assert head.status_code == read.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert head.headers["content-length"] == read.headers["content-length"]
    anonymous = await client.head("/api/v1/users/me")
    assert anonymous.status_code == 401


async def test_unhandled_exception_is_a_generic_500(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(failing_app) as client:
        response = await client.get("/_test/boom", headers={"X-Request-ID": "trace-me-123"})
    error = assert_error_shape(response, 500, "INTERNAL_ERROR")
    assert error["message"] == "Internal server error"
    for leak in ("secret detail", "/srv/app", "SELECT", "Traceback", "RuntimeError"):
        assert leak not in response.text
    assert response.headers["X-Request-ID"] == "trace-me-123"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    failures = [
        (record.levelno, record.msg)
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "unhandled_error"
    ]
    assert failures, "the traceback must be logged"
    level, event = failures[0]
    assert level == logging.ERROR
    assert event.get("exc_info")
    assert event.get("request_id") == "trace-me-123"


async def test_integrity_error_is_409_without_sql(failing_app: FastAPI) -> None:
    async with client_for(failing_app) as client:
        response = await client.get("/_test/integrity")
    assert_error_shape(response, 409, "CONFLICT")
    assert "INSERT" not in response.text
    assert "duplicate key" not in response.text
