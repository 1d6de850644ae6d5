"""The engine's generic parts, without any generator: markers, migrations, planning."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fastapi_forge.engine.migrations import Revision, ancestors, chained_revision, single_head
from fastapi_forge.engine.registry import insert_at_markers
from fastapi_forge.engine.workspace import apply_files, plan_files
from fastapi_forge.errors import UserError

TEXT = "import a\n# forge:imports\nITEMS = [\n    # forge:items\n]\n"


def test_lines_go_above_their_marker_once() -> None:
    additions = {"# forge:imports": ["import b"], "# forge:items": ["    b,"]}
    once = insert_at_markers(TEXT, additions, file_label="x.py", what="b", required=("ITEMS",))
    assert once == "import a\nimport b\n# forge:imports\nITEMS = [\n    b,\n    # forge:items\n]\n"
    again = insert_at_markers(once, additions, file_label="x.py", what="b")
    assert again == once


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TEXT.replace("# forge:items\n", ""), "x.py has 0 '# forge:items' markers instead of 1"),
        (TEXT + "# forge:imports\n", "x.py has 2 '# forge:imports' markers instead of 1"),
        (TEXT.replace("ITEMS", "OTHER"), "x.py no longer defines ITEMS"),
    ],
)
def test_a_file_that_cannot_be_edited_safely_is_refused(text: str, message: str) -> None:
    additions = {"# forge:imports": ["import b"], "# forge:items": ["    b,"]}
    with pytest.raises(UserError, match=message):
        insert_at_markers(text, additions, file_label="x.py", what="b", required=("ITEMS",))


def test_history_heads_chaining_and_ancestors() -> None:
    path = Path("v.py")
    history = [
        Revision(path, "base", ()),
        Revision(path, "one", ("base",)),
        Revision(path, "two", ("one",)),
    ]
    assert single_head(history) == "two"
    with pytest.raises(UserError, match="2 heads"):
        single_head([*history, Revision(path, "fork", ("one",))])
    assert ancestors(["two"], history) == {"base", "one", "two"}
    now = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)
    stem, revision = chained_revision("two", "orders", "_create_orders", now)
    assert stem == f"2024_01_31_1200-{revision}_create_orders"
    assert chained_revision("two", "orders", "_create_orders", now) == (stem, revision)
    assert chained_revision("one", "orders", "_create_orders", now)[1] != revision


def test_a_plan_is_formatted_marked_and_applied(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (tmp_path / "keep.txt").write_text("old\n")

    def build(folder: Path) -> None:
        (folder / "pkg").mkdir(parents=True)
        (folder / "pkg" / "mod.py").write_text("import os\nx = {'a':1}\n")
        (folder / "keep.txt").write_text("new\n")

    planned = plan_files(tmp_path, build, ruff_config=tmp_path / "pyproject.toml")
    assert [(item.path, item.replaces) for item in planned] == [
        ("keep.txt", True),
        ("pkg/mod.py", False),
    ]
    assert planned[1].content == b'x = {"a": 1}\n', "formatted, the unused import dropped"
    assert not (tmp_path / "pkg").exists(), "planning writes nothing under the root"
    apply_files(tmp_path, planned)
    assert (tmp_path / "keep.txt").read_text() == "new\n"
    assert (tmp_path / "pkg" / "mod.py").read_bytes() == planned[1].content
