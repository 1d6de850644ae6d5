"""Render tests (pytest-copie): the exact files each option set produces, and what differs."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "templates" / "project"

EXPECTED_FILES = [
    ".copier-answers.yml",
    ".dockerignore",
    ".env.example",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".python-version",
    "Dockerfile",
    "README.md",
    "alembic.ini",
    "docker-compose.yml",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/2026_11_22_0000-0001_create_users_and_refresh_tokens.py",
    "ops/prometheus/alerts.yml",
    "pyproject.toml",
    "src/shop/__init__.py",
    "src/shop/core/__init__.py",
    "src/shop/core/config.py",
    "src/shop/core/content_types.py",
    "src/shop/core/database.py",
    "src/shop/core/errors.py",
    "src/shop/core/hosts.py",
    "src/shop/core/http_cache.py",
    "src/shop/core/logging.py",
    "src/shop/core/metrics.py",
    "src/shop/core/middleware.py",
    "src/shop/core/profiling.py",
    "src/shop/core/rate_limit.py",
    "src/shop/core/security.py",
    "src/shop/features/__init__.py",
    "src/shop/features/auth/__init__.py",
    "src/shop/features/auth/dependencies.py",
    "src/shop/features/auth/exceptions.py",
    "src/shop/features/auth/models.py",
    "src/shop/features/auth/repository.py",
    "src/shop/features/auth/router.py",
    "src/shop/features/auth/schemas.py",
    "src/shop/features/auth/service.py",
    "src/shop/features/health/__init__.py",
    "src/shop/features/health/router.py",
    "src/shop/features/users/__init__.py",
    "src/shop/features/users/dependencies.py",
    "src/shop/features/users/exceptions.py",
    "src/shop/features/users/models.py",
    "src/shop/features/users/repository.py",
    "src/shop/features/users/router.py",
    "src/shop/features/users/schemas.py",
    "src/shop/features/users/service.py",
    "src/shop/main.py",
    "src/shop/manage.py",
    "src/shop/py.typed",
    "src/shop/registry.py",
    "src/shop/shared/__init__.py",
    "src/shop/shared/models.py",
    "src/shop/shared/pagination.py",
    "src/shop/shared/repository.py",
    "src/shop/shared/schemas.py",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/factories.py",
    "tests/test_alerts.py",
    "tests/test_architecture.py",
    "tests/test_auth.py",
    "tests/test_config.py",
    "tests/test_contract.py",
    "tests/test_database.py",
    "tests/test_errors.py",
    "tests/test_health.py",
    "tests/test_limits.py",
    "tests/test_manage.py",
    "tests/test_middleware.py",
    "tests/test_migrations.py",
    "tests/test_profiling.py",
    "tests/test_rate_limit.py",
    "tests/test_schemas.py",
    "tests/test_users.py",
]

OPTION_SETS = [
    {"database": "sqlite", "python_version": "3.11"},
    {"database": "sqlite", "python_version": "3.12"},
    {"database": "sqlite", "python_version": "3.13"},
    {"database": "postgres", "python_version": "3.11"},
    {"database": "postgres", "python_version": "3.12"},
    {"database": "postgres", "python_version": "3.13"},
]


def render(copie: Any, **answers: str) -> Path:
    result = copie.copy(extra_answers={"project_name": "shop", **answers}, template_dir=TEMPLATE)
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    return project


def files_of(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: "-".join(o.values()))
def test_exact_file_list(copie: Any, options: dict[str, str]) -> None:
    assert files_of(render(copie, **options)) == sorted(EXPECTED_FILES)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_database_option_decides_url_and_compose(copie: Any, database: str) -> None:
    project = render(copie, database=database)
    scheme = "postgresql+asyncpg://" if database == "postgres" else "sqlite+aiosqlite:///"
    assert f"SHOP_DATABASE_URL={scheme}" in (project / ".env.example").read_text()
    assert (
        f'default=SecretStr(\n            "{scheme}'
        in (project / "src/shop/core/config.py").read_text()
    )
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    assert ("db" in compose["services"]) is (database == "postgres")
    assert ("pgdata" in compose["volumes"]) is (database == "postgres")
    assert ("docker compose up -d db" in (project / "README.md").read_text()) is (
        database == "postgres"
    )


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_python_option_decides_interpreter_not_code(copie: Any, version: str) -> None:
    project = render(copie, python_version=version)
    assert (project / ".python-version").read_text().strip() == version
    assert f"ARG PYTHON_VERSION={version}" in (project / "Dockerfile").read_text()
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    assert workflow["env"]["PYTHON_VERSION"] == version
    pyproject = (project / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject
    assert 'target-version = "py311"' in pyproject


def test_answers_file_records_answers_and_version(copie: Any) -> None:
    project = render(copie, database="postgres", description="Orders")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_forge_template"] == "project"
    assert answers["database"] == "postgres"
    assert answers["description"] == "Orders"
    assert answers["package_name"] == "shop"
    assert "_src_path" not in answers, "a machine-specific path must not be recorded"


def test_workflow_runs_the_redis_test_and_pins_the_auditor(copie: Any) -> None:
    workflow = yaml.safe_load((render(copie) / ".github/workflows/ci.yml").read_text())
    test_job = workflow["jobs"]["test"]
    assert test_job["services"]["redis"]["ports"] == ["6379:6379"]
    tests = next(step for step in test_job["steps"] if step.get("name") == "Tests")
    assert tests["env"]["TEST_REDIS_URL"] == "redis://localhost:6379/15"
    audit = " ".join(step.get("run", "") for step in workflow["jobs"]["audit"]["steps"])
    assert "uvx pip-audit==2.10.1 " in audit


def test_dockerfile_cmd_caps_headers_in_the_server(copie: Any) -> None:
    # httptools buffers a header of any size before the app's 431 can answer.
    lines = (render(copie) / "Dockerfile").read_text().splitlines()
    cmd = json.loads(next(line for line in lines if line.startswith("CMD ")).removeprefix("CMD "))
    assert cmd[cmd.index("--http") + 1] == "h11"
    assert cmd[cmd.index("--h11-max-incomplete-event-size") + 1] == "65536"


def test_workflow_expressions_survive_rendering(copie: Any) -> None:
    workflow = (render(copie) / ".github/workflows/ci.yml").read_text()
    assert "${{ github.ref }}" in workflow
    assert "${{ matrix.database == 'postgres'" in workflow


def test_bytecode_in_the_installed_template_is_not_copied(copie: Any, tmp_path: Path) -> None:
    template = tmp_path / "project"
    shutil.copytree(TEMPLATE, template)
    cache = template / "template" / "src" / "{{ package_name }}" / "__pycache__"
    cache.mkdir()
    (cache / "main.cpython-311.pyc").write_bytes(b"\x00")
    (template / "template" / "stray.pyc").write_bytes(b"\x00")
    result = copie.copy(extra_answers={"project_name": "shop"}, template_dir=template)
    assert result.exit_code == 0, result.exception
    assert files_of(result.project_dir) == sorted(EXPECTED_FILES)


def runtime_stage(dockerfile: str) -> list[str]:
    """The instructions of the Dockerfile's last stage, continuation lines joined."""
    instructions = dockerfile.replace("\\\n", " ").splitlines()
    start = max(i for i, line in enumerate(instructions) if line.startswith("FROM "))
    return [line for line in instructions[start:] if line and not line.startswith("#")]


