"""Registration, login, password changes, token refresh, revocation, rate limits, and
every way a token can be wrong."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient, Response
from pydantic import ValidationError
from sqlalchemy import delete, func, select

from demo.core import security
from demo.core.config import Environment, Settings
from demo.core.errors import AuthenticationError
from demo.core.security import (
    PasswordHasher,
    Role,
    TokenService,
    TokenType,
)
from demo.features.auth.models import RefreshToken
from demo.features.users.models import User
from demo.main import create_app
from demo.shared.models import utcnow

from .conftest import TEST_JWT_SECRET, AppFactory, client_for
from .factories import DEFAULT_PASSWORD, UserFactory

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
PASSWORD = "/api/v1/auth/password"
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


def assert_not_cacheable(response: Response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


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

    async def test_password_is_kept_exactly_as_typed(self, client: AsyncClient) -> None:
        phrase = "  my pass phrase  "
        response = await client.post(REGISTER, json={"email": "pp@example.com", "password": phrase})
        assert response.status_code == 201
        await login(client, "pp@example.com", phrase)
        stripped = await client.post(
            LOGIN, data={"username": "pp@example.com", "password": phrase.strip()}
        )
        assert_unauthorized(stripped.json(), stripped.status_code)

    async def test_ordinary_text_is_still_stripped(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER,
            json={"email": "st@example.com", "password": "long enough pw", "full_name": " Ada "},
        )
        assert response.status_code == 201
        assert response.json()["full_name"] == "Ada"

    @pytest.mark.parametrize("password", [" " * 8, "\t \n " * 3, "\u3000" * 8])
    async def test_a_password_of_whitespace_alone_is_422(
        self, client: AsyncClient, password: str
    ) -> None:
        response = await client.post(
            REGISTER, json={"email": "ws@example.com", "password": password}
        )
        assert response.status_code == 422
        errors = response.json()["error"]["details"]["errors"]
        assert [error["loc"] for error in errors] == [["body", "password"]]

    async def test_spaces_count_towards_the_length(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER, json={"email": "sp@example.com", "password": "   a    "}
        )
        assert response.status_code == 201

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

    @pytest.mark.parametrize(
        "email",
        [
            "u@xn--exmple-cua.com",  # an IDNA (punycode) domain, stored decoded
            "a\u0301@example.com",  # NFD: a and a combining accent, stored as NFC
            "ada@\uff45xample.org",  # a full-width letter in the domain
            "Ada@Example.COM",
        ],
    )
    async def test_logs_in_with_the_email_as_registered(
        self, client: AsyncClient, email: str
    ) -> None:
        registered = await client.post(
            REGISTER, json={"email": email, "password": "long enough pw"}
        )
        assert registered.status_code == 201, registered.text
        await login(client, email, "long enough pw")
        await login(client, registered.json()["email"], "long enough pw")

    async def test_every_form_of_an_email_counts_against_one_account_limit(
        self, app_factory: AppFactory, users: UserFactory
    ) -> None:
        await users.create(email="ada@example.org")
        app = app_factory(rate_limit_login_account="2/minute")
        async with client_for(app) as client:
            forms = ["ada@\uff45xample.org", "ADA@example.org", "ada@example.org"]
            statuses = [
                (
                    await client.post(LOGIN, data={"username": form, "password": "wrong pw"})
                ).status_code
                for form in forms
            ]
        assert statuses == [401, 401, 429]

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

    async def test_failed_logins_are_limited_per_account_from_any_address(
        self, app_factory: AppFactory, users: UserFactory
    ) -> None:
        victim, other = await users.create(), await users.create()
        app = app_factory(rate_limit_login_account="3/minute")
        for number in range(3):
            async with client_for(app, f"203.0.113.{number}") as client:
                wrong = {"username": victim.email.upper(), "password": "wrong pw!"}
                response = await client.post(LOGIN, data=wrong)
                assert_unauthorized(response.json(), response.status_code)
        async with client_for(app, "198.51.100.7") as client:
            right = {"username": victim.email, "password": DEFAULT_PASSWORD}
            locked = await client.post(LOGIN, data=right)
            assert locked.status_code == 429
            assert locked.json()["error"]["code"] == "RATE_LIMITED"
            assert int(locked.headers["Retry-After"]) >= 1
            others = await client.post(
                LOGIN, data={"username": other.email, "password": DEFAULT_PASSWORD}
            )
            assert others.status_code == 200

    async def test_successful_logins_do_not_use_up_the_account_limit(
        self, app_factory: AppFactory, users: UserFactory
    ) -> None:
        user = await users.create()
        async with client_for(app_factory(rate_limit_login_account="2/minute")) as client:
            form = {"username": user.email, "password": DEFAULT_PASSWORD}
            statuses = [(await client.post(LOGIN, data=form)).status_code for _ in range(4)]
        assert statuses == [200] * 4

    async def test_token_response_is_not_cacheable(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        response = await client.post(
            LOGIN, data={"username": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 200
        assert_not_cacheable(response)


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

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"exp": 1e20}, id="exp-far-beyond-datetime"),
            pytest.param({"exp": 10**30}, id="exp-huge-int"),
            pytest.param({"exp": "9999999999"}, id="exp-string"),
            pytest.param({"exp": True}, id="exp-boolean"),
            pytest.param({"iat": "1700000000"}, id="iat-string"),
            pytest.param({"iat": -1e20}, id="iat-far-past"),
            pytest.param({"iat": 0}, id="lifetime-longer-than-configured"),
            pytest.param({"nbf": "1700000000"}, id="nbf-string"),
            pytest.param({"nbf": -1e20}, id="nbf-far-past"),
            pytest.param({"sub": 12345}, id="sub-number"),
            pytest.param({"sub": ["x"]}, id="sub-list"),
            pytest.param({"jti": 7}, id="jti-number"),
            pytest.param({"role": ["admin"]}, id="role-list"),
            pytest.param({"type": ["access"]}, id="type-list"),
        ],
    )
    async def test_claims_of_the_wrong_type_or_range_are_401(
        self, client: AsyncClient, users: UserFactory, claims: dict[str, object]
    ) -> None:
        # Signed with the real key: only the claims are wrong. exp=1e20 used to be a 500.
        user = await users.create()
        token = forge_token({"sub": str(user.id), **claims})
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response.json(), response.status_code)

    async def test_fractional_timestamps_are_accepted(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        now = utcnow().timestamp()
        token = forge_token({"sub": str(user.id), "iat": now, "nbf": now, "exp": now + 60.5})
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200

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

    async def test_token_response_is_not_cacheable(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        response = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 200
        assert_not_cacheable(response)

    async def test_refresh_token_is_not_stripped(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        padded = f" {tokens['refresh_token']} "
        response = await client.post(REFRESH, json={"refresh_token": padded})
        assert_unauthorized(response.json(), response.status_code)


class TestConcurrentRefresh:
    """Real commits on the run's database (no test transaction): requests truly race."""

    @pytest.mark.usefixtures("engine")  # the schema
    async def test_one_refresh_token_sent_at_once_many_times_rotates_once(
        self, settings: Settings
    ) -> None:
        app = create_app(settings)
        email = f"race-{uuid.uuid4().hex[:8]}@example.com"
        try:
            async with client_for(app) as client:
                registered = await client.post(
                    REGISTER, json={"email": email, "password": DEFAULT_PASSWORD}
                )
                assert registered.status_code == 201
                tokens = await login(client, email)
                body = {"refresh_token": tokens["refresh_token"]}
                responses = await asyncio.gather(
                    *(client.post(REFRESH, json=body) for _ in range(6))
                )
            statuses = sorted(response.status_code for response in responses)
            assert statuses == [200] + [401] * 5, statuses
            async with app.state.sessionmaker() as session:
                live = await session.scalar(
                    select(func.count())
                    .select_from(RefreshToken)
                    .join(User, User.id == RefreshToken.user_id)
                    .where(User.email == email, RefreshToken.revoked_at.is_(None))
                )
            # The losers count as replays of a used token, which ends the winner's session too.
            assert live == 0
        finally:
            async with app.state.sessionmaker() as session:
                await session.execute(delete(User).where(User.email == email))
                await session.commit()
            await app.state.engine.dispose()


