"""``fastapi_forge.engine.render``: finding templates and how Copier is driven."""

import subprocess
from pathlib import Path

import pytest
import yaml

import fastapi_forge
from fastapi_forge.engine import render
from fastapi_forge.errors import ForgeError

REPO_ROOT = Path(__file__).resolve().parents[2]

MINI_COPIER_YML = """\
_subdirectory: template
_templates_suffix: .jinja
greeting:
  type: str
  default: hello
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def mini_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``templates/mini`` template inside a git repository, as in a source checkout."""
    repo = tmp_path / "repo"
    template = repo / "templates" / "mini"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(MINI_COPIER_YML)
    (template / "template" / "hello.txt.jinja").write_text("{{ greeting }} (committed)\n")
    (template / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}"
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "template")
    monkeypatch.setattr(render, "_SOURCE_TREE_TEMPLATES", repo / "templates")
    return template


def test_template_dir_finds_the_project_template() -> None:
    found = render.template_dir("project")

    assert (found / "copier.yml").is_file()
    assert found in (
        REPO_ROOT / "templates" / "project",  # source checkout or editable install
        Path(fastapi_forge.__file__).resolve().parent / "templates" / "project",  # wheel
    )


def test_unknown_template_is_a_forge_error() -> None:
    with pytest.raises(ForgeError, match="template 'nope' not found"):
        render.template_dir("nope")


def test_uncommitted_template_edits_are_rendered(mini_templates: Path, tmp_path: Path) -> None:
    # Copier clones a template that is the root of a git repository (and would then
    # render HEAD); ours live below the root, so the working tree must be used as is.
    (mini_templates / "template" / "hello.txt.jinja").write_text("{{ greeting }} (edited)\n")
    (mini_templates / "template" / "new.txt").write_text("untracked\n")
    destination = tmp_path / "out"

    render.render_template("mini", destination, {"greeting": "hi"})

    assert (destination / "hello.txt").read_text() == "hi (edited)\n"
    assert (destination / "new.txt").read_text() == "untracked\n"
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["greeting"] == "hi"
    assert "_commit" not in answers


def test_user_copier_settings_are_ignored(
    mini_templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "copier-settings.yml"
    settings.write_text("defaults: [this is not a mapping\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))

    render.render_template("mini", tmp_path / "out", {})

    assert (tmp_path / "out" / "hello.txt").read_text() == "hello (committed)\n"


def test_template_errors_become_forge_errors(mini_templates: Path, tmp_path: Path) -> None:
    (mini_templates / "template" / "broken.txt.jinja").write_text("{{ greeting | nope }}\n")

    with pytest.raises(ForgeError, match="template 'mini' failed to render") as caught:
        render.render_template("mini", tmp_path / "out", {})

    assert "\n" not in str(caught.value)


def test_template_tasks_are_refused(mini_templates: Path, tmp_path: Path) -> None:
    with (mini_templates / "copier.yml").open("a") as handle:
        handle.write("_tasks:\n  - touch pwned\n")

    with pytest.raises(ForgeError, match=r"refused: .*unsafe feature: tasks"):
        render.render_template("mini", tmp_path / "out", {})

    assert not (tmp_path / "out" / "pwned").exists()
