"""Customers API: every endpoint's happy path and its sad paths."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from demo.core.security import Role
from demo.features.users.models import User

from ..factories import UserFactory
from .factories import create_customer, valid_payload

BASE = "/api/v1/customers"
REQUIRED: list[str] = [
    "name",
]
NON_NULLABLE: list[str] = [
    "name",
]
UNIQUE: list[str] = [
    "name",
]
INVALID: list[Any] = [
    pytest.param("name", "x" * 121, id="name-too_long"),
    pytest.param("name", "a\x00b", id="name-nul_byte"),
    pytest.param("name", 123, id="name-not_a_string"),
    pytest.param("email", "x" * 256, id="email-too_long"),
    pytest.param("email", "a\x00b", id="email-nul_byte"),
    pytest.param("email", 123, id="email-not_a_string"),
]
EQUALITY_FILTERS: list[str] = [
    "name",
    "email",
]
# (field, from a value to the filter that must exclude it: "min" or "max", and its value)
RANGE_FILTERS: list[tuple[str, Callable[[Any], tuple[str, Any]]]] = []
JSON_FIELDS: list[str] = []
DECIMAL_FIELDS: list[str] = []


async def _owner_and_headers(users: UserFactory) -> tuple[UUID, dict[str, str]]:
    owner = await users.create()
    return owner.id, users.headers(owner)


async def _headers(users: UserFactory) -> dict[str, str]:
    """Headers of a signed-in user."""
    return users.headers(await users.create())


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

    async def test_the_caller_owns_the_row(self, client: AsyncClient, users: UserFactory) -> None:
        owner = await users.create()
        payload = await valid_payload()
        response = await client.post(BASE, json=payload, headers=users.headers(owner))
        assert response.status_code == 201, response.text
        assert response.json()["owner_id"] == str(owner.id)

    async def test_requires_a_token(self, client: AsyncClient) -> None:
        response = await client.post(BASE, json={})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

    async def test_token_of_deleted_account_is_401(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        # The foreign key on owner_id used to answer 409.
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload()
        await session.execute(delete(User).where(User.id == owner_id))
        await session.commit()
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

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

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_duplicate_unique_value_is_409(
        self, client: AsyncClient, users: UserFactory, field: str
    ) -> None:
        headers = await _headers(users)
        first = await client.post(BASE, json=await valid_payload(), headers=headers)
        assert first.status_code == 201
        payload = await valid_payload(**{field: first.json()[field]})
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 409
        assert response.json()["error"]["details"] == {"field": field}

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_unique_values_are_per_owner(
        self, client: AsyncClient, users: UserFactory, field: str
    ) -> None:
        # Another user's value neither conflicts nor tells anything about their rows.
        owner, other = await users.create(), await users.create()
        payload = await valid_payload()
        first = await client.post(BASE, json=payload, headers=users.headers(owner))
        assert first.status_code == 201, first.text
        payload = await valid_payload(**{field: first.json()[field]})
        response = await client.post(BASE, json=payload, headers=users.headers(other))
        assert response.status_code == 201, response.text


class TestRead:
    async def test_reads_a_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
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

    async def test_someone_elses_row_is_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_customer(session, owner.id)
        stranger = await users.create()
        response = await client.get(f"{BASE}/{row.id}", headers=users.headers(stranger))
        assert response.status_code == 404

    async def test_admin_reads_anyones_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_customer(session, owner.id)
        admin = await users.admin()
        response = await client.get(f"{BASE}/{row.id}", headers=users.headers(admin))
        assert response.status_code == 200

    async def test_a_demoted_admins_token_reads_only_its_own_rows(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        # The admin role in a token counts only while the account still holds it.
        owner = await users.create()
        row = await create_customer(session, owner.id)
        admin = await users.admin()
        headers = users.headers(admin)
        admin.role = Role.USER
        await session.commit()
        response = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 404

    async def test_requires_a_token(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_customer(session, owner.id)
        response = await client.get(f"{BASE}/{row.id}")
        assert response.status_code == 401


class TestConditionalRead:
    async def test_a_current_etag_gets_an_empty_304(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
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
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
        stale = {**headers, "If-None-Match": 'W/"00000000000000000000000000000000-0"'}
        response = await client.get(f"{BASE}/{row.id}", headers=stale)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    async def test_a_change_gives_a_new_etag(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
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

    @pytest.mark.parametrize("guess", ["own", "*"])
    async def test_someone_elses_row_is_404_whatever_the_etag(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, guess: str
    ) -> None:
        owner_id, owner_headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
        etag = (await client.get(f"{BASE}/{row.id}", headers=owner_headers)).headers["etag"]
        stranger = users.headers(await users.create())
        condition = {**stranger, "If-None-Match": etag if guess == "own" else "*"}
        response = await client.get(f"{BASE}/{row.id}", headers=condition)
        assert response.status_code == 404
        assert "etag" not in response.headers


class TestList:
    async def test_pages(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        for _ in range(3):
            await create_customer(session, owner_id)
        response = await client.get(BASE, params={"page_size": 2}, headers=headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] >= 3
        assert len(page["items"]) == 2
        assert page["has_next"] is True

    async def test_lists_only_ones_own_rows(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        mine = await create_customer(session, owner.id)
        other = await users.create()
        await create_customer(session, other.id)
        response = await client.get(BASE, params={"page_size": 100}, headers=users.headers(owner))
        assert [item["id"] for item in response.json()["items"]] == [str(mine.id)]

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
        params = {"sort": "-email"}
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
        name = "email"
        params = {"sort": f"{name},-{name}"}
        response = await client.get(BASE, params=params, headers=await _headers(users))
        assert response.status_code == 422
        assert response.json()["error"]["message"] == f"'{name}' appears more than once in sort"


class TestUpdate:
    async def test_changes_the_given_fields(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
        changes = await valid_payload()
        response = await client.patch(f"{BASE}/{row.id}", json=changes, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        for name, value in changes.items():
            assert body[name] == value, name

    async def test_empty_body_changes_nothing(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    @pytest.mark.parametrize("field", NON_NULLABLE)
    async def test_null_for_a_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
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
        row = await create_customer(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={field: value}, headers=headers)
        assert response.status_code == 422

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_taking_anothers_unique_value_is_409(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        first = await create_customer(session, owner_id)
        second = await create_customer(session, owner_id)
        taken = (await client.get(f"{BASE}/{first.id}", headers=headers)).json()[field]
        response = await client.patch(f"{BASE}/{second.id}", json={field: taken}, headers=headers)
        assert response.status_code == 409

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.patch(f"{BASE}/{uuid4()}", json={}, headers=await _headers(users))
        assert response.status_code == 404

    async def test_someone_elses_row_is_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_customer(session, owner.id)
        stranger = await users.create()
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=users.headers(stranger))
        assert response.status_code == 404


class TestDelete:
    async def test_deletes_then_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_customer(session, owner_id)
        response = await client.delete(f"{BASE}/{row.id}", headers=headers)
        assert response.status_code == 204
        again = await client.get(f"{BASE}/{row.id}", headers=headers)
        assert again.status_code == 404

    async def test_missing_row_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        response = await client.delete(f"{BASE}/{uuid4()}", headers=await _headers(users))
        assert response.status_code == 404

    async def test_someone_elses_row_is_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_customer(session, owner.id)
        stranger = await users.create()
        response = await client.delete(f"{BASE}/{row.id}", headers=users.headers(stranger))
        assert response.status_code == 404
        still = await client.get(f"{BASE}/{row.id}", headers=users.headers(owner))
        assert still.status_code == 200
