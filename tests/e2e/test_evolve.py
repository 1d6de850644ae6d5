"""A project through `forge add field`, `forge remove field`, a many-to-many (`refs=`)
and `forge remove feature`, with rows in its databases: after each step its own ruff,
`mypy --strict`, suite and Alembic round trip pass on SQLite and PostgreSQL, and the
databases that had rows upgrade in place (the new columns backfilled)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from tests.e2e.conftest import GeneratedProject, generate, require_postgres, require_redis
from tests.e2e.test_generated_project import fuzz, passed_count

pytestmark = pytest.mark.e2e

FEATURES = [
    ["customers", "--field", "name:str:max=120", "--field", "email:str?:index"],
    ["orders", "--field", "total:decimal:gt=0", "--field", "customer:ref=customers"],
    ["tags", "--public", "--field", "label:str:unique"],
    ["notes", "--field", "body:text"],
]

_SQL = """
import asyncio, sys
from sqlalchemy.ext.asyncio import create_async_engine
async def main() -> None:
    engine = create_async_engine(sys.argv[1])
    async with engine.begin() as connection:
        for statement in sys.argv[2:]:
            result = await connection.exec_driver_sql(statement)
            if result.returns_rows:
                print(repr([tuple(row) for row in result.fetchall()]))
    await engine.dispose()
asyncio.run(main())
"""


def _forge(project: GeneratedProject, *arguments: str) -> str:
    with contextlib.chdir(project.root):
        result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def _sql(project: GeneratedProject, url: str, *statements: str) -> str:
    return project.run("python", "-c", _SQL, url, *statements).stdout.strip()


def _uuid(dialect: str) -> str:
    value = uuid.uuid4()
    return value.hex if dialect == "sqlite" else str(value)


def _rows(project: GeneratedProject, url: str, dialect: str) -> None:
    """A row in every table, as an app that ran a while would have."""
    user, customer, order, tag, note = (_uuid(dialect) for _ in range(5))
    moment = "2024-01-01 00:00:00.000000" if dialect == "sqlite" else "2024-01-01 00:00:00+00"
    rows = {
        "users": {
            "id": user,
            "email": "a@example.com",
            "password_hash": "x",
            "full_name": "A",
            "role": "user",
            "is_active": True,
        },
        "customers": {"id": customer, "owner_id": user, "name": "Ann", "email": "a@example.com"},
        "orders": {"id": order, "owner_id": user, "total": 5, "customer_id": customer},
        "tags": {"id": tag, "label": "red"},
        "notes": {"id": note, "owner_id": user, "body": "remember"},
    }
    _sql(
        project,
        url,
        *(
            _insert(table, {**values, "created_at": moment, "updated_at": moment})
            for table, values in rows.items()
        ),
    )


def _insert(table: str, values: dict[str, object]) -> str:
    """An INSERT with literal values (ours: UUIDs, fixed words and numbers)."""
    literals = [
        str(value).lower()
        if isinstance(value, bool)
        else str(value)
        if isinstance(value, int)
        else f"'{value}'"
        for value in values.values()
    ]
    return f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(literals)})"  # noqa: S608


class TestEvolvingProject:
    """Four features; a field added to one, a field removed from another, a many-to-many
    between two, a feature removed; the checks after every step."""

    scenario: ClassVar[dict[str, Any]] = {"name": "evolving", "features": FEATURES}

    @pytest.fixture(scope="class")
    def project(self, tmp_path_factory: pytest.TempPathFactory) -> GeneratedProject:
        return generate(tmp_path_factory, **self.scenario)

    @pytest.fixture(scope="class")
    def databases(
        self, project: GeneratedProject, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[list[tuple[str, str]]]:
        """(dialect, URL) of a SQLite and a PostgreSQL database with rows in every table."""
        server = require_postgres()
        postgres, name = project.create_postgres_database(server)
        sqlite = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('rows') / 'rows.sqlite3'}"
        found = [("sqlite", sqlite), ("postgres", postgres)]
        for dialect, url in found:
            project.run("alembic", "upgrade", "head", env=project.app_env(url))
            _rows(project, url, dialect)
        yield found
        project.drop_postgres_database(server, name)

    def _checks(self, project: GeneratedProject, tmp_path: Path, step: str) -> None:
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
        assert project.run("mypy").stdout.startswith("Success"), step
        redis = require_redis()
        server = require_postgres()
        for test_database in (None, server):
            env = {"TEST_REDIS_URL": redis}
            if test_database:
                env["TEST_DATABASE_URL"] = test_database
            result = project.run("pytest", "-q", "-p", "no:cacheprovider", env=env)
            assert passed_count(result.stdout) >= 100, step
        url, name = project.create_postgres_database(server)
        try:
            for fresh in (f"sqlite+aiosqlite:///{tmp_path / f'{step}.sqlite3'}", url):
                env = project.app_env(fresh)
                project.run("alembic", "upgrade", "head", env=env)
                project.run("alembic", "check", env=env)
                project.run("alembic", "downgrade", "base", env=env)
        finally:
            project.drop_postgres_database(server, name)

    def _upgrade(self, project: GeneratedProject, databases: Sequence[tuple[str, str]]) -> None:
        for _, url in databases:
            project.run("alembic", "upgrade", "head", env=project.app_env(url))
            project.run("alembic", "check", env=project.app_env(url))

    def test_each_step_is_green_and_existing_rows_follow(
        self,
        project: GeneratedProject,
        databases: list[tuple[str, str]],
        tmp_path: Path,
    ) -> None:
        _forge(
            project,
            "add",
            "field",
            "orders",
            "--field",
            "quantity:int:ge=1:default=1",
            "--field",
            "status:enum=new,paid:default=new",
            "--field",
            "due_on:date?:default=2024-01-31",
            "--field",
            "note:text?",
        )
        self._upgrade(project, databases)
        for dialect, url in databases:
            rows = _sql(project, url, "SELECT quantity, status, due_on, note FROM orders")
            assert rows.startswith("[(1, 'new', "), (dialect, rows)
            assert "2024" in rows, (dialect, rows)
            assert rows.endswith("None)]"), (dialect, rows)
        self._checks(project, tmp_path, "add-field")

        _forge(project, "remove", "field", "customers", "email")
        self._upgrade(project, databases)
        for dialect, url in databases:
            assert _sql(project, url, "SELECT name FROM customers") == "[('Ann',)]", dialect
        self._checks(project, tmp_path, "remove-field")

        _forge(project, "add", "field", "orders", "--field", "tags:refs=tags")
        self._upgrade(project, databases)
        for dialect, url in databases:
            assert _sql(project, url, "SELECT count(*) FROM orders_tags") == "[(0,)]", dialect
        self._checks(project, tmp_path, "many-to-many")

        _forge(project, "remove", "feature", "notes")
        self._upgrade(project, databases)
        assert not (project.root / "src" / project.package / "features" / "notes").exists()
        self._checks(project, tmp_path, "remove-feature")

        # The whole history goes down again, rows and all.
        for _, url in databases:
            project.run("alembic", "downgrade", "base", env=project.app_env(url))
        assert "nothing to do" in _forge(project, "update", "--dry-run")

    @pytest.mark.fuzz
    def test_the_evolved_app_survives_fuzzing(
        self, project: GeneratedProject, tmp_path: Path
    ) -> None:
        report = fuzz(project, f"sqlite+aiosqlite:///{tmp_path / 'fuzz.sqlite3'}", tmp_path)
        failures = {failure["code"]: failure["count"] for failure in report["failures"]}
        assert not failures, failures
        assert report["operations"]["tested"] == report["operations"]["selected"]
