"""`forge audit` on FastAPI projects forge did not make: a module-level app with routers
across packages and the common mistakes of the reference, and rules that must not fire on
code that only looks like a mistake."""

from __future__ import annotations

from pathlib import Path

from fastapi_forge import __version__
from fastapi_forge.audit import audit
from fastapi_forge.audit.model import Section, Status
from tests.audit.conftest import statuses, write_files

LEGACY = {
    "pyproject.toml": '[project]\nname = "legacy"\ndependencies = ["fastapi"]\n',
    "app/__init__.py": "",
    "app/main.py": """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api.items import routes as items
from app.api.users.routes import router as users_router

app = FastAPI()
app.add_middleware(
    CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"]
)
app.include_router(users_router, prefix="/users")
app.include_router(items.router)
""",
    "app/db.py": """\
import sqlite3

SECRET_KEY = "super-secret-value-123"


def get_db():
    return sqlite3.connect("app.db")
""",
    "app/api/__init__.py": "",
    "app/api/users/__init__.py": "",
    "app/api/users/routes.py": """\
from fastapi import APIRouter, HTTPException, Request

router = APIRouter()


@router.get("/{user_id}")
def read_user(user_id: int):
    if user_id != 1:
        raise HTTPException(status_code=404, detail="User not found")
    print("found", user_id)
    return {"id": user_id}


@router.post("/login")
async def login(request: Request):
    body = await request.json()
    return {"token": body["name"]}
""",
    "app/api/items/__init__.py": "",
    "app/api/items/routes.py": """\
import time

from fastapi import APIRouter, Depends

from app.db import get_db

router = APIRouter(prefix="/items")


@router.get("")
async def list_items(owner: str, db=Depends(get_db)):
    time.sleep(0.1)
    rows = db.execute(f"SELECT * FROM items WHERE owner = '{owner}'")
    return [dict(row) for row in rows]
""",
    "Dockerfile": 'FROM python:3.12\nCOPY . .\nRUN pip install fastapi uvicorn\nCMD ["uvicorn", "app.main:app"]\n',  # noqa: E501
}


def test_a_module_level_app_with_routers_across_packages(tmp_path: Path) -> None:
    write_files(tmp_path, LEGACY)

    report = audit(tmp_path, forge_version=__version__)

    assert not report.forge_project
    assert [(app.path, app.name, app.factory) for app in report.apps] == [
        ("app/main.py", "app", False)
    ]
    found = statuses(report)
    assert {key: found[key] for key in found if key.startswith("health.")} == {
        "health.type_safety": "unhealthy",
        "health.error_handling": "unhealthy",
        "health.auth": "unhealthy",
        "health.testing": "unhealthy",
        "health.database": "unhealthy",
        "health.observability": "unhealthy",
        "health.deployment": "partial",
        "health.documentation": "unhealthy",
    }
    assert report.health_points == 1
    for key in (
        "security.cors",
        "security.sql_injection",
        "security.input_validation",
        "security.auth_rate_limit",
        "security.https",
        "security.security_headers",
        "security.dependency_scanning",
        "p0.secrets_from_env",
        "p0.structured_errors",
        "p0.health_endpoints",
        "p0.structured_logging",
        "p0.tests_in_ci",
    ):
        assert found[key] == "not_met", key
    assert report.band == "critical"
    assert report.score < 40


def test_the_evidence_names_the_file_and_line(tmp_path: Path) -> None:
    write_files(tmp_path, LEGACY)

    report = audit(tmp_path, forge_version=__version__)
    by_id = {check.id: check for check in report.checks}

    cors = by_id["security.cors"]
    assert [(e.path, e.line) for e in cors.evidence] == [("app/main.py", 8)]
    assert "allow_credentials=True" in cors.summary
    injection = by_id["security.sql_injection"].evidence
    assert [(e.path, e.line) for e in injection] == [("app/api/items/routes.py", 13)]
    bare = by_id["health.error_handling"].evidence
    assert [(e.path, e.line) for e in bare] == [("app/api/users/routes.py", 9)]
    secrets = by_id["p0.secrets_from_env"].evidence
    assert [(e.path, e.line) for e in secrets] == [("app/db.py", 3)]
    login = by_id["security.auth_rate_limit"].evidence
    assert [e.note for e in login] == ["POST /users/login (login) has no rate limit"] or [
        e.note for e in login
    ] == ["POST /login (login) has no rate limit"]
    raw = by_id["security.input_validation"].evidence
    assert any("reads request.json()" in e.note for e in raw)
    blocking = next(d for d in report.dimensions if d.dimension.id == "performance")
    assert blocking.level == 0
    assert any("time.sleep" in e.note for e in blocking.evidence)
    assert any("db.execute() not awaited" in e.note for e in blocking.evidence)


def test_fixes_outside_a_forge_project_are_instructions(tmp_path: Path) -> None:
    write_files(tmp_path, LEGACY)

    report = audit(tmp_path, forge_version=__version__)

    fixes = [
        check.fix
        for check in report.checks
        if check.status.is_gap and check.status is not Status.UNKNOWN
    ]
    assert all(fixes)
    assert not any("forge " in fix for fix in fixes if fix)


def test_a_dockerfile_with_one_stage_and_no_user_is_partial(tmp_path: Path) -> None:
    write_files(tmp_path, LEGACY)

    report = audit(tmp_path, forge_version=__version__)

    deployment = next(check for check in report.checks if check.id == "health.deployment")
    assert deployment.summary == "Dockerfile: single-stage, runs as root, no HEALTHCHECK"


QUIET = {
    "service/main.py": """\
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import get_session

app = FastAPI(title="Quiet", version="1")


class Status(BaseModel):
    ok: bool


@app.get("/ready", summary="Readiness")
async def ready(session: AsyncSession = Depends(get_session)) -> Status:
    await session.execute(text("SELECT 1"))
    query = "SELECT name FROM items WHERE id = :id"
    await session.execute(text(query), {"id": 1})
    return Status(ok=True)


@app.get("/items", summary="A page of items")
async def items(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[Status]:
    return []


@app.get("/tokens/{token_id}", summary="Read a token (not a login)")
async def read_token(token_id: int) -> Status:
    return Status(ok=True)
""",
    "service/settings.py": """\
from pydantic import SecretStr
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    rate_limit_password_change: str = "5/hour"
    password_hash_time_cost: int = 3
    access_token_expire_minutes: int = 15
    metrics_token: SecretStr | None = None
    api_key_header: str = "X-API-Key"
""",
}


def test_look_alikes_do_not_fire(tmp_path: Path) -> None:
    """Parameterised SQL, SELECT 1 probes, a GET with 'token' in its path, settings whose
    names mention passwords or tokens without holding one: none is a finding."""
    write_files(tmp_path, QUIET)

    report = audit(tmp_path, forge_version=__version__)
    found = statuses(report)

    assert found["security.sql_injection"] == "met"
    assert found["security.auth_rate_limit"] == "unknown"  # no login/register/token writes
    assert found["p0.secrets_from_env"] == "met"
    assert found["security.input_validation"] == "met"
    assert found["health.type_safety"] == "healthy"
    assert report.section(Section.HEALTH)[0].status is Status.HEALTHY
    database = next(d for d in report.dimensions if d.dimension.id == "database")
    assert database.evidence == []  # SELECT 1 is not raw SQL
