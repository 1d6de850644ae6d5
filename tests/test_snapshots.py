"""Snapshot tests: every template change shows up as a reviewable diff.

Regenerate with `nox -s snapshots` (or `python -m tests.snapshot_scenarios`) and review the diff.
"""

import shutil
from pathlib import Path

import pytest

from fastapi_forge.engine import render as render_module

from .snapshot_scenarios import SCENARIOS, SNAPSHOT_ROOT, compare, read_tree, render

HINT = "the rendered project differs from its snapshot; if intended, run `nox -s snapshots`"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_rendered_project_matches_its_snapshot(name: str, tmp_path: Path) -> None:
    expected = read_tree(SNAPSHOT_ROOT / name)
    assert expected, f"no snapshot for {name}: run `nox -s snapshots`"
    problems = compare(expected, read_tree(render(SCENARIOS[name], tmp_path)))
    assert not problems, HINT + "\n\n" + "\n".join(problems)


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    scenario = SCENARIOS["postgres-features"]
    first = render(scenario, tmp_path / "first")
    second = render(scenario, tmp_path / "second")
    assert compare(read_tree(first), read_tree(second)) == []
    secrets = [(project / ".env").read_text().splitlines() for project in (first, second)]
    differing = [a for a, b in zip(*secrets, strict=True) if a != b]
    # The secrets forge writes: the JWT key and the database password (also in the URL).
    assert [line.split("=", 1)[0] for line in differing] == [
        "DEMO_DATABASE_URL",
        "POSTGRES_PASSWORD",
        "DEMO_JWT_SECRET",
    ], "only the secrets may differ between two renders"
    database_url, password, _ = (line.split("=", 1)[1] for line in differing)
    assert database_url == f"postgresql+asyncpg://postgres:{password}@localhost:5432/demo"


def test_one_changed_character_fails_with_a_diff_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(render_module.template_dir("project").parent, templates)
    health = templates / "project/template/src/{{ package_name }}/features/health/router.py.jinja"
    health.write_text(health.read_text().replace('"ok"', '"OK"', 1))
    monkeypatch.setattr(render_module, "template_dir", lambda name: templates / name)
    rendered = read_tree(render(SCENARIOS["sqlite-defaults"], tmp_path / "out"))
    problems = compare(read_tree(SNAPSHOT_ROOT / "sqlite-defaults"), rendered)
    # The file, and its digest in forge's manifest.
    assert len(problems) == 2
    assert problems[0].startswith("changed file: .forge/manifest.toml")
    assert problems[1].startswith("changed file: src/demo/features/health/router.py")
    assert '-    status: Literal["ok"] = "ok"' in problems[1]
