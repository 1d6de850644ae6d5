"""`forge add-feature`: what it writes, and that bad input or a failure writes nothing."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine import migrations
from fastapi_forge.generators.project.generator import create_project
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import tree_snapshot

ORDERS_FILES = sorted(
    [
        "migrations/versions/{migration}",
        "src/shop/features/orders/__init__.py",
        "src/shop/features/orders/dependencies.py",
        "src/shop/features/orders/exceptions.py",
        "src/shop/features/orders/models.py",
        "src/shop/features/orders/repository.py",
        "src/shop/features/orders/router.py",
        "src/shop/features/orders/schemas.py",
        "src/shop/features/orders/service.py",
        "src/shop/registry.py",
        "tests/orders/__init__.py",
        "tests/orders/factories.py",
        "tests/orders/test_api.py",
    ]
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by `forge new`, rendered once per module."""
    root = tmp_path_factory.mktemp("pristine") / "shop"
    create_project(
        normalize_project_name("shop"),
        root,
        description="Shop",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    return root


@pytest.fixture
def project(pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the project, and the current folder inside it."""
    root = tmp_path / "shop"
    shutil.copytree(pristine, root)
    monkeypatch.chdir(root / "src")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["add-feature", *args])
    return result.exit_code, result.stdout, result.stderr


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def written_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Files (not folders) that are new or changed."""
    return sorted(
        path for path in after if not path.endswith("/") and before.get(path) != after[path]
    )


class TestWrites:
    def test_exact_files_of_a_slice(self, project: Path) -> None:
        before = tree_snapshot(project)
        code, out, _ = run("orders", "--field", "total:decimal:gt=0")
        assert code == 0, out
        written = written_files(before, tree_snapshot(project))
        migrations = [p for p in written if p.startswith("migrations/versions/")]
        assert len(migrations) == 1
        expected = [p.format(migration=Path(migrations[0]).name) for p in ORDERS_FILES]
        # ... and forge's record of them: the manifest and a base copy of each.
        records = [".forge/manifest.toml", *(f".forge/base/{p}" for p in expected)]
        assert written == sorted([*expected, *records])

    def test_names_are_derived_and_shown(self, project: Path) -> None:
        code, out, _ = run("order-items", "--field", "sku:str")
        assert code == 0, out
        assert "OrderItem" in out
        assert "/api/v1/order-items" in out
        registry = (project / "src/shop/registry.py").read_text()
        assert "order_items_router," in registry
        assert "order_items_models," in registry
        models = (project / "src/shop/features/order_items/models.py").read_text()
        assert "class OrderItem(" in models
        assert '__tablename__ = "order_items"' in models

    @pytest.mark.parametrize(
        ("raw", "package", "class_name"),
        [("person", "people", "Person"), ("categories", "categories", "Category")],
    )
    def test_singular_or_plural_input(
        self, project: Path, raw: str, package: str, class_name: str
    ) -> None:
        assert run(raw)[0] == 0
        models = (project / f"src/shop/features/{package}/models.py").read_text()
        assert f"class {class_name}(" in models

    def test_without_fields_the_slice_has_a_name(self, project: Path) -> None:
        code, out, _ = run("tags")
        assert code == 0
        assert "name:str" in out
        assert "name: Mapped[str]" in (project / "src/shop/features/tags/models.py").read_text()

    def test_migration_chains_to_the_current_head(self, project: Path) -> None:
        assert run("customers")[0] == 0
        assert run("orders", "--field", "customer:ref=customers")[0] == 0
        revisions = migrations.read_revisions(project / "migrations/versions")
        assert migrations.single_head(revisions)
        by_file = {
            r.path.name.split("_create_")[-1]: r for r in revisions if "_create_" in r.path.name
        }
        assert by_file["orders.py"].down_revisions == (by_file["customers.py"].revision,)

    def test_public_slice_has_no_owner(self, project: Path) -> None:
        assert run("notes", "--public", "--field", "body:text")[0] == 0
        models = (project / "src/shop/features/notes/models.py").read_text()
        router = (project / "src/shop/features/notes/router.py").read_text()
        assert "owner_id" not in models
        assert "CurrentUser" not in router

    def test_dry_run_writes_nothing_and_shows_the_edit(self, project: Path) -> None:
        before = tree_snapshot(project)
        code, out, _ = run("orders", "--dry-run")
        assert code == 0
        assert tree_snapshot(project) == before
        assert "+    orders_router," in out
        assert "src/shop/features/orders" in out or "orders/" in out
        assert "nothing was written" in out

    def test_same_command_twice_refuses(self, project: Path) -> None:
        assert run("orders")[0] == 0
        before = tree_snapshot(project)
        code, _, err = run("orders")
        assert code == 1
        assert "already exists" in one_error_line(err)
        assert "--force" in err
        assert tree_snapshot(project) == before

    def test_force_rerenders_only_the_slices_own_files(self, project: Path) -> None:
        assert run("orders", "--field", "total:int")[0] == 0
        models = project / "src/shop/features/orders/models.py"
        models.write_text("# edited by hand\n")
        (project / "src/shop/main.py").write_text((project / "src/shop/main.py").read_text() + "\n")
        before = tree_snapshot(project)
        code, out, _ = run("orders", "--force", "--field", "total:int")
        assert code == 0, out
        changed = written_files(before, tree_snapshot(project))
        assert changed == ["src/shop/features/orders/models.py"]
        assert len(list((project / "migrations/versions").glob("*_create_orders.py"))) == 1


BAD_INPUT = [
    (["users"], "reserved"),
    (["health"], "reserved"),
    (["none"], "keyword"),
    (["factories"], "tests/factories"),
    (["refresh-tokens"], "refresh_tokens"),
    (["campus", "--plural", "lambda"], "keyword"),
    (["orders", "--singular", "customer", "--plural", "customers"], "neither"),
    (["1orders"], "letter"),
    (["or$ders"], "or$ders"),
    (["orders", "--field", "price:money"], "unknown field type"),
    (["orders", "--field", "price:int:maxx=3"], "unknown modifier"),
    (["orders", "--field", "price:int:max=3"], "max"),
    (["orders", "--field", "customer:ref=customers"], "does not exist"),
    (["orders", "--field", "parent:ref=orders"], "itself"),
    (["orders", "--field", "name:str", "--field", "name:int"], "duplicate"),
    (["orders", "--field", "class:str"], "keyword"),
    (["orders", "--field", "id:str"], "id"),
    (["orders", "--field", "created_at:date"], "created_at"),
    (["orders", "--field", "owner_id:uuid"], "owner_id"),
    (["orders", "--field", "page:str"], "query parameter"),
    (["orders", "--field", "status:enum="], "enum"),
    (["orders", "--field", "total:decimal:gt=abc"], "number"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD_INPUT, ids=lambda v: str(v))
def test_bad_input_is_one_line_and_writes_nothing(
    project: Path, args: list[str], fragment: str
) -> None:
    before = tree_snapshot(project)
    code, _, err = run(*args)
    assert code == 1
    assert fragment in one_error_line(err)
    assert tree_snapshot(project) == before


def test_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = tree_snapshot(tmp_path)
    code, _, err = run("orders")
    assert code == 1
    assert "forge new" in one_error_line(err)
    assert tree_snapshot(tmp_path) == before


def test_registry_without_its_markers_is_refused(project: Path) -> None:
    registry = project / "src/shop/registry.py"
    registry.write_text(registry.read_text().replace("    # forge:routers\n", ""))
    before = tree_snapshot(project)
    code, _, err = run("orders")
    assert code == 1
    assert "forge:routers" in one_error_line(err)
    assert tree_snapshot(project) == before


def test_several_migration_heads_are_refused(project: Path) -> None:
    versions = project / "migrations/versions"
    (versions / "2026_01_01_0000-branch_a.py").write_text(
        'revision = "branch_a"\ndown_revision = "0001"\n'
    )
    (versions / "2026_01_01_0001-branch_b.py").write_text(
        'revision = "branch_b"\ndown_revision = "0001"\n'
    )
    before = tree_snapshot(project)
    code, _, err = run("orders")
    assert code == 1
    assert "alembic merge heads" in one_error_line(err)
    assert tree_snapshot(project) == before


def test_public_slice_cannot_reference_an_owned_one(project: Path) -> None:
    assert run("customers")[0] == 0
    before = tree_snapshot(project)
    code, _, err = run("notes", "--public", "--field", "customer:ref=customers")
    assert code == 1
    assert "--public" in one_error_line(err)
    assert tree_snapshot(project) == before


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_midway_restores_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    before = tree_snapshot(project)
    original = Path.replace
    calls = {"count": 0}

    def failing_replace(self: Path, target: Path) -> Path:
        calls["count"] += 1
        if calls["count"] == 5:
            raise failure
        return original(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    code, _, err = run("orders", "--field", "total:int")
    assert code == (130 if isinstance(failure, KeyboardInterrupt) else 1)
    assert one_error_line(err)
    assert calls["count"] == 5
    assert tree_snapshot(project) == before


def test_stated_forms_are_used_and_shown(project: Path) -> None:
    code, out, err = run("campi", "--singular", "campus", "--field", "name:str")
    assert code == 0, err
    assert "campus / campi" in out
    models = (project / "src/shop/features/campi/models.py").read_text()
    assert "class Campus(" in models
    assert '__tablename__ = "campi"' in models
    router = (project / "src/shop/features/campi/router.py").read_text()
    assert 'f"{API_PREFIX}/campi"' in router


def test_a_ref_to_a_feature_with_stated_forms_uses_its_real_names(project: Path) -> None:
    assert run("campi", "--singular", "campus")[0] == 0
    code, _, err = run("buildings", "--field", "campus:ref=campi")
    assert code == 0, err
    service = (project / "src/shop/features/buildings/service.py").read_text()
    assert "from ..campi.models import Campus" in service
    factories = (project / "tests/buildings/factories.py").read_text()
    assert "from ..campi.factories import create_campus" in factories


def test_a_ref_to_users_says_what_to_do_instead(project: Path) -> None:
    before = tree_snapshot(project)
    code, _, err = run("tasks", "--field", "assignee:ref=users")
    assert code == 1
    line = one_error_line(err)
    assert "cannot reference the built-in users" in line
    assert "assignee_user_id:uuid?" in line
    assert tree_snapshot(project) == before


def _apply(project: Path, *revisions: str) -> Path:
    """A SQLite database like `uv run alembic upgrade` leaves, at the .env's URL."""
    import sqlite3

    database = project / "shop.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.executemany(
            "INSERT INTO alembic_version VALUES (?)", [(revision,) for revision in revisions]
        )
    connection.close()
    return database


def _revision_of(project: Path, plural: str) -> str:
    revisions = migrations.read_revisions(project / "migrations/versions")
    return next(r.revision for r in revisions if r.path.stem.endswith(f"_create_{plural}"))


def test_force_refuses_a_migration_applied_to_the_sqlite_database(project: Path) -> None:
    assert run("orders", "--field", "total:int")[0] == 0
    assert run("invoices", "--field", "total:int")[0] == 0
    _apply(project, _revision_of(project, "invoices"))  # orders is below the head: applied
    before = tree_snapshot(project)

    code, _, err = run("orders", "--force", "--field", "total:int", "--field", "note:text?")

    assert code == 1
    line = one_error_line(err)
    assert "is already applied to the database" in line
    assert "shop.db" in line
    assert "alembic downgrade" in line
    assert tree_snapshot(project) == before


def test_force_rewrites_a_migration_the_database_does_not_have(project: Path) -> None:
    assert run("orders", "--field", "total:int")[0] == 0
    versions = migrations.read_revisions(project / "migrations/versions")
    initial = next(r.revision for r in versions if not r.down_revisions)
    _apply(project, initial)

    code, _, err = run("orders", "--force", "--field", "total:int", "--field", "note:text?")

    assert code == 0, err


def test_next_steps_work_from_a_subfolder(project: Path) -> None:
    code, out, _ = run("orders")
    assert code == 0
    steps = out.split("Next steps:")[1].split()
    assert " ".join(steps) == ("cd .. uv run alembic upgrade head uv run pytest tests/orders")


def test_long_migration_names_are_not_cut_when_piped(project: Path) -> None:
    code, out, _ = run("purchase-order-line-item-archives")
    assert code == 0
    migration = next(project.glob("migrations/versions/*purchase_order_line_item_archives.py"))
    assert f"migrations/versions/{migration.name}" in out


def test_force_with_a_database_forge_cannot_see_says_so(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("orders", "--field", "total:int")[0] == 0
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql+asyncpg://app@db.example/shop")

    code, out, _ = run("orders", "--force", "--field", "total:int")

    assert code == 0
    assert "forge cannot see whether your database has it applied" in " ".join(out.split())
