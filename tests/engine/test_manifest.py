"""The manifest: written stably, read back exactly, and refused whole when it is not right."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_forge.engine.manifest import (
    MANIFEST_FILE,
    Manifest,
    Unit,
    digest,
    file_states,
    parse_manifest,
    read_manifest,
    render_manifest,
)
from fastapi_forge.errors import UserError

VERSION = "0.3.0"


def sample() -> Manifest:
    project = Manifest(
        forge_version=VERSION,
        answers={"project_name": "demo", "package_name": "demo", "database": "sqlite"},
        files={"project": {"README.md": digest(b"readme\n"), "src/demo/registry.py": digest(b"r")}},
    )
    unit = Unit(kind="feature", name="orders", spec={"fields": ["total:decimal:gt=0"]})
    return project.with_unit(
        unit,
        {"src/demo/features/orders/models.py": b"models\n", "src/demo/registry.py": b"r2"},
        VERSION,
    )


def test_round_trip_is_exact() -> None:
    manifest = sample()
    text = render_manifest(manifest).decode()
    assert parse_manifest(text, forge_version=VERSION) == manifest
    assert render_manifest(parse_manifest(text, forge_version=VERSION)).decode() == text


def test_shared_files_stay_with_the_project_with_their_new_digest() -> None:
    manifest = sample()
    assert manifest.owner_of("src/demo/registry.py") == "project"
    assert manifest.files["project"]["src/demo/registry.py"] == digest(b"r2")
    assert manifest.owner_of("src/demo/features/orders/models.py") == "feature:orders"


def test_without_unit_forgets_its_files() -> None:
    manifest = sample().without_unit("feature", "orders")
    assert manifest.units == ()
    assert "feature:orders" not in manifest.files


def test_file_states_report_edits_and_deletions(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_bytes(b"readme\n")
    (tmp_path / "src/demo/features/orders").mkdir(parents=True)
    (tmp_path / "src/demo/features/orders/models.py").write_bytes(b"edited\n")
    states = {s.path: s.state for s in file_states(tmp_path, sample())}
    assert states == {
        "README.md": "unchanged",
        "src/demo/features/orders/models.py": "modified",
        "src/demo/registry.py": "deleted",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("schema = [", "not valid TOML"),
        ('forge_version = "0.1"', "'schema' must be a whole number"),
        ("schema = 1", "'forge_version' must be a version string"),
        ('schema = 1\nforge_version = "0.1"', "[project] table"),
        ('schema = 1\nforge_version = "x y"\n[project]\npackage_name = "d"', "not a version"),
        (
            'schema = 1\nforge_version = "0.1"\n[project]\npackage_name = "d"\n'
            "[[feature]]\nfields = []",
            "needs a name",
        ),
        (
            'schema = 1\nforge_version = "0.1"\n[project]\npackage_name = "d"\n'
            '[files.project]\n"a.py" = "nope"',
            "not a SHA-256",
        ),
        (
            'schema = 1\nforge_version = "0.1"\n[project]\npackage_name = "d"\n'
            f'[files.project]\n"../a.py" = "{"0" * 64}"',
            "not a relative path",
        ),
        (
            'schema = 1\nforge_version = "0.1"\n[project]\npackage_name = "d"\n'
            f'[files."feature:x"]\n"a.py" = "{"0" * 64}"',
            "belongs to no",
        ),
    ],
)
def test_a_broken_manifest_is_one_line_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_manifest(text, forge_version=VERSION)
    message = str(raised.value)
    assert problem in message
    assert "\n" not in message
    assert "restore it from version control" in message


def test_a_newer_manifest_is_refused() -> None:
    text = render_manifest(sample()).decode().replace(VERSION, "9.0.0", 1)
    with pytest.raises(UserError, match=r"newer than this forge 0\.3\.0; upgrade forge"):
        parse_manifest(text, forge_version=VERSION)


def test_a_missing_manifest_points_at_adopt(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="forge adopt"):
        read_manifest(tmp_path, forge_version=VERSION)
    assert not (tmp_path / MANIFEST_FILE).exists()
