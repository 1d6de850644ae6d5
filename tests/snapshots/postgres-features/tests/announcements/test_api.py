"""Announcements API: every endpoint's happy path and its sad paths."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

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
    pytest.param("body", "a\x00b", id="body-nul_byte"),
    pytest.param("body", 123, id="body-not_a_string"),
]
EQUALITY_FILTERS: list[str] = [
    "headline",
]
RANGE_FILTERS: list[tuple[str, Callable[[Any], Any]]] = []


async def _owner_and_headers(users: UserFactory) -> tuple[None, dict[str, str]]:
    return None, {}


def _error_fields(body: dict[str, Any]) -> set[str]:
    """Every name in the error locations (a union's errors add the member after the field)."""
    errors = body["error"]["details"].get("errors", [])
    return {str(part) for error in errors for part in error["loc"]}


class TestCreate:
    async def test_creates_and_returns_the_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(session, owner_id)
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
        for name, value in payload.items():
            assert body[name] == value, name
        assert uuid.UUID(body["id"])

    @pytest.mark.parametrize("field", REQUIRED)
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(session, owner_id)
        del payload[field]
        response = await client.post(BASE, json=payload, headers=headers)
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
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(session, owner_id, **{field: value})
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert field in _error_fields(response.json())

    async def test_unknown_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(session, owner_id, not_a_field=1)
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 422


class TestRead:
    async def test_reads_a_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
        response = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.get(f"{BASE}/{uuid.uuid4()}", headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    async def test_malformed_id_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.get(f"{BASE}/not-a-uuid", headers=headers)
        assert response.status_code == 422


class TestList:
    async def test_pages(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        for _ in range(3):
            await create_announcement(session, owner_id)
        response = await client.get(BASE, params={"page_size": 2}, headers=headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] >= 3
        assert len(page["items"]) == 2
        assert page["has_next"] is True

    @pytest.mark.parametrize("field", EQUALITY_FILTERS)
    async def test_equality_filter_matches(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        created = await client.post(
            BASE, json=await valid_payload(session, owner_id), headers=headers
        )
        row = created.json()
        params = {field: row[field], "page_size": 100}
        response = await client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert row["id"] in [item["id"] for item in response.json()["items"]]

    async def test_sorts(self, client: AsyncClient, users: UserFactory) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.get(BASE, params={"sort": "-body"}, headers=headers)
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "params",
        [{"page_size": 101}, {"page": 0}, {"sort": "not_a_field"}, {"sort": "-"}],
    )
    async def test_bad_paging_is_422(
        self, client: AsyncClient, users: UserFactory, params: dict[str, Any]
    ) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.get(BASE, params=params, headers=headers)
        assert response.status_code == 422


class TestUpdate:
    async def test_changes_the_given_fields(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
        changes = await valid_payload(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json=changes, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        for name, value in changes.items():
            assert body[name] == value, name

    async def test_empty_body_changes_nothing(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    @pytest.mark.parametrize("field", NON_NULLABLE)
    async def test_null_for_a_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
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
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={field: value}, headers=headers)
        assert response.status_code == 422

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.patch(f"{BASE}/{uuid.uuid4()}", json={}, headers=headers)
        assert response.status_code == 404


class TestDelete:
    async def test_deletes_then_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_announcement(session, owner_id)
        response = await client.delete(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 204
        again = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert again.status_code == 404

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        _, headers = await _owner_and_headers(users)
        response = await client.delete(f"{BASE}/{uuid.uuid4()}", headers=headers)
        assert response.status_code == 404
