"""forge's own template engine renders exactly what Copier renders, only faster.

Every template and option set is rendered through both engines (``FORGE_RENDER_ENGINE``)
and the trees compared byte for byte, file modes included.
"""

import os
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.engine import render
from fastapi_forge.errors import ForgeError
from fastapi_forge.generators.project.generator import DATABASES, PYTHON_VERSIONS
from tests.helpers.tree import LOCAL, tree_snapshot

DESCRIPTION = "Quotes \"double\" 'single', a back\\slash, {{ jinja }}, {% raw %}, é and 😀"
FEATURE_COMMANDS = [
    ["orders", "--field", "title:str:max=80:unique", "--field", "total:decimal:digits=10"],
    ["order-lines", "--field", "order:ref=orders", "--field", "note:text?"],
    ["tags", "--public", "--field", "label:enum=red,green", "--field", "due:date?"],
]


def tree_with_modes(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry under ``root`` with its permission bits; ``.env`` holds a random secret."""
    return {
        path: (content, stat.S_IMODE((root / path.rstrip("/@")).lstat().st_mode))
        for path, content in tree_snapshot(root).items()
        if path != ".env"
    }


def forge(engine: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setenv(render.ENGINE_VARIABLE, engine)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("python_version", PYTHON_VERSIONS)
@pytest.mark.parametrize("database", DATABASES)
def test_new_project_is_identical_under_both_engines(
    database: str, python_version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trees = {}
    for engine in render.ENGINES:
        destination = tmp_path / engine / "Billing-API"
        forge(
            engine,
            monkeypatch,
            "new",
            *LOCAL,
            "Billing-API",
            str(destination),
            "--database",
            database,
            "--python",
            python_version,
            "--description",
            DESCRIPTION,
            "--no-input",
        )
        trees[engine] = tree_with_modes(destination)

    assert len(trees["forge"]) > 60
    assert trees["forge"] == trees["copier"]


def test_feature_slices_are_identical_under_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    forge("forge", monkeypatch, "new", *LOCAL, "shop", str(tmp_path / "pristine"), "--no-input")
    trees = {}
    for engine in render.ENGINES:
        root = tmp_path / engine
        shutil.copytree(tmp_path / "pristine", root)
        monkeypatch.chdir(root)
        for command in FEATURE_COMMANDS:
            forge(engine, monkeypatch, "add-feature", *command)
        trees[engine] = tree_with_modes(root)

    assert "src/shop/features/order_lines/router.py" in trees["forge"]
    assert trees["forge"] == trees["copier"]


def test_an_unknown_engine_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(render.ENGINE_VARIABLE, "jinja")

    with pytest.raises(ForgeError, match=r"FORGE_RENDER_ENGINE='jinja' is not an engine; use"):
        render.render_template("project", tmp_path / "out", {})

    assert not (tmp_path / "out").exists()


def test_an_unknown_engine_leaves_the_tree_unchanged(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(render.ENGINE_VARIABLE, "jinja")
    before = tree_snapshot(workdir)

    result = CliRunner().invoke(app, ["new", *LOCAL, "shop", "--no-input"])

    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: FORGE_RENDER_ENGINE='jinja' is not an engine; use")
    assert tree_snapshot(workdir) == before


MINI_COPIER_YML = """\
_subdirectory: template
greeting: {type: str, default: hello}
shout: {type: bool, default: "{{ greeting == 'HI' }}"}
hidden: {type: str, when: false, default: "{{ greeting }}!"}
"""


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny template under ``templates/mini``, rendered by the forge engine."""
    template = tmp_path / "templates" / "mini"
    (template / "template" / "{{ greeting }}").mkdir(parents=True)
    (template / "copier.yml").write_text(MINI_COPIER_YML)
    (template / "template" / "{{ greeting }}" / "a.txt.jinja").write_text(
        "{{ hidden }} {{ shout }}\n"
    )
    (template / "template" / "plain.sh").write_text("echo {{ not rendered }}\n")
    (template / "template" / "plain.sh").chmod(0o755)
    monkeypatch.setattr(render, "_SOURCE_TREE_TEMPLATES", tmp_path / "templates")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(render.ENGINE_VARIABLE, raising=False)
    return template


def test_defaults_paths_and_modes(mini: Path, tmp_path: Path) -> None:
    render.render_template("mini", tmp_path / "out", {"greeting": "HI"})

    assert (tmp_path / "out" / "HI" / "a.txt").read_text() == "HI! True\n"
    plain = tmp_path / "out" / "plain.sh"
    assert plain.read_text() == "echo {{ not rendered }}\n"
    assert os.access(plain, os.X_OK)


def test_a_path_segment_rendering_empty_is_skipped(mini: Path, tmp_path: Path) -> None:
    render.render_template("mini", tmp_path / "out", {"greeting": ""})

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["plain.sh"]


def test_a_path_segment_cannot_leave_the_destination(mini: Path, tmp_path: Path) -> None:
    with pytest.raises(ForgeError, match="outside the destination"):
        render.render_template("mini", tmp_path / "out", {"greeting": ".."})

    assert not (tmp_path / "a.txt").exists()


def test_an_undefined_variable_fails_the_render(mini: Path, tmp_path: Path) -> None:
    (mini / "template" / "b.txt.jinja").write_text("{{ greting }}\n")

    with pytest.raises(ForgeError, match="failed to render: 'greting' is undefined"):
        render.render_template("mini", tmp_path / "out", {})


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("_skip_if_exists: [a.txt]", "uses the Copier setting _skip_if_exists, which forge"),
        ("_exclude: ['docs/*.md']", r"has the exclusion 'docs/\*\.md'"),
        ("_jinja_extensions: [x.Y]", "refused: it uses the unsafe feature: jinja_extensions"),
        ("_migrations: [x]", "refused: it uses the unsafe feature: migrations"),
    ],
)
def test_copier_features_the_engine_lacks_are_refused(
    mini: Path, tmp_path: Path, setting: str, message: str
) -> None:
    with (mini / "copier.yml").open("a") as handle:
        handle.write(f"{setting}\n")

    with pytest.raises(ForgeError, match=message):
        render.render_template("mini", tmp_path / "out", {})

    assert not (tmp_path / "out").exists()


def test_compiled_templates_are_cached_and_never_stale(mini: Path, tmp_path: Path) -> None:
    render.render_template("mini", tmp_path / "one", {})
    cached = list((tmp_path / "cache" / "fastapi-forge").rglob("*.cache"))
    assert cached

    (mini / "template" / "{{ greeting }}" / "a.txt.jinja").write_text("changed {{ hidden }}\n")
    render.render_template("mini", tmp_path / "two", {})

    assert (tmp_path / "two" / "hello" / "a.txt").read_text() == "changed hello!\n"


def test_an_unwritable_cache_never_fails_a_render(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))

    render.render_template("mini", tmp_path / "out", {})

    assert (tmp_path / "out" / "hello" / "a.txt").read_text() == "hello! False\n"
    assert blocker.read_text() == "a file where the cache folder would go\n"