def test_sqlite_compose_volume_is_writable_by_the_image_user(copie: Any) -> None:
    project = render(copie, database="sqlite")
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    mounts = [volume.split(":") for volume in compose["x-app"]["volumes"]]
    assert [target for _, target in mounts] == ["/data"]
    url = compose["x-app"]["environment"]["SHOP_DATABASE_URL"]
    assert url == "sqlite+aiosqlite:////data/shop.db", "the database lives in the volume"
    stage = runtime_stage((project / "Dockerfile").read_text())
    user = next(line.split()[1] for line in stage if line.startswith("USER "))
    assert user == "10001:10001"
    # A fresh named volume copies the ownership of the image's folder it is mounted on:
    # the folder must exist in the image and belong to the unprivileged user.
    run = " ".join(line for line in stage if line.startswith("RUN "))
    assert "useradd --system --uid 10001 --gid app" in run
    assert "install -d -o app -g app -m 0750 /data" in run
    assert stage.index(next(line for line in stage if "/data" in line)) < stage.index(
        f"USER {user}"
    )


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_compose_runs_production_with_no_public_database(copie: Any, database: str) -> None:
    project = render(copie, database=database)
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    assert environment["SHOP_ENVIRONMENT"] == "production", "never taken from .env"
    assert "$" not in environment["SHOP_ENVIRONMENT"]
    assert environment["SHOP_ALLOWED_HOSTS"] == "${SHOP_ALLOWED_HOSTS:-localhost,127.0.0.1}"
    assert "ports" not in compose["services"]["redis"]
    if database == "postgres":
        db = compose["services"]["db"]
        assert db["ports"] == ["127.0.0.1:5432:5432"]
        required = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"
        assert db["environment"]["POSTGRES_PASSWORD"] == required
        assert f":{required}@db:5432/" in environment["SHOP_DATABASE_URL"]
        assert "postgres:postgres@" not in (project / "docker-compose.yml").read_text()
        assert "\nPOSTGRES_PASSWORD=\n" in (project / ".env.example").read_text()
    else:
        assert "POSTGRES_PASSWORD" not in (project / ".env.example").read_text()
