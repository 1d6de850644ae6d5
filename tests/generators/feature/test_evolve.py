"""`forge add field`, `forge remove field` and `forge remove feature`: what they write,
what they merge, what they record (a replay renders the evolved project byte for byte),
and every bad input refused with one line and a byte-identical tree."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fastapi_forge
from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import BASE_DIR, MANIFEST_FILE, read_manifest
from fastapi_forge.engine.migrations import read_revisions, single_head
from fastapi_forge.engine.replay import replay
from fastapi_forge.engine.status import project_status
from fastapi_forge.errors import EXIT_CONFLICTS
from fastapi_forge.generators.feature.generator import replay_feature
from fastapi_forge.generators.project.generator import replay_project
from tests.helpers.tree import LOCAL, tree_snapshot

VERSION = fastapi_forge.__version__
FEATURES = [
    ["customers", "--field", "name:str:max=120:unique"],
    ["orders", "--field", "total:decimal:gt=0", "--field", "customer:ref=customers"],
    ["tags", "--public", "--field", "label:str"],
]
MODELS = "src/shop/features/orders/models.py"
SCHEMAS = "src/shop/features/orders/schemas.py"
REPOSITORY = "src/shop/features/orders/repository.py"
SERVICE = "src/shop/features/orders/service.py"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("evolve")
    runner = CliRunner()
    result = runner.invoke(app, ["new", "shop", str(parent / "shop"), "-q", *LOCAL])
    assert result.exit_code == 0, result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(parent / "shop")
        for arguments in FEATURES:
            result = runner.invoke(app, ["add", "feature", *arguments, "-q"])
            assert result.exit_code == 0, result.output
    return parent / "shop"


@pytest.fixture
def project(made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(made, copy, symlinks=True)
    monkeypatch.chdir(copy)
    monkeypatch.delenv("CI", raising=False)
    return copy


def forge(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def ok(*arguments: str) -> str:
    code, output = forge(*arguments)
    assert code == 0, output
    return output


def assert_recorded_exactly(project: Path) -> None:
    """The manifest matches the files, a replay of it renders the base copies byte for
    byte, and `forge update` has nothing to do."""
    report = project_status(project, forge_version=VERSION)
    assert report.problems == []
    manifest = read_manifest(project, forge_version=VERSION)
    again = project.parent / "again" / "shop"
    shutil.rmtree(again.parent, ignore_errors=True)
    replay(manifest, again, project=replay_project, units={"feature": replay_feature})
    base = project / BASE_DIR
    pristine = {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in base.rglob("*")
        if path.is_file()
    }
    rendered = {
        path: content
        for path, content in tree_snapshot(again).items()
        if not path.endswith("/") and path != ".env" and not path.startswith(".forge/")
    }
    assert sorted(rendered) == sorted(pristine)
    assert [path for path in pristine if rendered[path] != pristine[path]] == []
    assert read_manifest(again, forge_version=VERSION) == manifest
    assert "nothing to do" in ok("update", "--dry-run")


def migration(project: Path, suffix: str) -> Path:
    found = sorted((project / "migrations/versions").glob(f"*{suffix}.py"))
    assert len(found) == 1, found
    return found[0]


def test_add_field_renders_the_slice_records_it_and_adds_a_migration(project: Path) -> None:
    head = single_head(read_revisions(project / "migrations/versions"))
    create = migration(project, "_create_orders").read_bytes()
    output = ok(
        "add",
        "field",
        "orders",
        "--field",
        "quantity:int:ge=1:default=1",
        "--field",
        "status:enum=new,paid:default=new",
        "--field",
        "note:text?",
    )
    assert "added quantity:int:ge=1:default=1" in output
    assert "updated" in output
    models = (project / MODELS).read_text()
    assert "quantity: Mapped[int]" in models
    assert "note: Mapped[str | None]" in models
    schemas = (project / SCHEMAS).read_text()
    assert "quantity_min" in schemas  # a range filter
    assert '"quantity"' in (project / "src/shop/features/orders/repository.py").read_text()
    assert "quantity" in (project / "tests/orders/test_api.py").read_text()
    # The first migration is history: kept as it was written.
    assert migration(project, "_create_orders").read_bytes() == create
    added = migration(project, "_add_quantity_status_note_to_orders").read_text()
    assert f'down_revision: str | Sequence[str] | None = "{head}"' in added
    assert "batch_alter_table" in added
    assert 'values({"quantity": 1, "status": "new"})' in added
    assert 'create_check_constraint(op.f("ck_orders_quantity_ge"), \'"quantity" >= 1\')' in added
    assert 'alter_column("quantity", existing_type=sa.Integer(), nullable=False)' in added
    assert 'sa.Column("note", sa.Text(), nullable=True)' in added
    unit = read_manifest(project, forge_version=VERSION).unit("feature", "orders")
    assert unit is not None
    assert unit.spec["fields"][-1] == "note:text?"
    assert unit.spec["created_with"] == ["total:decimal:gt=0", "customer:ref=customers"]
    [evolution] = unit.spec["evolutions"]
    assert evolution["change"] == "add"
    assert evolution["down_revision"] == head
    assert evolution["file"] == added_path(project, "_add_quantity_status_note_to_orders")
    assert unit.spec["refs"]["customers"]["singular_pascal"] == "Customer"
    assert_recorded_exactly(project)
    # A second change chains onto the first.
    ok("add", "field", "order", "--field", "shipped_on:date?")
    second = migration(project, "_add_shipped_on_to_orders").read_text()
    assert f'down_revision: str | Sequence[str] | None = "{evolution["revision"]}"' in second
    assert_recorded_exactly(project)


def added_path(project: Path, suffix: str) -> str:
    return migration(project, suffix).relative_to(project).as_posix()


def test_add_field_keeps_the_users_edits(project: Path) -> None:
    models = project / MODELS
    models.write_text(models.read_text().replace('"""One row of ``orders``."""', '"""Mine."""'))
    mine = project / "src/shop/features/orders/service.py"
    mine.write_text(mine.read_text() + "\n# my helper\n")
    output = ok("add", "field", "orders", "--field", "quantity:int:default=1")
    assert "merged" in output
    text = models.read_text()
    assert '"""Mine."""' in text
    assert "quantity: Mapped[int]" in text
    assert mine.read_text().endswith("# my helper\n")
    assert_recorded_exactly_but_edits(project, {MODELS: "modified", mine_rel(mine): "modified"})


def mine_rel(path: Path) -> str:
    return path.relative_to(Path.cwd()).as_posix()


def assert_recorded_exactly_but_edits(project: Path, edits: dict[str, str]) -> None:
    report = project_status(project, forge_version=VERSION)
    assert report.problems == []
    assert {state.path: state.state for state in report.changed} == edits


def test_add_field_reports_conflicts_as_forge_update_does(project: Path) -> None:
    models = project / MODELS
    # Both sides add a line at the end of the class: the same place.
    models.write_text(models.read_text() + "    extra: int = 0  # mine\n")
    code, output = forge("add", "field", "orders", "--field", "quantity:int:default=1")
    assert code == EXIT_CONFLICTS, output
    assert "conflict" in output
    assert MODELS in output
    merged = models.read_text()
    assert "<<<<<<< yours" in merged
    assert "# mine" in merged
    assert "quantity" in merged


def test_remove_field_drops_the_column(project: Path) -> None:
    ok("add", "field", "orders", "--field", "note:text?")
    ok("remove", "field", "orders", "note")
    assert "note" not in (project / MODELS).read_text()
    dropped = migration(project, "_remove_note_from_orders").read_text()
    assert 'batch_op.drop_column("note")' in dropped
    assert 'batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))' in dropped
    # A reference: its foreign key and index go first.
    ok("remove", "field", "orders", "customer")
    dropped = migration(project, "_remove_customer_id_from_orders").read_text()
    assert (
        dropped.index("drop_index")
        < dropped.index("drop_constraint")
        < dropped.index('drop_column("customer_id")')
    )
    assert "customer" not in (project / MODELS).read_text()
    assert_recorded_exactly(project)
    # Nothing references customers now: it can go.
    ok("remove", "feature", "customers")
    assert_recorded_exactly(project)


def test_remove_feature_unwires_deletes_and_drops_the_table(project: Path) -> None:
    (project / "src/shop/features/tags/__pycache__").mkdir()
    (project / "src/shop/features/tags/__pycache__/models.cpython-312.pyc").write_bytes(b"x")
    before = tree_snapshot(project)
    output = ok("remove", "feature", "tags", "--dry-run")
    assert "dry run" in output
    assert "src/shop/features/tags/models.py" in output
    assert tree_snapshot(project) == before
    create = migration(project, "_create_tags").read_bytes()
    output = ok("remove", "feature", "tags")
    assert "removed" in output
    assert not (project / "src/shop/features/tags").exists()
    assert not (project / "tests/tags").exists()
    registry = (project / "src/shop/registry.py").read_text()
    assert "tags" not in registry
    assert migration(project, "_create_tags").read_bytes() == create
    dropped = migration(project, "_drop_tags").read_text()
    assert 'op.drop_table("tags")' in dropped
    assert 'op.create_table(\n        "tags"' in dropped
    unit = read_manifest(project, forge_version=VERSION).unit("feature", "tags")
    assert unit is not None
    assert unit.spec["removed"] is True
    assert "removed" in ok("status")
    assert_recorded_exactly(project)
    code, output = forge("add", "feature", "tags")
    assert code == 1
    assert "was removed earlier" in output
    code, output = forge("remove", "feature", "tags")
    assert code == 1
    assert "was removed already" in output


def test_remove_feature_refuses_changed_files_unless_forced(project: Path) -> None:
    service = project / "src/shop/features/tags/service.py"
    service.write_text(service.read_text() + "# mine\n")
    before = tree_snapshot(project)
    code, output = forge("remove", "feature", "tags")
    assert code == 1
    assert "src/shop/features/tags/service.py" in output
    assert "--force" in output
    assert tree_snapshot(project) == before
    output = ok("remove", "feature", "tags", "--dry-run")
    assert "without --force" in output
    assert tree_snapshot(project) == before
    ok("remove", "feature", "tags", "--force")
    assert not (project / "src/shop/features/tags").exists()
    assert_recorded_exactly(project)


def test_remove_feature_refuses_while_a_job_uses_its_service(project: Path) -> None:
    ok("add", "worker")
    ok("add", "job", "recount-tags", "--feature", "tags")
    before = tree_snapshot(project)
    code, output = forge("remove", "feature", "tags")
    assert code == 1
    assert len(output.strip().splitlines()) == 1
    assert "src/shop/jobs/recount_tags.py imports feature 'tags'" in output
    assert "is forge's job recount_tags" in output
    assert tree_snapshot(project) == before
    code, output = forge("remove", "feature", "tags", "--force")
    assert code == 1
    assert tree_snapshot(project) == before


def _several_heads(project: Path) -> None:
    versions = project / "migrations/versions"
    (versions / "9999_other.py").write_text(
        '"""Other."""\n\nrevision = "other1"\ndown_revision = "0001"\n'
    )


def _base_edited(project: Path) -> None:
    base = project / BASE_DIR / MODELS
    base.write_bytes(base.read_bytes() + b"# edited\n")


def _package_gone(project: Path) -> None:
    shutil.rmtree(project / "src/shop/features/orders")


def _migration_gone(project: Path) -> None:
    migration(project, "_create_orders").unlink()


def _no_manifest(project: Path) -> None:
    (project / MANIFEST_FILE).unlink()


def _user_file_uses_it(project: Path) -> None:
    (project / "src/shop/reports.py").write_text(
        "from .features.orders.models import Order\n\n\ndef totals(o: Order) -> object:\n"
        "    return o.total\n"
    )


def _user_imports_tags(project: Path) -> None:
    (project / "src/shop/reports.py").write_text("from .features.tags import models\n")


def _nothing(project: Path) -> None:
    return None


BAD = [
    (
        "unknown feature",
        _nothing,
        ["add", "field", "invoices", "--field", "x:int?"],
        "does not exist",
    ),
    ("no field", _nothing, ["add", "field", "orders"], "no --field given"),
    ("bad spec", _nothing, ["add", "field", "orders", "--field", "x:money"], "unknown field type"),
    (
        "existing field",
        _nothing,
        ["add", "field", "orders", "--field", "total:int?"],
        "already has the field 'total'",
    ),
    (
        "existing column",
        _nothing,
        ["add", "field", "orders", "--field", "customer_id:uuid?"],
        "already has the field 'customer'",
    ),
    (
        "required without default",
        _nothing,
        ["add", "field", "orders", "--field", "quantity:int:ge=1"],
        "give it a default= (existing rows get it)",
    ),
    (
        "required reference",
        _nothing,
        ["add", "field", "tags", "--field", "shop:ref=customers"],
        "make it optional: --field shop:ref=customers?",
    ),
    (
        "reference to a missing feature",
        _nothing,
        ["add", "field", "orders", "--field", "vendor:ref=vendors?"],
        "feature 'vendors' does not exist",
    ),
    (
        "many-to-many to a missing feature",
        _nothing,
        ["add", "field", "orders", "--field", "vendors:refs=vendors"],
        "feature 'vendors' does not exist",
    ),
    (
        "many-to-many from a public feature to an owned one",
        _nothing,
        ["add", "field", "tags", "--field", "orders:refs=orders"],
        "cannot reference the owned feature 'orders'",
    ),
    (
        "add feature --force on an evolved feature",
        lambda project: ok("add", "field", "orders", "--field", "note:text?"),
        ["add", "feature", "orders", "--force", "--field", "total:int"],
        "--force would rewrite its migration history",
    ),
    (
        "several heads",
        _several_heads,
        ["add", "field", "orders", "--field", "x:int?"],
        "2 heads",
    ),
    (
        "base copies disagree",
        _base_edited,
        ["add", "field", "orders", "--field", "x:int?"],
        "disagree",
    ),
    (
        "package missing",
        _package_gone,
        ["add", "field", "orders", "--field", "x:int?"],
        "is not there",
    ),
    (
        "migration missing",
        _migration_gone,
        ["remove", "field", "orders", "total"],
        "migrations are history",
    ),
    ("no manifest", _no_manifest, ["remove", "field", "orders", "total"], "forge adopt"),
    ("unknown field", _nothing, ["remove", "field", "orders", "price"], "has no field 'price'"),
    ("only field", _nothing, ["remove", "field", "tags", "label"], "is the only field"),
    (
        "user file uses the field",
        _user_file_uses_it,
        ["remove", "field", "orders", "total"],
        "src/shop/reports.py:5 uses 'total'",
    ),
    ("unknown feature to remove", _nothing, ["remove", "feature", "invoices"], "does not exist"),
    (
        "referenced feature",
        _nothing,
        ["remove", "feature", "customers"],
        "is referenced by orders",
    ),
    (
        "imported by a user file",
        _user_imports_tags,
        ["remove", "feature", "tags", "--force"],
        "src/shop/reports.py imports feature 'tags'",
    ),
]


@pytest.mark.parametrize(("case", "setup", "arguments", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_and_touches_nothing(
    project: Path, case: str, setup: object, arguments: list[str], message: str
) -> None:
    assert callable(setup)
    setup(project)
    before = tree_snapshot(project)
    code, output = forge(*arguments)
    assert code == 1, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output
    assert message in re.sub(r"\s+", " ", output), output
    assert tree_snapshot(project) == before


def test_an_edit_the_merge_keeps_blocks_remove_field(project: Path) -> None:
    service = project / "src/shop/features/orders/service.py"
    service.write_text(
        service.read_text() + "\n\ndef doubled(total: int) -> int:\n    return 2 * total\n"
    )
    before = tree_snapshot(project)
    code, output = forge("remove", "field", "orders", "total")
    assert code == 1, output
    assert "src/shop/features/orders/service.py:" in output
    assert "still uses 'total'" in output
    assert tree_snapshot(project) == before


def test_templates_changed_since_the_last_render_ask_for_forge_update(project: Path) -> None:
    base = project / BASE_DIR / "src/shop/main.py"
    main = project / "src/shop/main.py"
    # As if an older forge had written main.py: base and file agree, the templates do not.
    base.write_bytes(base.read_bytes() + b"# older\n")
    main.write_bytes(main.read_bytes() + b"# older\n")
    manifest = project / MANIFEST_FILE
    text = manifest.read_text()
    old = hashlib.sha256(main.read_bytes().removesuffix(b"# older\n")).hexdigest()
    manifest.write_text(text.replace(old, hashlib.sha256(main.read_bytes()).hexdigest()))
    before = tree_snapshot(project)
    code, output = forge("add", "field", "orders", "--field", "x:int?")
    assert code == 1, output
    assert "run `forge update` first" in output
    assert tree_snapshot(project) == before


def test_a_many_to_many_is_added_replayed_refused_and_removed(project: Path) -> None:
    """`tags:refs=tags`: an association table in its own migration, both ways."""
    assert "read_fields" in (project / REPOSITORY).read_text()  # the column-dict reads
    ok("add", "field", "orders", "--field", "tags:refs=tags")
    # tag_ids is no column: the slice now reads ORM rows (links by selectin), not dicts.
    repository = (project / REPOSITORY).read_text()
    assert "read_fields:" not in repository
    assert "return await self.page(params, filters=criteria, sort=sort)" in repository
    assert "read_page" not in repository
    assert "read_filtered_page" not in repository
    assert (
        "async def read(self, principal: Principal, order_id: UUID) -> Order:"
        in (project / SERVICE).read_text()
    )
    models = (project / MODELS).read_text()
    assert "ORDERS_TAGS = Table(" in models
    assert 'relationship(secondary=ORDERS_TAGS, lazy="selectin")' in models
    assert "tag_ids: list[UUID]" in (project / SCHEMAS).read_text()
    added = migration(project, "_add_tag_ids_to_orders").read_text()
    assert 'op.create_table(\n        "orders_tags"' in added
    assert 'sa.PrimaryKeyConstraint("order_id", "tag_id", name=op.f("pk_orders_tags"))' in added
    assert 'op.drop_table("orders_tags")' in added
    assert "batch_alter_table" not in added  # no column of the orders table changes
    assert_recorded_exactly(project)
    before = tree_snapshot(project)
    code, output = forge("remove", "feature", "tags")
    assert code == 1
    assert "is referenced by orders" in output
    assert tree_snapshot(project) == before
    ok("remove", "field", "orders", "tags")
    assert "ORDERS_TAGS" not in (project / MODELS).read_text()
    assert "read_fields:" in (project / REPOSITORY).read_text()  # back to the column dicts
    dropped = migration(project, "_remove_tag_ids_from_orders").read_text()
    assert dropped.index('op.drop_table("orders_tags")') < dropped.index("def downgrade")
    assert_recorded_exactly(project)
    ok("remove", "feature", "tags")
    assert_recorded_exactly(project)


def test_a_slice_made_with_a_many_to_many_drops_its_links_with_its_table(project: Path) -> None:
    ok("add", "feature", "posts", "--field", "title:str", "--field", "tags:refs=tags", "-q")
    create = migration(project, "_create_posts").read_text()
    assert 'op.create_table(\n        "posts_tags"' in create
    ok("remove", "feature", "posts")
    dropped = migration(project, "_drop_posts").read_text()
    upgrade, downgrade = dropped.split("def downgrade", 1)
    assert upgrade.index('op.drop_table("posts_tags")') < upgrade.index('op.drop_table("posts")')
    assert downgrade.index('"posts",') < downgrade.index('"posts_tags",')
    assert_recorded_exactly(project)
