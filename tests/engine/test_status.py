"""The manifest forge keeps in a project, as `forge new` and `forge add feature` write it,
and `forge status`, which reports exactly what changed since."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fastapi_forge
from fastapi_forge.cli import app
from fastapi_forge.engine.manifest import BASE_DIR, MANIFEST_FILE, digest, read_manifest
from fastapi_forge.engine.replay import replay
from fastapi_forge.engine.status import project_status
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.generator import replay_feature
from fastapi_forge.generators.project.generator import replay_project
from tests.helpers.tree import LOCAL, tree_snapshot

VERSION = fastapi_forge.__version__
FEATURES = [
    ["customers", "--field", "name:str:max=120:unique", "--field", "email:str?:index"],
    ["orders", "--field", "total:decimal:gt=0", "--field", "customer:ref=customers"],
    ["announcements", "--public", "--field", "headline:str"],
]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with three features, as forge left it (copied by each test)."""
    parent = tmp_path_factory.mktemp("status")
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
    for relative, content in tree_snapshot(made).items():
        target = copy / relative
        if relative.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    monkeypatch.chdir(copy)
    return copy


def status_output() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["status"], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_the_manifest_describes_the_project_and_every_feature(project: Path) -> None:
    manifest = read_manifest(project, forge_version=VERSION)
    assert manifest.answers["package_name"] == "shop"
    assert [(u.kind, u.name, u.spec["access"]) for u in manifest.units] == [
        ("feature", "customers", "owner"),
        ("feature", "orders", "owner"),
        ("feature", "announcements", "admin"),
    ]
    assert manifest.unit("feature", "orders") is not None
    orders = manifest.unit("feature", "orders")
    assert orders is not None
    assert orders.spec["fields"] == ["total:decimal:gt=0", "customer:ref=customers"]
    assert [field["kind"] for field in orders.spec["parsed"]] == ["decimal", "ref"]
    assert orders.spec["migration"]["file"].endswith("_create_orders.py")
    # Every file forge generated is listed with the digest of what is on disk; only the
    # secret .env and forge's own records are not.
    on_disk = {
        path
        for path in tree_snapshot(project)
        if not path.endswith("/") and path != ".env" and not path.startswith(".forge/")
    }
    listed = manifest.all_files()
    assert set(listed) == on_disk
    assert all(digest((project / path).read_bytes()) == sha for path, sha in listed.items())
    assert manifest.owner_of("src/shop/registry.py") == "project"
    assert manifest.owner_of("src/shop/features/orders/models.py") == "feature:orders"
    report = project_status(project, forge_version=VERSION)
    assert report.changed == []
    assert report.problems == []
    assert set(listed) == {
        path.relative_to(project / BASE_DIR).as_posix()
        for path in (project / BASE_DIR).rglob("*")
        if path.is_file()
    }


def test_status_reports_exactly_the_files_changed_and_deleted(project: Path) -> None:
    code, output = status_output()
    assert code == 0, output
    assert "all " in output
    assert "generated files are as forge wrote them" in output
    with (project / "src/shop/main.py").open("a") as handle:
        handle.write("# mine\n")
    (project / "tests/customers/test_api.py").unlink()
    code, output = status_output()
    assert code == 0, output
    changed = [line for line in output.splitlines() if "modified" in line or "deleted" in line]
    assert len(changed) == 2, output
    assert "src/shop/main.py" in changed[0]
    assert "project" in changed[0]
    assert "tests/customers/test_api.py" in changed[1]
    assert "feature:customers" in changed[1]
    for name in ("customers", "orders", "announcements"):
        assert name in output


def test_status_reports_a_deleted_line_of_the_manifest(project: Path) -> None:
    manifest = project / MANIFEST_FILE
    lines = manifest.read_text().splitlines(keepends=True)
    (doomed,) = [line for line in lines if line.startswith('"src/shop/features/orders/router.py"')]
    manifest.write_text("".join(line for line in lines if line is not doomed))
    code, output = status_output()
    assert code == 0, output
    problems = [line for line in output.splitlines() if "disagree" in line]
    assert len(problems) == 1, output
    assert "src/shop/features/orders/router.py" in problems[0]
    assert "not in the manifest" in problems[0]


