"""Contract tests: every operation of the OpenAPI schema, fuzzed in-process by Schemathesis.

Each operation gets a bounded number of generated requests (``CONTRACT_EXAMPLES``),
derandomized so that every run sends the same ones, made as an admin signed in through
the app's own login. Each reply must not be a server error and must conform to the
schema: its status, content type, headers and body. The check left out,
``positive_data_acceptance``, expects every schema-valid body to succeed, but a business
rule (a reference to a row that does not exist, a duplicate unique value) rightly
answers 404, 409 or 422.

Schemathesis runs the app on an event loop of its own, so the app here has its own engine
and a database of its own (a SQLite file, or a fresh PostgreSQL database with
``TEST_DATABASE_URL``): what it writes is committed, and no other test sees it.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from demo.core.database import (
    create_engine,
    create_sessionmaker,
    session_scope,
)
from demo.main import OPENAPI_URL, create_app
from demo.shared.models import Base

from .conftest import _create_postgres_database, _drop_postgres_database, make_settings
from .factories import DEFAULT_PASSWORD, UserFactory

CONTRACT_EXAMPLES = 10
# The Host the Schemathesis test client sends.
CONTRACT_HOST = "testserver"


@pytest.fixture(scope="session")
async def contract_app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    """An app with a database of its own, its schema created, and one admin account."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        database_url = await _create_postgres_database(server_url)
    else:
        path: Path = tmp_path_factory.mktemp("contract") / "contract.sqlite3"
        database_url = f"sqlite+aiosqlite:///{path}"
    settings_ = make_settings(database_url, allowed_hosts=[CONTRACT_HOST])
    engine = create_engine(settings_)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        app = create_app(settings_)
        async with session_scope(create_sessionmaker(engine)) as session:
            users = UserFactory(session, app.state.password_hasher, app.state.token_service)
            admin = await users.admin()
        app.state.contract_admin = admin.email
        await engine.dispose()
        yield app
    finally:
        await engine.dispose()
        if server_url:
            await _drop_postgres_database(server_url, database_url)


@pytest.fixture(scope="session")
def api_schema(contract_app: FastAPI) -> OpenApiSchema:
    """The app's OpenAPI schema, as Schemathesis reads it over ASGI."""
    return schemathesis.openapi.from_asgi(OPENAPI_URL, contract_app)


@pytest.fixture(scope="session")
def admin_headers(api_schema: OpenApiSchema, contract_app: FastAPI) -> dict[str, str]:
    """An admin's access token, from the app's own login."""
    login = api_schema["/api/v1/auth/login"]["POST"].Case(
        body={"username": contract_app.state.contract_admin, "password": DEFAULT_PASSWORD},
        media_type="application/x-www-form-urlencoded",
    )
    response = login.call()
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_every_operation_keeps_its_contract(
    api_schema: OpenApiSchema, admin_headers: dict[str, str]
) -> None:
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), f"the schema has an invalid operation: {result.err()}"
        operations.append(result.ok())
    assert len(operations) > 1
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=CONTRACT_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_its_contract(case: Case[Any]) -> None:
            case.call_and_validate(
                headers=admin_headers, excluded_checks=[positive_data_acceptance]
            )

        try:
            keeps_its_contract()
        except Exception as error:
            error.add_note(f"operation: {operation.label}")
            raise
