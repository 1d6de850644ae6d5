"""The merge planning of `forge update`, case by case: a project as forge left it ("ours",
edited by each test as a user would), and a copy of it edited as a newer template would
("theirs", recorded again as a replay records it)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import (
    BASE_DIR,
    MANIFEST_FILE,
    Manifest,
    digest,
    read_manifest,
    record_files,
)
from fastapi_forge.engine.merge import merge_three_way
from fastapi_forge.engine.target import find_project
from fastapi_forge.engine.update import UpdatePlan, plan_update
from fastapi_forge.errors import ForgeError
from tests.helpers.tree import LOCAL

VERSION = "9.9.9"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("plan")
    runner = CliRunner()
    result = runner.invoke(app, ["new", "shop", str(parent / "shop"), "-q", *LOCAL])
    assert result.exit_code == 0, result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(parent / "shop")
        result = runner.invoke(app, ["add", "feature", "customers", "--field", "name:str", "-q"])
        assert result.exit_code == 0, result.output
    return parent / "shop"


@dataclass
class Pair:
    ours: Path
    theirs: Path

    def user(self, path: str, content: bytes | None) -> None:
        target = self.ours / path
        if content is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def template(self, path: str, content: bytes | None, *, executable: bool = False) -> None:
        target = self.theirs / path
        if content is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(0o755 if executable else 0o644)

    def plan(self) -> UpdatePlan:
        """Record theirs as a replay would, then plan."""
        old = read_manifest(self.theirs, forge_version=VERSION)
        shutil.rmtree(self.theirs / BASE_DIR)
        present = {
            path.relative_to(self.theirs).as_posix(): path
            for path in self.theirs.rglob("*")
            if path.is_file() and ".forge" not in path.parts and path.name != ".env"
        }
        files: dict[str, dict[str, str]] = {}
        for relative, path in present.items():
            owner = old.owner_of(relative) or "project"
            files.setdefault(owner, {})[relative] = digest(path.read_bytes())
        manifest = Manifest(
            forge_version=VERSION, answers=old.answers, units=old.units, files=files
        )
        contents = {relative: path.read_bytes() for relative, path in present.items()}
        for relative, content in record_files(manifest, contents).items():
            (self.theirs / relative).parent.mkdir(parents=True, exist_ok=True)
            (self.theirs / relative).write_bytes(content)
        for relative, path in present.items():
            shutil.copymode(path, self.theirs / BASE_DIR / relative)
        project = find_project(self.ours)
        current = read_manifest(self.ours, forge_version=VERSION)
        return plan_update(project, current, self.theirs, to_version=VERSION)


@pytest.fixture
def pair(made: Path, tmp_path: Path) -> Pair:
    ours = tmp_path / "ours" / "shop"
    theirs = tmp_path / "theirs" / "shop"
    shutil.copytree(made, ours, symlinks=True)
    shutil.copytree(made, theirs, symlinks=True)
    return Pair(ours, theirs)


def outcome(plan: UpdatePlan, path: str) -> tuple[str, bytes | None, bool]:
    change = next((c for c in plan.changes if c.path == path), None)
    assert change is not None, f"{path} is not in the plan"
    return change.action, change.content, change.delete


README = "README.md"
CONFIG = "src/shop/core/config.py"


def read(pair: Pair, path: str) -> bytes:
    return (pair.ours / path).read_bytes()


def test_templates_unchanged_is_current_and_lists_nothing(pair: Pair) -> None:
    plan = pair.plan()
    assert plan.current
    assert plan.changes == ()


def test_file_unchanged_by_the_user_is_replaced(pair: Pair) -> None:
    pair.template(README, read(pair, README) + b"\nNew section.\n")
    plan = pair.plan()
    assert not plan.current
    assert outcome(plan, README) == ("updated", read(pair, README) + b"\nNew section.\n", False)


def test_file_changed_by_the_user_only_is_left_alone(pair: Pair) -> None:
    pair.user(README, read(pair, README) + b"\nOurs.\n")
    pair.template(CONFIG, read(pair, CONFIG) + b"\n# theirs\n")
    plan = pair.plan()
    action, content, _ = outcome(plan, README)
    assert (action, content) == ("yours", None)


def test_changes_by_both_in_different_places_merge_cleanly(pair: Pair) -> None:
    original = read(pair, CONFIG)
    pair.user(CONFIG, b"# ours at the top\n" + original)
    pair.template(CONFIG, original + b"# theirs at the bottom\n")
    action, content, _ = outcome(pair.plan(), CONFIG)
    assert action == "merged"
    assert content == b"# ours at the top\n" + original + b"# theirs at the bottom\n"


def test_changes_by_both_in_the_same_place_conflict_with_markers(pair: Pair) -> None:
    original = read(pair, README)
    _, rest = original.split(b"\n", 1)
    pair.user(README, b"# Our title\n" + rest)
    pair.template(README, b"# Their title\n" + rest)
    plan = pair.plan()
    action, content, _ = outcome(plan, README)
    assert action == "conflict"
    assert content is not None
    assert b"<<<<<<< yours\n# Our title\n=======\n# Their title\n>>>>>>> forge" in content
    assert plan.conflicts == [README]


def test_every_conflicted_file_is_listed(pair: Pair) -> None:
    paths = [README, CONFIG, "src/shop/main.py", "Dockerfile", "alembic.ini"]
    for path in paths:
        original = read(pair, path)
        pair.user(path, b"ours\n" + original.split(b"\n", 1)[1])
        pair.template(path, b"theirs\n" + original.split(b"\n", 1)[1])
    assert sorted(pair.plan().conflicts) == sorted(paths)


def test_new_template_file_is_added(pair: Pair) -> None:
    pair.template("docs/new.md", b"# New\n")
    assert outcome(pair.plan(), "docs/new.md") == ("added", b"# New\n", False)


def test_new_template_file_where_the_user_has_one_is_a_conflict(pair: Pair) -> None:
    pair.user("docs/new.md", b"# Mine\n")
    pair.template("docs/new.md", b"# Theirs\n")
    action, content, _ = outcome(pair.plan(), "docs/new.md")
    assert action == "conflict"
    assert content is not None
    assert b"# Mine" in content
    assert b"# Theirs" in content


def test_new_template_file_identical_to_the_users_is_quiet(pair: Pair) -> None:
    pair.user("docs/new.md", b"# Same\n")
    pair.template("docs/new.md", b"# Same\n")
    assert all(change.path != "docs/new.md" for change in pair.plan().changes)


def test_file_removed_from_the_templates_is_removed_when_untouched(pair: Pair) -> None:
    pair.template(".pre-commit-config.yaml", None)
    assert outcome(pair.plan(), ".pre-commit-config.yaml") == ("removed", None, True)


def test_file_removed_from_the_templates_is_kept_when_the_user_changed_it(pair: Pair) -> None:
    pair.user(".pre-commit-config.yaml", read(pair, ".pre-commit-config.yaml") + b"# mine\n")
    pair.template(".pre-commit-config.yaml", None)
    plan = pair.plan()
    assert outcome(plan, ".pre-commit-config.yaml") == ("kept", None, False)
    assert ".pre-commit-config.yaml" not in plan.manifest.all_files()


def test_file_the_user_deleted_stays_deleted_and_is_reported(pair: Pair) -> None:
    pair.user(README, None)
    pair.template(README, b"# new\n")
    plan = pair.plan()
    assert outcome(plan, README) == ("kept-deleted", None, False)
    assert plan.of("kept-deleted")[0].needs_attention


def test_a_feature_deleted_by_hand_stays_deleted(pair: Pair) -> None:
    feature = pair.ours / "src/shop/features/customers"
    shutil.rmtree(feature)
    router = "src/shop/features/customers/router.py"
    pair.template(router, (pair.theirs / router).read_bytes() + b"# new\n")
    plan = pair.plan()
    assert outcome(plan, router) == ("kept-deleted", None, False)
    assert not feature.exists()
    untouched = "src/shop/features/customers/models.py"
    assert outcome(plan, untouched)[0] == "yours"


def test_merging_bytes_that_are_not_text_keeps_ours() -> None:
    base = b"\x89PNG\0base"
    result = merge_three_way(base, b"\x89PNG\0ours", b"\x89PNG\0theirs", labels=("a", "b", "c"))
    assert result.binary
    assert (result.conflicts, result.content) == (1, b"\x89PNG\0ours")


def test_merging_text_uses_gits_markers_and_counts_regions() -> None:
    middle = b"".join(b"line %d\n" % number for number in range(10))
    base = b"a\n" + middle + b"e\n"
    ours = b"A\n" + middle + b"E\n"
    theirs = b"a2\n" + middle + b"E2\n"
    result = merge_three_way(base, ours, theirs, labels=("yours", "old", "new"))
    assert result.conflicts == 2
    assert result.content.count(b"<<<<<<< yours\n") == 2
    assert result.content.count(b">>>>>>> new\n") == 2


def test_binary_file_in_the_project_is_never_merged(pair: Pair) -> None:
    path = "src/shop/py.typed"
    pair.user(path, b"\0\1ours")
    pair.template(path, b"\0\1theirs")
    plan = pair.plan()
    change = next(c for c in plan.changes if c.path == path)
    assert change.action == "conflict"
    assert change.content is None  # the user's bytes stay
    assert f"{BASE_DIR}/{path}" in change.detail


def test_mode_change_in_the_templates_reaches_an_untouched_file(pair: Pair) -> None:
    path = "alembic.ini"
    pair.template(path, read(pair, path), executable=True)
    change = next(c for c in pair.plan().changes if c.path == path)
    assert (change.action, change.executable) == ("updated", True)


def test_mode_the_user_changed_is_theirs_to_keep(pair: Pair) -> None:
    path = "alembic.ini"
    (pair.ours / path).chmod(0o755)
    pair.template(path, read(pair, path) + b"# new\n")
    change = next(c for c in pair.plan().changes if c.path == path)
    assert change.action == "updated"
    assert change.executable is None  # keep the file's own mode


def test_crlf_copy_of_an_untouched_file_is_updated_with_crlf(pair: Pair) -> None:
    original = read(pair, README)
    pair.user(README, original.replace(b"\n", b"\r\n"))
    pair.template(README, original + b"New line.\n")
    action, content, _ = outcome(pair.plan(), README)
    assert action == "updated"
    assert content == (original + b"New line.\n").replace(b"\n", b"\r\n")


def test_crlf_copy_with_edits_merges_without_conflicting_on_every_line(pair: Pair) -> None:
    original = read(pair, CONFIG)
    pair.user(CONFIG, (b"# ours\n" + original).replace(b"\n", b"\r\n"))
    pair.template(CONFIG, original + b"# theirs\n")
    action, content, _ = outcome(pair.plan(), CONFIG)
    assert action == "merged"
    assert content == (b"# ours\n" + original + b"# theirs\n").replace(b"\n", b"\r\n")


def test_base_moves_to_the_new_render_and_stale_copies_go(pair: Pair) -> None:
    pair.template(README, b"# new\n")
    pair.template(".pre-commit-config.yaml", None)
    plan = pair.plan()
    assert plan.records[f"{BASE_DIR}/{README}"] == b"# new\n"
    assert f"{BASE_DIR}/.pre-commit-config.yaml" in plan.stale_records
    assert MANIFEST_FILE in plan.records
    assert plan.manifest.all_files()[README] == digest(b"# new\n")


def migration_of(pair: Pair, prefix: str = "migrations/versions/") -> str:
    return next(
        p.relative_to(pair.ours).as_posix()
        for p in sorted((pair.ours / prefix).glob("*create_customers.py"))
    )


def test_a_changed_migration_forge_wrote_is_never_rewritten(pair: Pair) -> None:
    path = migration_of(pair)
    original = read(pair, path)
    pair.template(path, original.replace(b'"""Create customers.', b'"""Create the table.'))
    plan = pair.plan()
    change = next(c for c in plan.changes if c.path == path)
    assert (change.action, change.content) == ("migration-kept", None)
    assert plan.records[f"{BASE_DIR}/{path}"] == original


def test_a_new_template_migration_is_chained_onto_the_projects_head(pair: Pair) -> None:
    head_path = migration_of(pair)
    head = head_path.split("-", 1)[1].split("_", 1)[0]
    shipped = (
        '"""Add a column.\n\nRevision ID: 0002\nRevises: 0001\nCreate Date: 2027-01-01\n"""\n\n'
        'revision: str = "0002"\ndown_revision: str | None = "0001"\n'
    )
    path = "migrations/versions/2027_01_01_0000-0002_add_a_column.py"
    pair.template(path, shipped.encode())
    plan = pair.plan()
    action, content, _ = outcome(plan, path)
    assert action == "added"
    assert content is not None
    assert f'down_revision: str | None = "{head}"' in content.decode()
    assert f"Revises: {head}\n" in content.decode()
    assert [(m.revision, m.down_revision) for m in plan.migrations] == [("0002", head)]


def test_unrelated_new_migrations_are_a_bug_of_the_templates(pair: Pair) -> None:
    for number in ("0002", "0003"):
        pair.template(
            f"migrations/versions/x-{number}.py",
            f'revision = "{number}"\ndown_revision = "0001"\n'.encode(),
        )
    with pytest.raises(ForgeError, match="2 unrelated new migrations"):
        pair.plan()


def test_settings_new_and_gone_are_reported_against_the_users_env(pair: Pair) -> None:
    example = read(pair, ".env.example").decode()
    assert "SHOP_LOG_LEVEL=" in example
    pair.template(
        ".env.example",
        (example.replace("SHOP_LOG_LEVEL=INFO\n", "") + "SHOP_NEW_KNOB=1\n").encode(),
    )
    plan = pair.plan()
    assert plan.settings_missing == ("SHOP_NEW_KNOB",)
    assert plan.settings_gone == ("SHOP_LOG_LEVEL",)


def test_a_setting_the_user_already_has_is_not_reported(pair: Pair) -> None:
    env = read(pair, ".env")
    pair.user(".env", env + b"SHOP_NEW_KNOB=2\n")
    example = read(pair, ".env.example")
    pair.template(".env.example", example + b"SHOP_NEW_KNOB=1\n")
    assert pair.plan().settings_missing == ()


def test_dependency_changes_are_reported(pair: Pair) -> None:
    text = read(pair, "pyproject.toml").decode()
    assert '"structlog>=24.4",' in text
    changed = text.replace('"structlog>=24.4",', '"structlog>=25.1",\n    "orjson>=3.10",')
    pair.template("pyproject.toml", changed.encode())
    found = {(d.name, d.before, d.after) for d in pair.plan().dependencies}
    assert found == {
        ("structlog", "structlog>=24.4", "structlog>=25.1"),
        ("orjson", None, "orjson>=3.10"),
    }


def test_json_report_has_every_part(pair: Pair) -> None:
    original = read(pair, README)
    pair.user(README, b"# a\n" + original.split(b"\n", 1)[1])
    pair.template(README, b"# b\n" + original.split(b"\n", 1)[1])
    report = pair.plan().to_json()
    assert report["schema"] == 1
    assert report["conflicts"] == [README]
    assert {"path", "action", "owner", "detail", "needs_attention"} <= set(report["files"][0])
    assert set(report) >= {"settings", "migrations", "dependencies", "from_version", "to_version"}


def test_a_folder_where_a_file_was_is_a_conflict_left_alone(pair: Pair) -> None:
    (pair.ours / "alembic.ini").unlink()
    (pair.ours / "alembic.ini").mkdir()
    pair.template("alembic.ini", b"[alembic]\n")
    change = next(c for c in pair.plan().changes if c.path == "alembic.ini")
    assert (change.action, change.content) == ("conflict", None)


def test_a_user_file_where_the_templates_add_one_that_merges_cleanly_is_no_conflict(
    pair: Pair,
) -> None:
    pair.user("docs/new.md", b"mine\n")
    pair.template("docs/new.md", b"")
    plan = pair.plan()
    assert plan.conflicts == []
    assert outcome(plan, "docs/new.md")[:2] == ("yours", None)


def test_a_template_changed_migration_the_user_edited_is_still_reported(pair: Pair) -> None:
    path = migration_of(pair)
    original = read(pair, path)
    pair.user(path, original + b"# ours\n")
    pair.template(path, original.replace(b'"""Create customers.', b'"""Create the table.'))
    change = next(c for c in pair.plan().changes if c.path == path)
    assert (change.action, change.content) == ("migration-kept", None)


def test_a_mostly_crlf_copy_merges_instead_of_conflicting_whole(pair: Pair) -> None:
    original = read(pair, CONFIG)
    pair.user(CONFIG, original.replace(b"\n", b"\r\n") + b"# added with LF\n")
    pair.template(CONFIG, b"# theirs\n" + original)
    action, content, _ = outcome(pair.plan(), CONFIG)
    assert action == "merged"
    assert content == (b"# theirs\n" + original + b"# added with LF\n").replace(b"\n", b"\r\n")


def test_nothing_is_written_through_a_linked_folder(pair: Pair, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (pair.ours / "src/shop/features/customers").rename(outside)
    (pair.ours / "src/shop/features/customers").symlink_to(outside)
    router = "src/shop/features/customers/router.py"
    pair.template(router, (pair.theirs / router).read_bytes() + b"# new\n")
    change = next(c for c in pair.plan().changes if c.path == router)
    assert (change.action, change.content, change.delete) == ("conflict", None, False)
    assert "is a link now" in change.detail


def test_a_folder_replaced_by_a_file_is_reported_not_crashed_on(pair: Pair) -> None:
    shutil.rmtree(pair.ours / "src/shop/features/customers")
    (pair.ours / "src/shop/features/customers").write_text("a file now\n")
    router = "src/shop/features/customers/router.py"
    pair.template(router, (pair.theirs / router).read_bytes() + b"# new\n")
    change = next(c for c in pair.plan().changes if c.path == router)
    assert change.action == "conflict"
    assert "is a file now" in change.detail


def test_a_manifest_that_records_env_is_broken(pair: Pair) -> None:
    from fastapi_forge.engine.manifest import parse_manifest
    from fastapi_forge.errors import UserError

    text = (pair.ours / MANIFEST_FILE).read_text()
    text = text.replace("[files.project]\n", f'[files.project]\n".env" = "{"0" * 64}"\n', 1)
    with pytest.raises(UserError, match="never recorded"):
        parse_manifest(text, forge_version=VERSION)