def test_a_broken_manifest_stops_status_and_add_feature_and_changes_nothing(
    project: Path,
) -> None:
    manifest = project / MANIFEST_FILE
    manifest.write_text(manifest.read_text().replace('name = "orders"\n', "", 1))
    before = tree_snapshot(project)
    code, output = status_output()
    assert code == 1
    assert "needs a name" in output
    result = CliRunner().invoke(app, ["add", "feature", "invoices", "-q"])
    assert result.exit_code == 1
    assert "needs a name" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert tree_snapshot(project) == before


def test_a_newer_manifest_is_refused(project: Path) -> None:
    manifest = project / MANIFEST_FILE
    text = manifest.read_text().replace(f'forge_version = "{VERSION}"', 'forge_version = "99.0"')
    manifest.write_text(text)
    before = tree_snapshot(project)
    result = CliRunner().invoke(app, ["add", "feature", "invoices", "-q"])
    assert result.exit_code == 1
    assert "upgrade forge" in result.output
    assert tree_snapshot(project) == before


def test_force_re_records_the_feature(project: Path) -> None:
    result = CliRunner().invoke(
        app, ["add", "feature", "announcements", "--force", "--field", "title:str", "-q"]
    )
    assert result.exit_code == 0, result.output
    manifest = read_manifest(project, forge_version=VERSION)
    unit = manifest.unit("feature", "announcements")
    assert unit is not None
    assert unit.spec["fields"] == ["title:str"]
    assert unit.spec["access"] == "owner"
    report = project_status(project, forge_version=VERSION)
    assert report.changed == []
    assert report.problems == []


def test_the_project_renders_again_from_its_manifest_alone(project: Path, tmp_path: Path) -> None:
    """The pristine output of every generator, from the manifest only, byte for byte."""
    manifest = read_manifest(project, forge_version=VERSION)
    again = tmp_path / "again" / "shop"
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


@pytest.fixture
def older(project: Path) -> Path:
    """The project as an older forge left it: no records, one edit, one file of the user's."""
    shutil.rmtree(project / ".forge")
    with (project / "src/shop/main.py").open("a") as handle:
        handle.write("# mine\n")
    (project / "notes.txt").write_text("the user's\n")
    return project


def invoke(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_adopt_records_an_older_project(older: Path) -> None:
    before = tree_snapshot(older)
    code, output = invoke("adopt", "--dry-run")
    assert code == 0, output
    assert "dry run" in output
    assert tree_snapshot(older) == before
    code, output = invoke("adopt")
    assert code == 0, output
    # The user's edit, and the registry the features were wired into.
    assert "2 files differ from today's templates" in output
    assert "src/shop/main.py" in output
    assert "src/shop/registry.py" in output
    assert "notes.txt" in output  # not attributed
    for name in ("customers", "orders", "announcements"):
        assert f"feature {name}: recorded as it is" in output
    manifest = read_manifest(older, forge_version=VERSION)
    assert {u.name: u.spec["access"] for u in manifest.units} == {
        "customers": "owner",
        "orders": "owner",
        "announcements": "admin",
    }
    assert manifest.owner_of("tests/orders/test_api.py") == "feature:orders"
    assert manifest.owner_of("notes.txt") is None
    report = project_status(older, forge_version=VERSION)
    assert [(s.path, s.state) for s in report.changed] == [
        ("src/shop/main.py", "modified"),
        ("src/shop/registry.py", "modified"),
    ]
    assert report.problems == []
    code, output = invoke("adopt")
    assert code == 1
    assert "nothing to adopt" in output
    with pytest.raises(UserError, match=r"field specs are unknown; record them with `forge add"):
        replay(
            manifest,
            older.parent / "again",
            project=replay_project,
            units={"feature": replay_feature},
        )


def test_adopt_refuses_a_project_whose_answers_are_incomplete(older: Path) -> None:
    answers = older / ".copier-answers.yml"
    answers.write_text(
        "".join(line for line in answers.read_text().splitlines(True) if "database" not in line)
    )
    before = tree_snapshot(older)
    code, output = invoke("adopt")
    assert code == 1
    assert "lacks database" in output
    assert len(output.strip().splitlines()) == 1
    assert tree_snapshot(older) == before


def test_add_feature_in_an_older_project_says_to_adopt(older: Path) -> None:
    code, output = invoke("add", "feature", "invoices")
    assert code == 0, output
    assert "forge adopt" in output
    assert not (older / ".forge").exists()
