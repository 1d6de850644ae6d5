"""Every rule of `forge audit`, proven both ways: quiet on the project forge generates, and
firing on a copy of it with exactly one defect planted (each case names the check it must
turn into a gap and the file the evidence must point at).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from fastapi_forge import __version__
from fastapi_forge.audit import audit
from fastapi_forge.audit.model import Report, Section, Status
from tests.audit.conftest import PACKAGE, statuses

PKG = f"src/{PACKAGE}"
ORDERS_ROUTER = f"{PKG}/features/orders/router.py"


@dataclass(frozen=True)
class Defect:
    """One planted defect: replace ``old`` by ``new`` in ``path`` (or append ``new``)."""

    check: str
    path: str
    new: str
    old: str | None = None  # None: append ``new`` to the file
    expected: Status = Status.NOT_MET
    evidence_in: str | None = ""  # "" means ``path``; None means no evidence expected

    def plant(self, root: Path) -> None:
        target = root / self.path
        if self.old is None:
            text = target.read_text(encoding="utf-8") if target.exists() else ""
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + self.new, encoding="utf-8")
            return
        text = target.read_text(encoding="utf-8")
        assert self.old in text, f"the fixture no longer matches {self.path}: {self.old!r}"
        target.write_text(text.replace(self.old, self.new), encoding="utf-8")


UNTYPED_ENDPOINT = '''

@router.get("/stats", summary="Order statistics")
async def order_stats():
    """Counts."""
    return {"count": 1}
'''
BARE_HTTP_EXCEPTION = '''

from fastapi import HTTPException


@router.get("/legacy/{order_id}", summary="Legacy lookup")
async def legacy_order(order_id: int) -> OrderRead:
    """Old clients."""
    raise HTTPException(status_code=404, detail="Order not found")
'''
MANUAL_TOKEN = '''

from fastapi import Request


@router.get("/whoami", summary="Who am I")
async def whoami(request: Request) -> OrderRead:
    """Reads the header itself."""
    token = request.headers.get("authorization")
    raise ValueError(token)
'''
SYNC_DB_CALL = '''

async def count_orders(session: object) -> int:
    """Counts the orders without awaiting."""
    return session.execute(select(Order))
'''
UNDOCUMENTED_ENDPOINT = """

@router.get("/count")
async def count_endpoint(service: OrderServiceDep) -> int:
    return 0
