"""Request ids, access logs, security headers, trusted hosts, CORS, docs and compression."""

import json
import re

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from starlette.types import Message

from .conftest import AppFactory, client_for


class TestRequestId:
    async def test_generated_when_absent(self, client: AsyncClient) -> None:
        response = await client.get("/health")
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    async def test_echoed_when_given(self, client: AsyncClient) -> None:
        response = await client.get("/health", headers={"X-Request-ID": "abc-123.DEF_4:5"})
        assert response.headers["X-Request-ID"] == "abc-123.DEF_4:5"

    @pytest.mark.parametrize("bad", ["x" * 129, "has space", "back\\\\slash", "<script>"])
    async def test_unsafe_value_is_replaced(self, client: AsyncClient, bad: str) -> None:
        response = await client.get("/health", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    async def test_present_on_errors(self, client: AsyncClient) -> None:
        response = await client.get("/nowhere", headers={"X-Request-ID": "err-1"})
        assert response.headers["X-Request-ID"] == "err-1"


class TestAccessLog:
    async def test_one_line_per_request_with_duration_and_id(
        self, client: AsyncClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from demo.core.logging import configure_logging

        configure_logging(level="INFO", json_logs=True)
        capsys.readouterr()
        await client.get("/health", headers={"X-Request-ID": "log-me"})
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
        lines = [r for r in records if r.get("event") == "request"]
        assert len(lines) == 1
        line = lines[0]
        assert line["request_id"] == "log-me"
        assert line["status"] == 200
        assert line["route"] == "/health"
        assert line["logger"] == "access"
        assert isinstance(line["duration_ms"], float)

    async def test_below_the_configured_level_nothing_is_written(
        self, client: AsyncClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from demo.core.logging import configure_logging

        configure_logging(level="WARNING", json_logs=True)
        capsys.readouterr()
        await client.get("/health")
        assert '"event": "request"' not in capsys.readouterr().out

    async def test_json_output_carries_the_request_id(
        self, client: AsyncClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from demo.core.logging import configure_logging

        configure_logging(level="INFO", json_logs=True)
        await client.get("/health", headers={"X-Request-ID": "json-line"})
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
        access = [r for r in records if r.get("event") == "request"]
        assert access
        assert access[-1]["request_id"] == "json-line"
        assert access[-1]["level"] == "info"
        assert "timestamp" in access[-1]


class TestNoSecretsInDevelopmentTracebacks:
    async def test_unhandled_error_logs_a_short_traceback_without_locals(
        self, app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from demo.core.logging import configure_logging

        password = "plain-text-password-in-a-local"

        async def fail() -> None:
            token = "bearer-token-in-a-local"
            raise RuntimeError("boom " + str(len(password + token)))

        app = app_factory(environment="development", log_json=False, log_level="INFO")
        app.add_api_route("/boom", fail)
        try:
            async with client_for(app) as client:
                response = await client.get("/boom")
        finally:
            output = capsys.readouterr().out
            configure_logging(level="WARNING", json_logs=True)
        assert response.status_code == 500
        assert "unhandled_error" in output
        assert "RuntimeError: boom" in output
        assert password not in output
        assert "bearer-token-in-a-local" not in output
        assert len(output.splitlines()) < 200, "a traceback, not a dump of every local"


class TestWeakSecretServesLoopbackOnly:
    """Development accepts the .env.example placeholder, but then answers this machine only."""

    PLACEHOLDER = "change-me-to-a-random-string-of-at-least-32-characters"

    @staticmethod
    async def status_on(app: FastAPI, server: tuple[str, int]) -> int:
        """The status of ``GET /health`` arriving on the local address ``server``."""
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/health",
            "raw_path": b"/health",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"test")],
            "client": ("192.168.1.30", 50000),
            "server": server,
            "state": {},
        }
        await app(scope, receive, send)
        return int(next(m for m in sent if m["type"] == "http.response.start")["status"])

    async def test_weak_secret_refuses_requests_beyond_loopback(
        self, app_factory: AppFactory
    ) -> None:
        app = app_factory(environment="development", jwt_secret=self.PLACEHOLDER)
        assert await self.status_on(app, ("192.168.1.20", 8000)) == 403
        assert await self.status_on(app, ("127.0.0.1", 8000)) == 200
        assert await self.status_on(app, ("::1", 8000)) == 200

    async def test_random_secret_answers_every_address(self, app_factory: AppFactory) -> None:
        app = app_factory(environment="development")
        assert await self.status_on(app, ("192.168.1.20", 8000)) == 200


class TestSecurityHeaders:
    async def test_api_responses_are_locked_down(self, client: AsyncClient) -> None:
        headers = (await client.get("/health")).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in headers["Content-Security-Policy"]

    @pytest.mark.parametrize("environment", ["development", "test"])
    async def test_no_hsts_on_your_machine(self, app_factory: AppFactory, environment: str) -> None:
        async with client_for(app_factory(environment=environment)) as client:
            headers = (await client.get("/health")).headers
        assert "Strict-Transport-Security" not in headers

    @pytest.mark.parametrize("environment", ["staging", "production"])
    async def test_hsts_when_deployed(self, app_factory: AppFactory, environment: str) -> None:
        async with client_for(app_factory(environment=environment)) as client:
            headers = (await client.get("/health")).headers
        assert headers["Strict-Transport-Security"].startswith("max-age=")

    @pytest.mark.parametrize("environment", ["staging", "production"])
    async def test_docs_are_off_when_deployed(
        self, app_factory: AppFactory, environment: str
    ) -> None:
        async with client_for(app_factory(environment=environment)) as client:
            docs = await client.get("/docs")
            schema = await client.get("/openapi.json")
        assert docs.status_code == 404
        assert schema.status_code == 404

    async def test_docs_can_be_turned_on_in_staging(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(environment="staging", api_docs=True)) as client:
            assert (await client.get("/openapi.json")).status_code == 200

    async def test_docs_are_on_in_development(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(environment="development")) as client:
            docs = await client.get("/docs")
        assert docs.status_code == 200
        assert "Content-Security-Policy" not in docs.headers


class TestTrustedHosts:
    async def test_unknown_host_is_400(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(allowed_hosts=["api.example.com"])) as client:
            response = await client.get("/api/v1/users/me", headers={"Host": "evil.example.org"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "INVALID_HOST"

    async def test_allowed_host_and_wildcard_pass(self, app_factory: AppFactory) -> None:
        app = app_factory(allowed_hosts=["api.example.com", "*.internal.example.com"])
        async with client_for(app) as client:
            exact = await client.get("/health", headers={"Host": "api.example.com:8000"})
            wildcard = await client.get("/health", headers={"Host": "a.internal.example.com"})
        assert exact.status_code == wildcard.status_code == 200

    async def test_foreign_host_gets_no_redirect_to_itself(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(environment="production")) as client:
            response = await client.get("/api/v1/users/me/", headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert "location" not in response.headers

    @pytest.mark.parametrize("method", ["GET", "HEAD"])
    @pytest.mark.parametrize("path", ["/health", "/ready"])
    async def test_probes_answer_any_host(
        self, app_factory: AppFactory, method: str, path: str
    ) -> None:
        # The Dockerfile's and compose's health checks call http://127.0.0.1:8000/health.
        app = app_factory(environment="production", allowed_hosts=["api.example.com"])
        async with client_for(app) as client:
            probe = await client.request(method, path, headers={"Host": "127.0.0.1:8000"})
            other = await client.get("/api/v1/users/me", headers={"Host": "127.0.0.1:8000"})
        assert probe.status_code == 200
        assert other.status_code == 400


class TestHttpsRedirect:
    async def test_plain_http_is_redirected(self, app_factory: AppFactory) -> None:
        app = app_factory(force_https=True, allowed_hosts=["api.example.com"])
        async with client_for(app) as client:
            response = await client.get("/api/v1/users/me?a=1", headers={"Host": "api.example.com"})
        assert response.status_code == 307
        assert response.headers["location"] == "https://api.example.com/api/v1/users/me?a=1"

    async def test_foreign_host_is_refused_not_redirected(self, app_factory: AppFactory) -> None:
        # It was 307 Location: https://evil.example/...: the redirect ran before the Host check.
        app = app_factory(force_https=True, allowed_hosts=["api.example.com"])
        async with client_for(app) as client:
            response = await client.get("/api/v1/users/me", headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "INVALID_HOST"
        assert "location" not in response.headers

    @pytest.mark.parametrize("method", ["GET", "HEAD"])
    @pytest.mark.parametrize("path", ["/health", "/ready"])
    async def test_probes_are_not_redirected(
        self, app_factory: AppFactory, method: str, path: str
    ) -> None:
        # The Dockerfile HEALTHCHECK and load-balancer probes speak plain HTTP.
        app = app_factory(force_https=True, allowed_hosts=["api.example.com"])
        async with client_for(app) as client:
            response = await client.request(method, path, headers={"Host": "127.0.0.1:8000"})
        assert response.status_code == 200


class TestCors:
    async def test_refused_preflight_is_in_the_error_shape(self, app_factory: AppFactory) -> None:
        # It was 400 text/plain "Disallowed CORS origin".
        async with client_for(app_factory(cors_origins=["https://app.example.com"])) as client:
            response = await client.options(
                "/api/v1/users/me",
                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
            )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        error = response.json()["error"]
        assert error["code"] == "CORS_REJECTED"
        assert error["message"] == "Disallowed CORS origin"
        assert "access-control-allow-origin" not in response.headers

    async def test_allowed_origin_gets_cors_headers(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(cors_origins=["https://app.example.com"])) as client:
            response = await client.options(
                "/api/v1/users/me",
                headers={
                    "Origin": "https://app.example.com",
                    "Access-Control-Request-Method": "GET",
                },
            )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://app.example.com"

    async def test_other_origin_gets_none(self, app_factory: AppFactory) -> None:
        async with client_for(app_factory(cors_origins=["https://app.example.com"])) as client:
            response = await client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers


async def test_large_responses_are_compressed(app_factory: AppFactory) -> None:
    async with client_for(app_factory(environment="development")) as client:
        response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["info"]["title"]
