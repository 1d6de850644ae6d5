"""Profile endpoints, admin endpoints, roles, pagination bounds and sorting."""

import uuid

import pytest
from httpx import AsyncClient

from demo.core.security import Role

from .factories import UserFactory

USERS = "/api/v1/users"
ME = f"{USERS}/me"


class TestMe:
    async def test_update_own_name(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        response = await client.patch(ME, json={"full_name": "Grace"}, headers=users.headers(user))
        assert response.status_code == 200
        assert response.json()["full_name"] == "Grace"

    async def test_profile_etag_gets_a_304_until_the_profile_changes(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        headers = users.headers(await users.create())
        first = await client.get(ME, headers=headers)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "private, no-cache"
        condition = {**headers, "If-None-Match": first.headers["etag"]}
        unchanged = await client.get(ME, headers=condition)
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        renamed = await client.patch(ME, json={"full_name": "Grace Hopper"}, headers=headers)
        assert renamed.status_code == 200
        changed = await client.get(ME, headers=condition)
        assert changed.status_code == 200
        assert changed.json()["full_name"] == "Grace Hopper"
        assert changed.headers["etag"] != first.headers["etag"]

    async def test_password_cannot_be_changed_through_the_profile(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        # A stolen access token alone must not be enough: POST /auth/password asks for the
        # current password (tests/test_auth.py::TestPasswordChange).
        user = await users.create()
        changed = await client.patch(
            ME, json={"password": "a brand new one"}, headers=users.headers(user)
        )
        assert changed.status_code == 422
        login = await client.post(
            "/api/v1/auth/login", data={"username": user.email, "password": "a brand new one"}
        )
        assert login.status_code == 401

    async def test_cannot_promote_oneself(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        response = await client.patch(ME, json={"role": "admin"}, headers=users.headers(user))
        assert response.status_code == 422

    async def test_nul_byte_in_name_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        response = await client.patch(
            ME, json={"full_name": "a\u0000b"}, headers=users.headers(user)
        )
        assert response.status_code == 422

    @pytest.mark.parametrize("method", ["GET", "PATCH"])
    async def test_token_of_deleted_account_is_401(
        self, client: AsyncClient, users: UserFactory, method: str
    ) -> None:
        user = await users.create()
        headers = users.headers(user)
        await users.session.delete(user)
        await users.session.commit()
        response = await client.request(method, ME, json={"full_name": "X"}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_token_of_deactivated_account_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create(is_active=False)
        response = await client.get(ME, headers=users.headers(user))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


class TestAdmin:
    async def test_lists_users_in_pages(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        for _ in range(3):
            await users.create()
        response = await client.get(USERS, params={"page_size": 2}, headers=users.headers(admin))
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 4
        assert len(page["items"]) == 2
        assert page["has_next"] is True
        last = await client.get(
            USERS, params={"page_size": 2, "page": 2}, headers=users.headers(admin)
        )
        assert last.json()["has_next"] is False

    async def test_sorts_by_email(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        for email in ("b@example.com", "c@example.com", "a@example.com"):
            await users.create(email=email)
        response = await client.get(
            USERS, params={"sort": "-email", "page_size": 100}, headers=users.headers(admin)
        )
        emails = [item["email"] for item in response.json()["items"]]
        assert emails == sorted(emails, reverse=True)

    async def test_user_is_forbidden(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        response = await client.get(USERS, headers=users.headers(user))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"

    async def test_promotes_a_user(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        user = await users.create()
        response = await client.patch(
            f"{USERS}/{user.id}", json={"role": "admin"}, headers=users.headers(admin)
        )
        assert response.status_code == 200
        assert response.json()["role"] == Role.ADMIN.value

    async def test_unknown_user_is_404(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        response = await client.get(f"{USERS}/{uuid.uuid4()}", headers=users.headers(admin))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    async def test_bad_uuid_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        response = await client.get(f"{USERS}/not-a-uuid", headers=users.headers(admin))
        assert response.status_code == 422

    @pytest.mark.parametrize("value", [0, 1, "false"])
    async def test_is_active_must_be_a_boolean(
        self, client: AsyncClient, users: UserFactory, value: object
    ) -> None:
        # Found by fuzzing: lax validation used to read 0 as false.
        admin = await users.admin()
        user = await users.create()
        response = await client.patch(
            f"{USERS}/{user.id}", json={"is_active": value}, headers=users.headers(admin)
        )
        assert response.status_code == 422

    @pytest.mark.parametrize("field", ["role", "is_active"])
    async def test_null_is_422_not_ignored(
        self, client: AsyncClient, users: UserFactory, field: str
    ) -> None:
        admin = await users.admin()
        user = await users.create()
        response = await client.patch(
            f"{USERS}/{user.id}", json={field: None}, headers=users.headers(admin)
        )
        assert response.status_code == 422
        errors = response.json()["error"]["details"]["errors"]
        assert [error["loc"] for error in errors] == [["body", field]]

    async def test_demotes_and_deactivates(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        other = await users.admin()
        response = await client.patch(
            f"{USERS}/{other.id}",
            json={"role": "user", "is_active": False},
            headers=users.headers(admin),
        )
        assert response.status_code == 200
        assert (response.json()["role"], response.json()["is_active"]) == ("user", False)

    async def test_unknown_role_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        admin = await users.admin()
        user = await users.create()
        response = await client.patch(
            f"{USERS}/{user.id}", json={"role": "root"}, headers=users.headers(admin)
        )
        assert response.status_code == 422


class TestPaginationBounds:
    @pytest.mark.parametrize(
        "params",
        [
            {"page_size": 101},
            {"page_size": 0},
            {"page": 0},
            {"page": -1},
            {"page": 10**12},
            {"page_size": "ten"},
            {"sort": "password_hash"},
            {"sort": "email;drop table users"},
            {"sort": "email,email"},
        ],
    )
    async def test_out_of_range_is_422_not_500(
        self, client: AsyncClient, users: UserFactory, params: dict[str, str | int]
    ) -> None:
        admin = await users.admin()
        response = await client.get(USERS, params=params, headers=users.headers(admin))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"

    async def test_maximum_page_size_is_accepted(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin()
        response = await client.get(USERS, params={"page_size": 100}, headers=users.headers(admin))
        assert response.status_code == 200
        assert response.json()["page_size"] == 100

    async def test_page_past_the_end_is_empty(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin()
        response = await client.get(USERS, params={"page": 50}, headers=users.headers(admin))
        assert response.status_code == 200
        assert response.json()["items"] == []
        assert response.json()["has_next"] is False


class TestRevokedAdmin:
    """Demoting or deactivating an admin takes effect at once, not when its token expires."""

    async def test_a_demoted_admins_token_cannot_promote_itself_back(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin()
        old_token = users.headers(admin)
        boss = await users.admin()
        demoted = await client.patch(
            f"{USERS}/{admin.id}", json={"role": "user"}, headers=users.headers(boss)
        )
        assert demoted.status_code == 200
        response = await client.patch(
            f"{USERS}/{admin.id}", json={"role": "admin"}, headers=old_token
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"
        assert (await client.get(USERS, headers=old_token)).status_code == 403
        me = await client.get(ME, headers=old_token)
        assert me.json()["role"] == "user"

    async def test_a_deactivated_admins_token_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin()
        old_token = users.headers(admin)
        boss = await users.admin()
        deactivated = await client.patch(
            f"{USERS}/{admin.id}", json={"is_active": False}, headers=users.headers(boss)
        )
        assert deactivated.status_code == 200
        response = await client.patch(
            f"{USERS}/{admin.id}", json={"role": "admin", "is_active": True}, headers=old_token
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
        assert (await client.get(USERS, headers=old_token)).status_code == 401

    async def test_a_deleted_admins_token_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin()
        old_token = users.headers(admin)
        await users.session.delete(admin)
        await users.session.commit()
        response = await client.get(USERS, headers=old_token)
        assert response.status_code == 401

    async def test_a_promoted_users_old_token_is_admin_at_once(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        # The role that counts is the account's; the token's is only a hint.
        user = await users.create()
        old_token = users.headers(user)
        user.role = Role.ADMIN
        await users.session.commit()
        assert (await client.get(USERS, headers=old_token)).status_code == 200