"""
DICT_BODY = '''

@router.post("/import", summary="Import orders")
async def import_orders(payload: dict, service: OrderServiceDep) -> OrderRead:
    """Takes anything."""
    raise ValueError(payload)
'''
UNBOUNDED_LIMIT = '''

@router.get("/recent", summary="Recent orders")
async def recent_orders(service: OrderServiceDep, limit: int = 100) -> list[OrderRead]:
    """The latest ones."""
    raise ValueError(limit)
'''
INJECTION = '''

async def find(session: object, name: str) -> object:
    """Builds SQL from a value."""
    return await session.execute(text(f"SELECT * FROM orders WHERE name = '{name}'"))
'''
WEAK_HASH = '''

import hashlib


def legacy_hash(password: str) -> str:
    """A fast hash: not fit for passwords."""
    return hashlib.sha256(password.encode()).hexdigest()
'''

DEFECTS = [
    # The 16-point health check.
    Defect("health.type_safety", ORDERS_ROUTER, UNTYPED_ENDPOINT, expected=Status.PARTIAL),
    Defect("health.error_handling", ORDERS_ROUTER, BARE_HTTP_EXCEPTION, expected=Status.PARTIAL),
    Defect("health.auth", ORDERS_ROUTER, MANUAL_TOKEN, expected=Status.UNHEALTHY),
    Defect("health.testing", "pyproject.toml", "", old="fail_under = 85", expected=Status.PARTIAL,
           evidence_in=None),
    Defect("health.database", f"{PKG}/features/orders/service.py", SYNC_DB_CALL,
           expected=Status.PARTIAL),
    Defect("health.observability", f"{PKG}/core/logging.py", "structlog.dev.ConsoleRenderer()",
           old="structlog.processors.JSONRenderer()", expected=Status.PARTIAL, evidence_in=None),
    Defect("health.deployment", "Dockerfile", "", old="USER 10001:10001\n",
           expected=Status.PARTIAL),
    Defect("health.documentation", ORDERS_ROUTER, UNDOCUMENTED_ENDPOINT, expected=Status.PARTIAL),
    # The 10-point security checklist.
    Defect("security.jwt_secret", f"{PKG}/core/config.py", "MIN_SECRET_LENGTH = 16",
           old="MIN_SECRET_LENGTH = 32"),
    Defect("security.token_expiry", f"{PKG}/core/config.py",
           "access_token_expire_minutes: int = Field(default=120, ge=1, le=240)",
           old="access_token_expire_minutes: int = Field(default=15, ge=1, le=30)"),
    Defect("security.password_hashing", f"{PKG}/core/security.py", WEAK_HASH),
    Defect("security.cors", f"{PKG}/main.py", 'allow_origins=["*"],',
           old="allow_origins=settings.effective_cors_origins,"),
    Defect("security.auth_rate_limit", f"{PKG}/features/auth/router.py",
           "dependencies=[Depends(no_store)],",
           old='dependencies=[Depends(rate_limit("rate_limit_login")), Depends(no_store)],'),
    Defect("security.https", f"{PKG}/main.py", "pass",
           old="app.add_middleware(HTTPSRedirectMiddleware, exempt_paths=PROBE_PATHS)",
           evidence_in=None),
    Defect("security.security_headers", f"{PKG}/core/middleware.py", 'b"x-content-policy"',
           old='b"content-security-policy"', evidence_in=f"{PKG}/core/middleware.py"),
    Defect("security.input_validation", ORDERS_ROUTER, DICT_BODY),
    Defect("security.input_validation", ORDERS_ROUTER, UNBOUNDED_LIMIT),
    Defect("security.sql_injection", f"{PKG}/features/orders/repository.py", INJECTION),
    Defect("security.dependency_scanning", ".github/workflows/ci.yml", "uvx safe-tool==2.10.1",
           old="uvx pip-audit==2.10.1", evidence_in=None),
    # The P0 production checklist (items shared with the security list have their own id).
    Defect("p0.secrets_from_env", f"{PKG}/core/config.py",
           '    stripe_api_key: str = "sk_live_0123456789abcdef"\n    app_name: str =',
           old="    app_name: str ="),
    Defect("p0.https", f"{PKG}/main.py", "pass",
           old="app.add_middleware(HTTPSRedirectMiddleware, exempt_paths=PROBE_PATHS)",
           evidence_in=None),
    Defect("p0.cors", f"{PKG}/main.py", 'allow_origins=["*"],',
           old="allow_origins=settings.effective_cors_origins,"),
    Defect("p0.auth_rate_limit", f"{PKG}/features/auth/router.py",
           "dependencies=[Depends(no_store)],",
           old='dependencies=[Depends(rate_limit("rate_limit_login")), Depends(no_store)],'),
    Defect("p0.input_validation", ORDERS_ROUTER, DICT_BODY),
    Defect("p0.structured_errors", f"{PKG}/main.py",
           "title=settings.app_name,\n        debug=True,", old="title=settings.app_name,"),
    Defect("p0.health_endpoints", f"{PKG}/features/health/router.py", '"/status"', old='"/ready"',
           evidence_in=None),
    Defect("p0.connection_pooling", f"{PKG}/core/database.py", "poolclass=NullPool,",
           old="pool_size=settings.db_pool_size,"),
    Defect("p0.migrations_before_deploy", "docker-compose.yml", 'command: ["true"]',
           old='command: ["alembic", "upgrade", "head"]', evidence_in="migrations/"),
    Defect("p0.structured_logging", f"{PKG}/core/logging.py", "structlog.dev.ConsoleRenderer()",
           old="structlog.processors.JSONRenderer()", evidence_in=None),
    Defect("p0.tests_in_ci", ".github/workflows/ci.yml", "run: uv run python -m compileall src",
           old="run: uv run pytest --cov --cov-report=term --cov-report=xml", evidence_in=None),
    # The P1 items the generated project meets.
    Defect("p1.metrics_endpoint", f"{PKG}/features/health/router.py", '"/prometheus-stats"',
           old='"/metrics"', evidence_in=None),
    Defect("p1.api_versioning", f"{PKG}/core/config.py", 'API_PREFIX = "/api"',
           old='API_PREFIX = "/api/v1"', evidence_in=None),
    Defect("p1.dependency_scanning", ".github/workflows/ci.yml", "uvx safe-tool==2.10.1",
           old="uvx pip-audit==2.10.1", evidence_in=None),
]  # fmt: skip


def test_the_generated_project_passes_every_check(generated_report: Report) -> None:
    report = generated_report
    gaps = {
        check.id: check.summary
        for check in report.checks
        if check.status.is_gap and check.section is not Section.P1
    }
    assert gaps == {}
    assert report.health_points == 16
    assert report.forge_project
    assert report.skipped == []
    assert [(app.name, app.factory) for app in report.apps] == [("create_app", True)]


def test_the_generated_project_scores_production_grade_short_of_the_reference_extras(
    generated_report: Report,
) -> None:
    """What keeps the generated project from 100: the reference's top levels that forge does
    not generate (contract tests, a cache, profiling, alert rules). Each is a next level."""
    levels = {item.dimension.id: item.level for item in generated_report.dimensions}
    assert levels == {
        "type_safety": 100,
        "error_handling": 100,
        "testing": 75,
        "security": 100,
        "performance": 50,
        "observability": 75,
        "database": 100,
        "deployment": 100,
    }
    assert generated_report.score == 88.75
    assert generated_report.band == "production-grade"
    p1_gaps = {check.id for check in generated_report.section(Section.P1) if check.status.is_gap}
    assert p1_gaps == {"p1.opentelemetry", "p1.task_queue", "p1.caching", "p1.benchmarks"}


def test_every_check_has_a_defect_case(generated_report: Report) -> None:
    planted = {defect.check for defect in DEFECTS}
    met_p1 = {
        check.id
        for check in generated_report.section(Section.P1)
        if not check.status.is_gap and check.id != "p1.request_logging"
    }
    expected = {
        check.id for check in generated_report.checks if check.section is not Section.P1
    } | met_p1
    assert expected <= planted


@pytest.mark.parametrize("defect", DEFECTS, ids=[defect.check for defect in DEFECTS])
def test_one_defect_fires_its_check(
    defect: Defect, project_copy: Path, generated_report: Report
) -> None:
    before = statuses(generated_report)
    assert not Status(before[defect.check]).is_gap, "the good project passes it"
    defect.plant(project_copy)

    report = audit(project_copy, forge_version=__version__)

    check = next(check for check in report.checks if check.id == defect.check)
    assert check.status is defect.expected, check.summary
    assert check.fix, "a gap comes with its fix"
    if defect.evidence_in is not None:
        where = defect.evidence_in or defect.path
        assert any(item.path.startswith(where) for item in check.evidence), check.evidence


def test_a_changed_generated_file_points_at_forge_status_and_the_base_copy(
    project_copy: Path,
) -> None:
    Defect("security.cors", f"{PKG}/main.py", 'allow_origins=["*"],',
           old="allow_origins=settings.effective_cors_origins,").plant(project_copy)  # fmt: skip

    report = audit(project_copy, forge_version=__version__)

    check = next(check for check in report.checks if check.id == "security.cors")
    assert check.fix is not None
    assert "`forge status`" in check.fix
    assert f".forge/base/{PKG}/main.py" in check.fix


def test_a_defect_in_a_slice_suggests_rendering_the_slice_again(project_copy: Path) -> None:
    Defect("security.input_validation", ORDERS_ROUTER, DICT_BODY).plant(project_copy)

    report = audit(project_copy, forge_version=__version__)

    check = next(check for check in report.checks if check.id == "security.input_validation")
    assert check.fix is not None
    assert "`forge add feature orders --force`" in check.fix


@pytest.mark.parametrize(
    ("files", "dimension", "level"),
    [
        ({"tests/test_contract.py": "import schemathesis\n"}, "testing", 100),
        ({"deploy/alerts.yml": "groups:\n  - rules:\n      - alert: HighErrorRate\n"},
         "observability", 100),
        ({f"{PKG}/core/cache.py": "import redis\n\ndef cache_get() -> None: ...\n"},
         "performance", 75),
    ],
)  # fmt: skip
def test_the_reference_extras_raise_their_dimension(
    files: dict[str, str], dimension: str, level: int, project_copy: Path
) -> None:
    for relative, text in files.items():
        (project_copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (project_copy / relative).write_text(text, encoding="utf-8")

    report = audit(project_copy, forge_version=__version__)

    assert {item.dimension.id: item.level for item in report.dimensions}[dimension] == level


POOL_SETTINGS = (
    "        pool_size=settings.db_pool_size,\n"
    "        max_overflow=settings.db_max_overflow,\n"
    "        pool_timeout=settings.db_pool_timeout,\n"
    "        pool_recycle=settings.db_pool_recycle,\n"
)


@pytest.mark.parametrize(
    ("old", "new", "path", "dimension", "level"),
    [
        ("strict = true", "strict = false", "pyproject.toml", "type_safety", 75),
        ("", "    pass\n", "ORDERS_MIGRATION", "deployment", 75),
        (POOL_SETTINGS, "", f"{PKG}/core/database.py", "database", 75),
    ],
)
def test_removing_a_level_lowers_the_dimension(
    old: str, new: str, path: str, dimension: str, level: int, project_copy: Path
) -> None:
    if path == "ORDERS_MIGRATION":
        path = next(
            p.relative_to(project_copy).as_posix()
            for p in (project_copy / "migrations" / "versions").glob("*_create_orders.py")
        )
        text = (project_copy / path).read_text(encoding="utf-8")
        old = text[text.index('    """Drop the orders table."""') :]
    Defect("", path, new, old=old).plant(project_copy)

    report = audit(project_copy, forge_version=__version__)

    assert {item.dimension.id: item.level for item in report.dimensions}[dimension] == level


@pytest.mark.parametrize(
    ("check_id", "files"),
    [
        ("p1.opentelemetry", {f"{PKG}/core/tracing.py": "from opentelemetry import trace\n"}),
        ("p1.task_queue", {f"{PKG}/core/jobs.py": "import arq\n"}),
        ("p1.caching", {f"{PKG}/core/cache.py": "from cashews import cache\n"}),
        ("p1.benchmarks", {"bench/test_orders.py": "def test_list(benchmark) -> None: ...\n"}),
    ],
)
def test_a_recommended_item_forge_does_not_generate_is_met_once_added(
    check_id: str, files: dict[str, str], project_copy: Path, generated_report: Report
) -> None:
    assert statuses(generated_report)[check_id] == "not_met"
    for relative, text in files.items():
        (project_copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (project_copy / relative).write_text(text, encoding="utf-8")

    report = audit(project_copy, forge_version=__version__)

    check = next(check for check in report.checks if check.id == check_id)
    assert check.status is Status.MET
    assert check.evidence[0].path == next(iter(files))


def test_a_middleware_that_stops_logging_requests_fails_request_logging(
    project_copy: Path,
) -> None:
    middleware = project_copy / PKG / "core" / "middleware.py"
    text = middleware.read_text(encoding="utf-8")
    assert "app_logging.access.info(" in text
    middleware.write_text(text.replace("app_logging.access.info(", "record("), encoding="utf-8")

    report = audit(project_copy, forge_version=__version__)

    check = next(check for check in report.checks if check.id == "p1.request_logging")
    assert check.status is Status.NOT_MET