class TestPasswordChange:
    async def change(
        self,
        client: AsyncClient,
        users: UserFactory,
        user: User,
        current: str = DEFAULT_PASSWORD,
        new: str = "  a new pass phrase  ",
    ) -> Response:
        return await client.post(
            PASSWORD,
            json={"current_password": current, "new_password": new},
            headers=users.headers(user),
        )

    async def test_ends_every_session_and_returns_a_new_pair(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        sessions = [await login(client, user.email) for _ in range(2)]
        response = await self.change(client, users, user)
        assert response.status_code == 200
        assert_not_cacheable(response)
        fresh = await client.post(REFRESH, json={"refresh_token": response.json()["refresh_token"]})
        assert fresh.status_code == 200
        for tokens in sessions:
            refused = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
            assert_unauthorized(refused.json(), refused.status_code)
        await login(client, user.email, "  a new pass phrase  ")
        old = await client.post(LOGIN, data={"username": user.email, "password": DEFAULT_PASSWORD})
        assert_unauthorized(old.json(), old.status_code)

    async def test_wrong_current_password_is_422_and_changes_nothing(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        tokens = await login(client, user.email)
        response = await self.change(client, users, user, current="not my password")
        assert response.status_code == 422
        errors = response.json()["error"]["details"]["errors"]
        assert [error["loc"] for error in errors] == [["body", "current_password"]]
        await login(client, user.email)
        still_live = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert still_live.status_code == 200

    @pytest.mark.parametrize(
        "body",
        [{"new_password": "a new pass phrase"}, {"current_password": DEFAULT_PASSWORD}, {}],
    )
    async def test_both_passwords_are_required(
        self, client: AsyncClient, users: UserFactory, body: dict[str, str]
    ) -> None:
        user = await users.create()
        response = await client.post(PASSWORD, json=body, headers=users.headers(user))
        assert response.status_code == 422

    async def test_same_password_is_422(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        response = await self.change(client, users, user, new=DEFAULT_PASSWORD)
        assert response.status_code == 422

    async def test_requires_a_token(self, client: AsyncClient) -> None:
        response = await client.post(
            PASSWORD, json={"current_password": "whatever", "new_password": "a new pass phrase"}
        )
        assert_unauthorized(response.json(), response.status_code)

    async def test_token_of_deleted_account_is_401(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        headers = users.headers(user)
        await users.session.delete(user)
        await users.session.commit()
        response = await client.post(
            PASSWORD,
            json={"current_password": DEFAULT_PASSWORD, "new_password": "a new pass phrase"},
            headers=headers,
        )
        assert_unauthorized(response.json(), response.status_code)

    async def test_rate_limited_per_account(
        self, app_factory: AppFactory, users: UserFactory
    ) -> None:
        user = await users.create()
        app = app_factory(rate_limit_password_change="2/minute")
        statuses = []
        for number in range(3):
            async with client_for(app, f"203.0.113.{number}") as client:
                response = await self.change(client, users, user, current="wrong guess")
                statuses.append(response.status_code)
        assert statuses == [422, 422, 429]


class TestTrustedProxies:
    async def attempts(self, app: Any, forwarded_for: list[str]) -> list[int]:
        statuses = []
        async with client_for(app, "10.0.0.2") as client:
            for value in forwarded_for:
                response = await client.post(
                    LOGIN,
                    data={"username": f"{uuid.uuid4().hex}@example.com", "password": "wrong pw"},
                    headers={"X-Forwarded-For": value},
                )
                statuses.append(response.status_code)
        return statuses

    async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
        self, app_factory: AppFactory
    ) -> None:
        app = app_factory(rate_limit_login="2/minute")
        statuses = await self.attempts(app, ["1.1.1.1", "2.2.2.2", "3.3.3.3"])
        assert statuses == [401, 401, 429]

    async def test_a_trusted_proxy_gives_each_client_its_own_limit(
        self, app_factory: AppFactory
    ) -> None:
        app = app_factory(rate_limit_login="2/minute", trusted_proxies=["10.0.0.0/24"])
        statuses = await self.attempts(app, ["1.1.1.1", "1.1.1.1", "2.2.2.2", "1.1.1.1"])
        assert statuses == [401, 401, 401, 429]

    async def test_a_client_cannot_rotate_its_way_past_the_proxy(
        self, app_factory: AppFactory
    ) -> None:
        # The proxy appends the address it saw; what the client sent before it is not used.
        app = app_factory(rate_limit_login="2/minute", trusted_proxies=["10.0.0.2"])
        forged = [f"{number}.6.6.6, 1.1.1.1" for number in range(1, 4)]
        assert await self.attempts(app, forged) == [401, 401, 429]

    @pytest.mark.parametrize("value", ["not-an-ip", "10.0.0.0/33"])
    def test_entries_must_be_addresses_or_networks(self, settings: Settings, value: str) -> None:
        with pytest.raises(ValidationError, match="not an IP address or network"):
            Settings.model_validate(settings.model_dump() | {"trusted_proxies": [value]})

    def test_wildcard_is_refused_outside_development(self, settings: Settings) -> None:
        values = settings.model_dump() | {
            "trusted_proxies": ["*"],
            "environment": Environment.PRODUCTION,
            "allowed_hosts": ["api.example.com"],
        }
        with pytest.raises(ValidationError, match="TRUSTED_PROXIES may not contain"):
            Settings.model_validate(values)

    @pytest.mark.parametrize("network", ["0.0.0.0/0", "::/0", "10.0.0.0/7", "2001::/15"])
    def test_networks_too_broad_for_proxies_are_refused_when_deployed(
        self, settings: Settings, network: str
    ) -> None:
        values = settings.model_dump() | {
            "trusted_proxies": ["10.0.0.5", network],
            "environment": Environment.PRODUCTION,
            "allowed_hosts": ["api.example.com"],
        }
        with pytest.raises(ValidationError, match="too broad"):
            Settings.model_validate(values)
        development = values | {"environment": Environment.DEVELOPMENT}
        assert Settings.model_validate(development).trusted_proxies[1] == network

    @pytest.mark.parametrize("network", ["10.0.0.0/8", "fd00::/16", "192.0.2.1"])
    def test_proxy_networks_of_ordinary_size_are_accepted(
        self, settings: Settings, network: str
    ) -> None:
        values = settings.model_dump() | {
            "trusted_proxies": [network],
            "environment": Environment.PRODUCTION,
            "allowed_hosts": ["api.example.com"],
        }
        assert Settings.model_validate(values).trusted_proxies == [network]


class TestPasswordHashing:
    async def test_at_most_the_configured_number_of_hashes_run_at_once(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        running = peak = 0

        async def in_thread(function: Callable[..., Any], *args: Any) -> Any:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1
            return function(*args)

        hasher = PasswordHasher(
            Settings.model_validate(settings.model_dump() | {"password_hash_concurrency": 2})
        )
        monkeypatch.setattr(security, "run_in_threadpool", in_thread)
        hashes = await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(8)))
        checks = await asyncio.gather(*(hasher.verify("password 0", hashes[0]) for _ in range(8)))
        assert peak == 2
        assert all(checks)


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
