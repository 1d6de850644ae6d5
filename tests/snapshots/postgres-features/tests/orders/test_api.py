"""Orders API: every endpoint's happy path and its sad paths."""

import datetime as dt
import json
from collections.abc import Callable
from decimal import Context, Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from demo.core.security import Role
from demo.features.users.models import User

from ..customers.factories import create_customer
from ..factories import UserFactory
from .factories import create_order, valid_payload

BASE = "/api/v1/orders"
REQUIRED: list[str] = [
    "title",
    "quantity",
    "weight",
    "total",
    "due_on",
    "tracking",
    "customer_id",
]
NON_NULLABLE: list[str] = [
    "title",
    "quantity",
    "weight",
    "total",
    "rush",
    "due_on",
    "tracking",
    "status",
    "customer_id",
]
UNIQUE: list[str] = [
    "title",
    "tracking",
]
INVALID: list[Any] = [
    pytest.param("title", "x", id="title-too_short"),
    pytest.param("title", "x" * 121, id="title-too_long"),
    pytest.param("title", "a\x00b", id="title-nul_byte"),
    pytest.param("title", 123, id="title-not_a_string"),
    pytest.param("notes", "x" * 65536, id="notes-too_long"),
    pytest.param("notes", "a\x00b", id="notes-nul_byte"),
    pytest.param("notes", 123, id="notes-not_a_string"),
    pytest.param("quantity", "abc", id="quantity-not_a_number"),
    pytest.param("quantity", 1.5, id="quantity-fraction"),
    pytest.param("quantity", "5", id="quantity-numeric_text"),
    pytest.param("quantity", -1, id="quantity-below_ge"),
    pytest.param("quantity", 1001, id="quantity-above_le"),
    pytest.param("weight", "abc", id="weight-not_a_number"),
    pytest.param("weight", "inf", id="weight-infinite"),
    pytest.param("weight", "1.5", id="weight-numeric_text"),
    pytest.param("weight", True, id="weight-boolean"),
    pytest.param("weight", 0.0, id="weight-not_above_gt"),
    pytest.param("weight", 500.5, id="weight-not_below_lt"),
    pytest.param("total", "abc", id="total-not_a_number"),
    pytest.param("total", "1.111", id="total-too_many_places"),
    pytest.param("total", "999999999", id="total-too_many_digits"),
    pytest.param("total", "NaN", id="total-not_finite"),
    pytest.param("total", "-0.01", id="total-below_ge"),
    pytest.param("rush", "maybe", id="rush-not_a_boolean"),
    pytest.param("rush", 0, id="rush-number"),
    pytest.param("rush", "false", id="rush-text"),
    pytest.param("due_on", "2024-13-45", id="due_on-not_a_date"),
    pytest.param("due_on", [1], id="due_on-not_a_string"),
    pytest.param("due_on", 20240131, id="due_on-number"),
    pytest.param("due_on", "0.5", id="due_on-numeric_text"),
    pytest.param("shipped_at", "yesterday", id="shipped_at-not_a_datetime"),
    pytest.param("shipped_at", "2024-01-31T12:00:00", id="shipped_at-naive"),
    pytest.param("shipped_at", 1700000000, id="shipped_at-number"),
    pytest.param("shipped_at", "0.5", id="shipped_at-numeric_text"),
    pytest.param("shipped_at", "0001-01-01T00:00:00+01:00", id="shipped_at-before_year_1_in_utc"),
    pytest.param("shipped_at", "9999-12-31T23:59:59-01:00", id="shipped_at-after_year_9999_in_utc"),
    pytest.param("tracking", "not-a-uuid", id="tracking-not_a_uuid"),
    pytest.param("status", "not_a_choice", id="status-not_a_choice"),
    pytest.param("tags", "text", id="tags-not_an_object_or_array"),
    pytest.param("tags", {"key": "x" * 65535}, id="tags-too_large"),
    pytest.param("customer_id", "not-a-uuid", id="customer_id-not_a_uuid"),
    pytest.param(
        "customer_id", "00000000-0000-4000-8000-000000000000", id="customer_id-missing_row"
    ),
]
EQUALITY_FILTERS: list[str] = [
    "title",
    "rush",
    "tracking",
    "status",
    "customer_id",
]
# (field, from a value to the filter that must exclude it: "min" or "max", and its value)
RANGE_FILTERS: list[tuple[str, Callable[[Any], tuple[str, Any]]]] = [
    ("quantity", lambda value: ("min", value + 1) if value < 2147483647 else ("max", value - 1)),
    ("weight", lambda value: ("min", value + 1)),
    (
        "total",
        lambda value: (
            ("min", str(Context(prec=80).add(Decimal(value), Decimal("0.01"))))
            if Decimal(value) < Decimal("99999999.99")
            else ("max", str(Context(prec=80).subtract(Decimal(value), Decimal("0.01"))))
        ),
    ),
    (
        "due_on",
        lambda value: ("min", (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()),
    ),
    (
        "shipped_at",
        lambda value: (
            "min",
            (dt.datetime.fromisoformat(value) + dt.timedelta(days=1)).isoformat(),
        ),
    ),
]
JSON_FIELDS: list[str] = [
    "tags",
]
DECIMAL_FIELDS: list[str] = [
    "total",
]


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
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(
            session,
            owner_id,
        )
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
        for name, value in payload.items():
            assert body[name] == value, name
        assert UUID(body["id"])

    async def test_the_caller_owns_the_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        payload = await valid_payload(
            session,
            owner.id,
        )
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
        payload = await valid_payload(
            session,
            owner_id,
        )
        await session.execute(delete(User).where(User.id == owner_id))
        await session.commit()
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

    async def test_an_admin_cannot_reference_another_users_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        # References must be the written row's owner's (here the admin's own): else that
        # user could not delete their row, a 409 from a row they cannot see.
        owner_id = (await users.create()).id
        payload = await valid_payload(
            session,
            owner_id,
        )
        admin = await users.admin()
        response = await client.post(BASE, json=payload, headers=users.headers(admin))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"

    @pytest.mark.parametrize("field", REQUIRED)
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(
            session,
            owner_id,
        )
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

    @pytest.mark.parametrize(
        "document",
        [
            '{"x": [NaN]}',
            '{"x": Infinity}',
            "[-Infinity]",
            '{"x": {"y": 1e400}}',
            '"text"',
            "42",
            # Nested past JSON_MAX_DEPTH: Pydantic cannot answer 256 levels (it was a 500).
            "[" * 33 + "]" * 33,
            "[" * 256 + "]" * 256,
            '{"a":' * 300 + "1" + "}" * 300,
            # Lone surrogates: not UTF-8, so neither storable nor answerable.
            '{"k": "\\ud800"}',
            '["\\udfff"]',
            '{"\\udfff": 1}',
        ],
    )
    @pytest.mark.parametrize("field", JSON_FIELDS)
    async def test_bad_json_document_is_422_at_the_field(
        self,
        client: AsyncClient,
        users: UserFactory,
        session: AsyncSession,
        field: str,
        document: str,
    ) -> None:
        # Python's JSON reader takes NaN and Infinity (and 1e400 as infinity); PostgreSQL
        # refuses them and SQLite stores null. The error names the field, nothing deeper.
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(session, owner_id, **{field: "<document>"})
        content = json.dumps(payload).replace('"<document>"', document)
        response = await client.post(
            BASE, content=content, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 422, response.text
        errors = response.json()["error"]["details"]["errors"]
        assert [error["loc"] for error in errors] == [["body", field]]

    @pytest.mark.parametrize("field", DECIMAL_FIELDS)
    async def test_decimals_come_back_as_a_read_returns_them(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        payload = await valid_payload(
            session,
            owner_id,
        )
        canonical = payload[field]
        # "12.50" sent as "12.5", "1000.00" as "1E+3": both answered "12.50", "1000.00".
        payload[field] = str(Decimal(canonical).normalize())
        created = await client.post(BASE, json=payload, headers=headers)
        assert created.status_code == 201, created.text
        assert created.json()[field] == canonical
        read = await client.get(f"{BASE}/{created.json()['id']}", headers=headers)
        assert read.json()[field] == canonical

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_duplicate_unique_value_is_409(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        first = await client.post(
            BASE,
            json=await valid_payload(
                session,
                owner_id,
            ),
            headers=headers,
        )
        assert first.status_code == 201
        payload = await valid_payload(session, owner_id, **{field: first.json()[field]})
        response = await client.post(BASE, json=payload, headers=headers)
        assert response.status_code == 409
        assert response.json()["error"]["details"] == {"field": field}

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_unique_values_are_per_owner(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        # Another user's value neither conflicts nor tells anything about their rows.
        owner, other = await users.create(), await users.create()
        payload = await valid_payload(
            session,
            owner.id,
        )
        first = await client.post(BASE, json=payload, headers=users.headers(owner))
        assert first.status_code == 201, first.text
        payload = await valid_payload(session, other.id, **{field: first.json()[field]})
        response = await client.post(BASE, json=payload, headers=users.headers(other))
        assert response.status_code == 201, response.text


class TestRead:
    async def test_reads_a_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
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
        row = await create_order(session, owner.id)
        stranger = await users.create()
        response = await client.get(f"{BASE}/{row.id}", headers=users.headers(stranger))
        assert response.status_code == 404

    async def test_admin_reads_anyones_row(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_order(session, owner.id)
        admin = await users.admin()
        response = await client.get(f"{BASE}/{row.id}", headers=users.headers(admin))
        assert response.status_code == 200

    async def test_a_demoted_admins_token_reads_only_its_own_rows(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        # The admin role in a token counts only while the account still holds it.
        owner = await users.create()
        row = await create_order(session, owner.id)
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
        row = await create_order(session, owner.id)
        response = await client.get(f"{BASE}/{row.id}")
        assert response.status_code == 401


class TestConditionalRead:
    async def test_a_current_etag_gets_an_empty_304(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
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
        row = await create_order(session, owner_id)
        stale = {**headers, "If-None-Match": 'W/"00000000000000000000000000000000-0"'}
        response = await client.get(f"{BASE}/{row.id}", headers=stale)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    async def test_a_change_gives_a_new_etag(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
        first = await client.get(f"{BASE}/{row.id}", headers=headers)
        changes = await valid_payload(
            session,
            owner_id,
        )
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
        row = await create_order(session, owner_id)
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
            await create_order(session, owner_id)
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
        mine = await create_order(session, owner.id)
        other = await users.create()
        await create_order(session, other.id)
        response = await client.get(BASE, params={"page_size": 100}, headers=users.headers(owner))
        assert [item["id"] for item in response.json()["items"]] == [str(mine.id)]

    @pytest.mark.parametrize("field", EQUALITY_FILTERS)
    async def test_equality_filter_matches(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        created = await client.post(
            BASE,
            json=await valid_payload(
                session,
                owner_id,
            ),
            headers=headers,
        )
        row = created.json()
        params = {field: row[field], "page_size": 100}
        response = await client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert row["id"] in [item["id"] for item in response.json()["items"]]

    @pytest.mark.parametrize(("field", "past"), RANGE_FILTERS)
    async def test_range_filters_include_and_exclude(
        self,
        client: AsyncClient,
        users: UserFactory,
        session: AsyncSession,
        field: str,
        past: Callable[[Any], tuple[str, Any]],
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        created = await client.post(
            BASE,
            json=await valid_payload(
                session,
                owner_id,
            ),
            headers=headers,
        )
        row = created.json()
        if row[field] is None:
            pytest.fail(f"the factory must give {field} a value")

        async def ids(**params: Any) -> list[str]:
            response = await client.get(BASE, params={**params, "page_size": 100}, headers=headers)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]]

        assert row["id"] in await ids(**{f"{field}_min": row[field], f"{field}_max": row[field]})
        bound, value = past(row[field])
        assert row["id"] not in await ids(**{f"{field}_{bound}": value})

    @pytest.mark.parametrize(
        "param",
        [
            "due_on_min",
            "due_on_max",
            "shipped_at_min",
            "shipped_at_max",
        ],
    )
    async def test_time_filters_take_only_iso_text(
        self, client: AsyncClient, users: UserFactory, param: str
    ) -> None:
        # Found by fuzzing: "0.5" used to be read as a Unix time.
        response = await client.get(BASE, params={param: "0.5"}, headers=await _headers(users))
        assert response.status_code == 422

    @pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    @pytest.mark.parametrize(
        "param",
        [
            "shipped_at_min",
            "shipped_at_max",
        ],
    )
    async def test_moments_without_a_utc_equivalent_are_422(
        self, client: AsyncClient, users: UserFactory, param: str, value: str
    ) -> None:
        response = await client.get(BASE, params={param: value}, headers=await _headers(users))
        assert response.status_code == 422
        assert param in _error_fields(response.json())

    async def test_sorts(self, client: AsyncClient, users: UserFactory) -> None:
        params = {"sort": "-customer_id"}
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
        name = "customer_id"
        params = {"sort": f"{name},-{name}"}
        response = await client.get(BASE, params=params, headers=await _headers(users))
        assert response.status_code == 422
        assert response.json()["error"]["message"] == f"'{name}' appears more than once in sort"


class TestUpdate:
    async def test_changes_the_given_fields(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
        changes = await valid_payload(
            session,
            owner_id,
        )
        response = await client.patch(f"{BASE}/{row.id}", json=changes, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        for name, value in changes.items():
            assert body[name] == value, name

    async def test_empty_body_changes_nothing(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(row.id)

    @pytest.mark.parametrize("field", NON_NULLABLE)
    async def test_null_for_a_required_field_is_422(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
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
        row = await create_order(session, owner_id)
        response = await client.patch(f"{BASE}/{row.id}", json={field: value}, headers=headers)
        assert response.status_code == 422

    @pytest.mark.parametrize("field", UNIQUE)
    async def test_taking_anothers_unique_value_is_409(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession, field: str
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        first = await create_order(session, owner_id)
        second = await create_order(session, owner_id)
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
        row = await create_order(session, owner.id)
        stranger = await users.create()
        response = await client.patch(f"{BASE}/{row.id}", json={}, headers=users.headers(stranger))
        assert response.status_code == 404

    async def test_an_admin_points_a_row_only_at_its_owners_rows(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner = await users.create()
        row = await create_order(session, owner.id)
        admin_headers = users.headers(await users.admin())
        owner_id = (await users.create()).id
        strangers = await valid_payload(
            session,
            owner_id,
        )
        refused = await client.patch(f"{BASE}/{row.id}", json=strangers, headers=admin_headers)
        assert refused.status_code == 422
        owner_id = owner.id
        owners = await valid_payload(
            session,
            owner_id,
        )
        accepted = await client.patch(f"{BASE}/{row.id}", json=owners, headers=admin_headers)
        assert accepted.status_code == 200, accepted.text


class TestDelete:
    async def test_deletes_then_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        row = await create_order(session, owner_id)
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
        row = await create_order(session, owner.id)
        stranger = await users.create()
        response = await client.delete(f"{BASE}/{row.id}", headers=users.headers(stranger))
        assert response.status_code == 404
        still = await client.get(f"{BASE}/{row.id}", headers=users.headers(owner))
        assert still.status_code == 200


class TestListOfCustomer:
    """The nested list route: ``GET /customers/{id}/...``."""

    @staticmethod
    def url(parent_id: UUID) -> str:
        parent = "/api/v1/customers"
        return f"{parent}/{parent_id}/" + BASE.removeprefix("/api/v1/")

    async def test_lists_the_rows_of_that_customer_only(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        owner_id, headers = await _owner_and_headers(users)
        parent = await create_customer(session, owner_id)
        other = await create_customer(session, owner_id)
        rows = [await create_order(session, owner_id, customer_id=str(parent.id)) for _ in range(3)]
        await create_order(session, owner_id, customer_id=str(other.id))
        response = await client.get(self.url(parent.id), params={"page_size": 2}, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(rows)
        assert page["has_next"] is (len(rows) > 2)
        response = await client.get(self.url(parent.id), params={"page_size": 100}, headers=headers)
        listed = sorted(item["id"] for item in response.json()["items"])
        assert listed == sorted(str(row.id) for row in rows)
        assert {item["customer_id"] for item in response.json()["items"]} == {str(parent.id)}

    async def test_an_unknown_customer_is_a_404(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        response = await client.get(self.url(uuid4()), headers=await _headers(users))
        assert response.status_code == 404, response.text

    async def test_someone_elses_customer_is_a_404(
        self, client: AsyncClient, users: UserFactory, session: AsyncSession
    ) -> None:
        stranger = await users.create()
        parent = await create_customer(session, stranger.id)
        response = await client.get(self.url(parent.id), headers=await _headers(users))
        assert response.status_code == 404, response.text

    async def test_a_page_costs_the_same_statements_whatever_it_holds(
        self,
        client: AsyncClient,
        users: UserFactory,
        session: AsyncSession,
        engine: AsyncEngine,
    ) -> None:
        """No query per row (no N+1): one page of 1 row and one of 6 take as many statements."""
        owner_id, headers = await _owner_and_headers(users)
        parent = await create_customer(session, owner_id)
        await create_order(session, owner_id, customer_id=str(parent.id))
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(str(args[2]))

        async def count() -> int:
            statements.clear()
            event.listen(engine.sync_engine, "before_cursor_execute", record)
            try:
                response = await client.get(self.url(parent.id), headers=headers)
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", record)
            assert response.status_code == 200, response.text
            return len(statements)

        one = await count()
        for _ in range(5):
            await create_order(session, owner_id, customer_id=str(parent.id))
        assert await count() == one
