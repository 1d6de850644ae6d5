"""Registration, login, token refresh, revocation, and every way a token can be wrong."""

import uuid
from datetime import timedelta

import jwt
import pytest
from httpx import AsyncClient

from demo.core import security
from demo.core.errors import AuthenticationError
from demo.core.security import Role, TokenService, TokenType
from demo.shared.models import utcnow

from .conftest import TEST_JWT_SECRET, AppFactory, client_for
from .factories import DEFAULT_PASSWORD, UserFactory

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


async def login(
    client: AsyncClient, email: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    response = await client.post(LOGIN, data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def assert_unauthorized(response_json: dict[str, object], status: int) -> None:
    assert status == 401
    error = response_json["error"]
    assert isinstance(error, dict)
    assert error["code"] == "UNAUTHORIZED"


def forge_token(
    payload: dict[str, object], *, key: str = TEST_JWT_SECRET, algorithm: str = "HS256"
) -> str:
    now = utcnow()
    claims: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "role": "user",
        "type": "access",
        "jti": str(uuid.uuid4()),
        "iss": "demo",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(payload)
    return jwt.encode(claims, key, algorithm=algorithm)


class TestRegister:
    async def test_creates_user_without_exposing_password(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER, json={"email": "Ada@Example.com", "password": "long enough pw"}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["email"] == "ada@example.com"
        assert body["role"] == "user"
        assert not {"password", "password_hash"} & body.keys()
        assert "long enough pw" not in response.text

    async def test_duplicate_email_is_409_whatever_the_case(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        await users.create(email="taken@example.com")
        response = await client.post(
            REGISTER, json={"email": "TAKEN@example.com", "password": "long enough pw"}
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "CONFLICT"
        assert response.json()["error"]["details"] == {"field": "email"}

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"email": "not-an-email", "password": "long enough pw"}, "email"),
            ({"email": "a@example.com", "password": "short"}, "password"),
            ({"email": "a@example.com", "password": "x" * 129}, "password"),
            ({"password": "long enough pw"}, "email"),
            (
                {"email": "a@example.com", "password": "long enough pw", "full_name": ""},
                "full_name",
            ),
        ],
    )
    async def test_invalid_input_is_422(
        self, client: AsyncClient, payload: dict[str, str], field: str
    ) -> None:
        response = await client.post(REGISTER, json=payload)
        assert response.status_code == 422
        locations = [error["loc"][-1] for error in response.json()["error"]["details"]["errors"]]
        assert field in locations

    async def test_cannot_register_as_admin(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER,
            json={"email": "mallory@example.com", "password": "long enough pw", "role": "admin"},
        )
        assert response.status_code == 422

    async def test_password_is_not_echoed_in_validation_errors(self, client: AsyncClient) -> None:
        response = await client.post(REGISTER, json={"email": "bad", "password": "s3cr3t!"})
        assert response.status_code == 422
        assert "s3cr3t!" not in response.text


class TestLogin:
    async def test_returns_token_pair(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        assert tokens["token_type"] == "bearer"
        assert int(tokens["expires_in"]) <= 30 * 60
        me = await client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == str(user.id)

    async def test_wrong_password_is_401_with_challenge(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        response = await client.post(LOGIN, data={"username": user.email, "password": "wrong pw!"})
        assert_unauthorized(response.json(), response.status_code)
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_unknown_email_gets_the_same_answer(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        wrong_password = await client.post(LOGIN, data={"username": user.email, "password": "nope"})
        unknown = await client.post(
            LOGIN, data={"username": "nobody@example.com", "password": "nope"}
        )
        assert unknown.status_code == wrong_password.status_code == 401
        assert unknown.json() == wrong_password.json()

    async def test_inactive_user_cannot_log_in(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create(is_active=False)
        response = await client.post(
            LOGIN, data={"username": user.email, "password": DEFAULT_PASSWORD}
        )
        assert_unauthorized(response.json(), response.status_code)

    async def test_nul_byte_in_username_is_401_not_500(self, client: AsyncClient) -> None:
        # Found by fuzzing on PostgreSQL, which refuses NUL in a query parameter.
        response = await client.post(
            LOGIN, data={"username": "a\x00b@example.com", "password": "pw"}
        )
        assert_unauthorized(response.json(), response.status_code)

    async def test_missing_form_fields_are_422(self, client: AsyncClient) -> None:
        response = await client.post(LOGIN, data={"username": "a@example.com"})
        assert response.status_code == 422

    async def test_rate_limited_after_the_configured_attempts(
        self, app_factory: AppFactory
    ) -> None:
        async with client_for(app_factory(rate_limit_login="2/minute")) as client:
            form = {"username": "a@example.com", "password": "wrong pw"}
            statuses = [(await client.post(LOGIN, data=form)).status_code for _ in range(3)]
            limited = await client.post(LOGIN, data=form)
        assert statuses == [401, 401, 429]
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert int(limited.headers["Retry-After"]) >= 1


class TestAccessTokens:
    async def test_missing_token_is_401(self, client: AsyncClient) -> None:
        response = await client.get(ME)
        assert_unauthorized(response.json(), response.status_code)
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_malformed_header_is_401(self, client: AsyncClient) -> None:
        response = await client.get(ME, headers={"Authorization": "Bearer not.a.jwt"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_expired_token_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        past = utcnow() - timedelta(hours=1)
        token = forge_token(
            {"sub": str(user.id), "iat": past, "nbf": past, "exp": past + timedelta(minutes=5)}
        )
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)
        assert response.json()["error"]["message"] == "Token has expired"

    async def test_tampered_signature_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        genuine = users.headers(user)
        assert (await client.get(ME, headers=genuine)).status_code == 200  # now remembered
        header, payload, signature = genuine["Authorization"].split(".")
        tampered = f"{header}.{payload}.{signature[::-1]}"
        response = await client.get(ME, headers={"Authorization": tampered})
        assert_unauthorized(response.json(), response.status_code)

    async def test_elevated_role_in_forged_payload_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        token = forge_token({"sub": str(user.id), "role": "admin"}, key="another-key-" + "k" * 40)
        response = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_alg_none_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        unsigned = jwt.encode(
            {"sub": str(user.id), "role": "admin", "type": "access"}, key=None, algorithm="none"
        )
        response = await client.get(ME, headers={"Authorization": f"Bearer {unsigned}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_other_algorithm_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        token = forge_token({"sub": str(user.id)}, algorithm="HS512")
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_wrong_issuer_is_401(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        token = forge_token({"sub": str(user.id), "iss": "someone-else"})
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_missing_claims_are_401(self, client: AsyncClient) -> None:
        token = jwt.encode({"sub": str(uuid.uuid4())}, TEST_JWT_SECRET, algorithm="HS256")
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_refresh_token_is_not_an_access_token(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        response = await client.get(
            ME, headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
        )
        assert_unauthorized(response.json(), response.status_code)

    def test_lifetimes_respect_the_security_checklist(self, token_service: TokenService) -> None:
        assert token_service.access_ttl <= timedelta(minutes=30)
        assert token_service.refresh_ttl <= timedelta(days=7)

    def test_a_verified_token_is_remembered_until_it_expires(
        self, token_service: TokenService, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        issued = token_service.issue(uuid.uuid4(), Role.USER, TokenType.ACCESS)
        first = token_service.verify(issued.token, TokenType.ACCESS)
        assert token_service.verify(issued.token, TokenType.ACCESS) is first

        expired = issued.expires_at + timedelta(seconds=1)
        monkeypatch.setattr(security, "utcnow", lambda: expired)
        with pytest.raises(AuthenticationError, match="Token has expired"):
            token_service.verify(issued.token, TokenType.ACCESS)

    def test_remembered_tokens_are_bounded(
        self, token_service: TokenService, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(security, "VERIFIED_TOKENS_KEPT", 1)
        one, two = (
            token_service.issue(uuid.uuid4(), Role.USER, TokenType.ACCESS).token for _ in range(2)
        )
        first = token_service.verify(one, TokenType.ACCESS)
        token_service.verify(two, TokenType.ACCESS)
        again = token_service.verify(one, TokenType.ACCESS)
        assert again is not first
        assert again == first

    def test_a_remembered_access_token_is_still_no_refresh_token(
        self, token_service: TokenService
    ) -> None:
        issued = token_service.issue(uuid.uuid4(), Role.USER, TokenType.ACCESS)
        token_service.verify(issued.token, TokenType.ACCESS)
        with pytest.raises(AuthenticationError, match="Expected a token of type refresh"):
            token_service.verify(issued.token, TokenType.REFRESH)


class TestRefresh:
    async def test_rotates_the_pair(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        first = await login(client, user.email)
        response = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
        assert response.status_code == 200
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        me = await client.get(ME, headers={"Authorization": f"Bearer {second['access_token']}"})
        assert me.status_code == 200

    async def test_used_refresh_token_is_refused(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        replay = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert_unauthorized(replay.json(), replay.status_code)

    async def test_replay_revokes_the_whole_family(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        stolen = await login(client, user.email)
        rotated = (
            await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
        ).json()
        await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
        response = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
        assert_unauthorized(response.json(), response.status_code)

    async def test_access_token_cannot_refresh(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        response = await client.post(REFRESH, json={"refresh_token": tokens["access_token"]})
        assert_unauthorized(response.json(), response.status_code)

    async def test_unknown_refresh_token_is_401(
        self, client: AsyncClient, users: UserFactory, token_service: TokenService
    ) -> None:
        user = await users.create()
        never_stored = token_service.issue(user.id, Role.USER, TokenType.REFRESH).token
        response = await client.post(REFRESH, json={"refresh_token": never_stored})
        assert_unauthorized(response.json(), response.status_code)

    async def test_deactivated_user_cannot_refresh(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        user.is_active = False
        await users.session.commit()
        response = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert_unauthorized(response.json(), response.status_code)

    async def test_empty_body_is_422(self, client: AsyncClient) -> None:
        response = await client.post(REFRESH, json={})
        assert response.status_code == 422


class TestLogout:
    async def test_revokes_the_refresh_token(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        response = await client.post(LOGOUT, json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 204
        refused = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert_unauthorized(refused.json(), refused.status_code)

    async def test_twice_is_still_204(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        await client.post(LOGOUT, json={"refresh_token": tokens["refresh_token"]})
        again = await client.post(LOGOUT, json={"refresh_token": tokens["refresh_token"]})
        assert again.status_code == 204

    async def test_garbage_token_is_401(self, client: AsyncClient) -> None:
        response = await client.post(LOGOUT, json={"refresh_token": "garbage"})
        assert_unauthorized(response.json(), response.status_code)
