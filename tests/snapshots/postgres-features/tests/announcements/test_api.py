"""Announcements API: every endpoint's happy path and its sad paths."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from demo.core.security import Role

from ..factories import UserFactory
from .factories import create_announcement, valid_payload

BASE = "/api/v1/announcements"
REQUIRED: list[str] = [
    "headline",
    "body",
]
NON_NULLABLE: list[str] = [
    "headline",
    "body",
]
UNIQUE: list[str] = []
INVALID: list[Any] = [
    pytest.param("headline", "xx", id="headline-too_short"),
    pytest.param("headline", "x" * 256, id="headline-too_long"),
    pytest.param("headline", "a\x00b", id="headline-nul_byte"),
    pytest.param("headline", 123, id="headline-not_a_string"),
    pytest.param("body", "x" * 65536, id="body-too_long"),
    pytest.param("body", "a\x00b", id="body-nul_byte"),
    pytest.param("body", 123, id="body-not_a_string"),
]
EQUALITY_FILTERS: list[str] = [
    "headline",
]
# (field, from a value to the filter that must exclude it: "min" or "max", and its value)
RANGE_FILTERS: list[tuple[str, Callable[[Any], tuple[str, Any]]]] = []
JSON_FIELDS: list[str] = []
DECIMAL_FIELDS: list[str] = []


async def _headers(users: UserFactory) -> dict[str, str]:
    """Headers of a caller who may write: an admin (anyone may read)."""
    return users.headers(await users.admin())


def _error_fields(body: dict[str, Any]) -> set[str]:
    """Every name in the error locations."""
    errors = body["error"]["details"].get("errors", [])
    return {str(part) for error in errors for part in error["loc"]}


class TestCreate:
    async def test_creates_and_returns_the_row(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        headers = await _headers(users)
        payload = await valid_payload()
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
        for name, value in payload.items():
            assert body[name] == value, name
        assert UUID(body["id"])

    @pytest.mark.parametrize("field", REQUIRED)
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, field: str
    ) -> None:
        headers = await _headers(users)
        payload = await valid_payload()
        del payload[field]
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 422
        assert field in _error_fields(response.json())

    @pytest.mark.parametrize(("field", "value"), INVALID)
    async def test_invalid_value_is_422(
        self,
        client: AsyncClient,
        users: UserFactory,
        field: str,
        value: Any,
    ) -> None:
        headers = await _headers(users)
        payload = await valid_payload(**{field: value})
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert field in _error_fields(response.json())

    async def test_unknown_field_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        headers = await _headers(users)
        payload = await valid_payload(not_a_field=1)
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 422


class TestRead:
    async def test_reads_a_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        response = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.get(f"{BASE}/{uuid4()}", headers=await _headers(users))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    async def test_malformed_id_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.get(f"{BASE}/not-a-uuid", headers=await _headers(users))
        assert response.status_code == 422

    async def test_anyone_reads_without_a_token(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        row = await create_announcement(session)
        assert (await client.get(f"{BASE}/{row.id}")).status_code == 200
        listed = await client.get(BASE, params={"page_size": 100})
        assert str(row.id) in [item["id"] for item in listed.json()["items"]]


class TestConditionalRead:
    async def test_a_current_etag_gets_an_empty_304(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        first = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert etag.startswith('W/"')
        assert first.headers["cache-control"] == "private, no-cache"
        again = await client.get(f"{BASE}/{row.id}", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag

    async def test_another_etag_gets_the_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        stale = {**headers, "If-None-Match": 'W/"00000000000000000000000000000000-0"'}
        response = await client.get(f"{BASE}/{row.id}", headers=stale)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    async def test_a_change_gives_a_new_etag(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        first = await client.get(f"{BASE}/{row.id}", headers=headers)
        changes = await valid_payload()
        patched = await client.patch(f"{BASE}/{row.id}", json=changes, headers=headers)
        assert patched.status_code == 200, patched.text
        condition = {**headers, "If-None-Match": first.headers["etag"]}
        again = await client.get(f"{BASE}/{row.id}", headers=condition)
        if patched.json() == first.json():  # the changes were the values it already had
            assert again.status_code == 304
        else:
            assert again.status_code == 200
            assert again.headers["etag"] != first.headers["etag"]
            assert again.json() == patched.json()


class TestList:
    async def test_pages(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        for _ in range(3):
            await create_announcement(session)
        response = await client.get(BASE, params={"page_size": 2}, headers=headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] >= 3
        assert len(page["items"]) == 2
        assert page["has_next"] is True

    @pytest.mark.parametrize("field", EQUALITY_FILTERS)
    async def test_equality_filter_matches(
        self, client: AsyncClient, users: UserFactory, field: str
    ) -> None:
        headers = await _headers(users)
        created = await client.post(BASE, json=await valid_payload(), headers=headers)
        row = created.json()
        params = {field: row[field], "page_size": 100}
        response = await client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert row["id"] in [item["id"] for item in response.json()["items"]]

    async def test_sorts(self, client: AsyncClient, users: UserFactory) -> None:
        params = {"sort": "-body"}
        response = await client.get(BASE, params=params, headers=await _headers(users))
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "params",
        [{"page_size": 101}, {"page": 0}, {"sort": "not_a_field"}, {"sort": "-"}],
    )
    async def test_bad_paging_is_422(
        self, client: AsyncClient, users: UserFactory, params: dict[str, Any]
    ) -> None:
        response = await client.get(BASE, params=params, headers=await _headers(users))
        assert response.status_code == 422

    async def test_a_field_sorted_twice_is_named(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        name = "body"
        params = {"sort": f"{name},-{name}"}
        response = await client.get(BASE, params=params, headers=await _headers(users))
        assert response.status_code == 422
        assert response.json()["error"]["message"] == f"'{name}' appears more than once in sort"


class TestUpdate:
    async def test_changes_the_given_fields(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        changes = await valid_payload()
        response = await client.patch(f"{BASE}/{row.id}", json=changes, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        for name, value in changes.items():
            assert body[name] == value, name

    async def test_empty_body_changes_nothing(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    @pytest.mark.parametrize("field", NON_NULLABLE)
    async def test_null_for_a_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        response = await client.patch(f"{BASE}/{row.id}", json={field: None}, headers=headers)
        assert response.status_code == 422
        assert field in _error_fields(response.json())

    @pytest.mark.parametrize(("field", "value"), INVALID)
    async def test_invalid_value_is_422(
        self,
        client: AsyncClient,
        users: UserFactory,
        session: AsyncSession,
        field: str,
        value: Any,
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        response = await client.patch(f"{BASE}/{row.id}", json={field: value}, headers=headers)
        assert response.status_code == 422

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.patch(f"{BASE}/{uuid4()}", json={}, headers=await _headers(users))
        assert response.status_code == 404


class TestDelete:
    async def test_deletes_then_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        headers = await _headers(users)
        row = await create_announcement(session)
        response = await client.delete(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 204
        again = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert again.status_code == 404

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.delete(f"{BASE}/{uuid4()}", headers=await _headers(users))
        assert response.status_code == 404


class TestPublicAccess:
    """Anyone may read; only admins may write."""

    @pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
    async def test_writes_need_a_token(
        self, client: AsyncClient, session: AsyncSession, method: str
    ) -> None:
        row = await create_announcement(session)
        url = BASE if method == "POST" else f"{BASE}/{row.id}"
        response = await client.request(method, url, json={})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

    @pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
    async def test_writes_need_an_admin(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, method: str
    ) -> None:
        row = await create_announcement(session)
        url = BASE if method == "POST" else f"{BASE}/{row.id}"
        headers = users.headers(await users.create())
        response = await client.request(method, url, json={}, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"

    @pytest.mark.parametrize(
        ("change", "status"), [({"role": Role.USER}, 403), ({"is_active": False}, 401)]
    )
    async def test_a_revoked_admins_token_cannot_write(
        self,
        client: AsyncClient,
        users: UserFactory,
        session: AsyncSession,
        change: dict[str, Any],
        status: int,
    ) -> None:
        # Demotion and deactivation take effect at once, not when the token expires.
        row = await create_announcement(session)
        admin = await users.admin()
        headers = users.headers(admin)
        for name, value in change.items():
            setattr(admin, name, value)
        await session.commit()
        response = await client.delete(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == status
        assert (await client.get(f"{BASE}/{row.id}")).status_code == 200
