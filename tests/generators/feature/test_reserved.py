"""Feature names whose derived identifiers, folders, tables or routes would clash with what
the templates use are refused, and what is reserved is read from the templates themselves."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fastapi_forge.engine import render, workspace
from fastapi_forge.engine.render import render_template, template_dir
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature import reserved
from fastapi_forge.generators.feature.codegen import pascal
from fastapi_forge.generators.feature.reserved import (
    check_enum_fields,
    check_feature_names,
    template_names,
)
from fastapi_forge.naming import feature_names

# Each of these was accepted before issue 10 and left a project that no longer imported,
# type-checked, linted or passed its tests.
BROKEN_BEFORE = [
    ("factories", "tests/factories"),
    ("mappings", "'Mapping'"),
    ("refresh-tokens", "table 'refresh_tokens'"),
    ("texts", "'Text'"),
    ("dates", "'Date'"),
    ("principals", "'Principal'"),
    ("limits", "module 'limits'"),
    ("types", "module 'types'"),
    ("strings", "'String'"),
    ("integers", "'Integer'"),
    ("decimals", "'Decimal'"),
    ("booleans", "'Boolean'"),
    ("enums", "'Enum'"),
]

# Ordinary words that were refused as "Python keywords" though the keyword never stands
# alone in the generated code.
FINE = [
    "returns",
    "classes",
    "cases",
    "matches",
    "imports",
    "yields",
    "raises",
    "passes",
    "orders",
    "campus",
    "FAQs",
    "rows",
    "services",
    "filters",
    "responses",
    # Broken before issue 10 (Query, PageDep, SessionDep, SortDep were shadowed); the slice
    # templates no longer bind those names where a feature's names live.
    "queries",
    "query",
    "pages",
    "sessions",
    "sorts",
]


@pytest.mark.parametrize(("raw", "fragment"), BROKEN_BEFORE)
def test_clashing_names_are_refused_with_the_clash_and_a_working_name(
    raw: str, fragment: str
) -> None:
    with pytest.raises(UserError) as caught:
        check_feature_names(feature_names(raw), "shop")

    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert "--singular/--plural" in message
    suggestion = message.split("such as '")[1].split("'")[0]
    check_feature_names(feature_names(suggestion), "shop")


@pytest.mark.parametrize("raw", FINE)
def test_ordinary_words_are_accepted(raw: str) -> None:
    check_feature_names(feature_names(raw), "shop")


def test_a_ref_whose_class_clashes_is_refused() -> None:
    from fastapi_forge.generators.feature.codegen import RefCode

    ref = RefCode(
        plural_snake="order_services",
        singular_snake="order_service",
        singular_pascal="OrderService",
    )
    with pytest.raises(UserError, match="'OrderService'"):
        check_feature_names(feature_names("orders"), "shop", [ref])


def test_what_is_reserved_is_read_from_the_templates() -> None:
    known = template_names()

    assert {"users", "refresh_tokens", "alembic_version"} <= known.tables
    assert {"/users", "/auth"} <= known.route_prefixes
    assert known.query_parameters == {"page", "page_size", "sort"}
    assert {"fastapi", "sqlalchemy", "limits"} <= known.imported_modules


def test_a_name_a_template_starts_using_is_refused_without_touching_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Add an import to a copy of the feature template: the check knows it at once."""
    assert feature_names("zebras").singular_pascal == "Zebra"
    check_feature_names(feature_names("zebras"), "shop")

    copy = tmp_path / "templates"
    shutil.copytree(template_dir("feature"), copy / "feature")
    shutil.copytree(template_dir("project"), copy / "project")
    models = next((copy / "feature").rglob("models.py.jinja"))
    models.write_text(
        models.read_text().replace(
            "\nfrom uuid import", "\nfrom zoo import Zebra\nfrom uuid import", 1
        )
    )
    routers = next((copy / "project").rglob("features/users/router.py"))
    routers.write_text(routers.read_text().replace('/users"', '/giraffes"'))
    monkeypatch.setattr(reserved, "template_dir", lambda name: copy / name)
    monkeypatch.setattr(render, "template_dir", lambda name: copy / name)
    template_names.cache_clear()
    try:
        with pytest.raises(UserError, match="'Zebra'"):
            check_feature_names(feature_names("zebras"), "shop")
        with pytest.raises(UserError, match="'/giraffes' is taken"):
            check_feature_names(feature_names("giraffes"), "shop")
        assert "zoo" in template_names().imported_modules
    finally:
        template_names.cache_clear()


def test_the_patterns_are_cached_by_template_content_and_a_bad_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    template_names.cache_clear()
    try:
        fresh = template_names()
        (cached,) = (tmp_path / "fastapi-forge").glob("names-*.json")
        template_names.cache_clear()
        assert template_names() == fresh
        cached.write_text("{not json")
        template_names.cache_clear()
        assert template_names() == fresh
    finally:
        template_names.cache_clear()


@pytest.mark.parametrize(
    ("feature", "field", "fragment"),
    [
        ("orders", "create", "'OrderCreate'"),
        ("orders", "read", "'OrderRead'"),
        ("orders", "update", "'OrderUpdate'"),
    ],
)
def test_an_enum_field_whose_class_clashes_is_refused(
    feature: str, field: str, fragment: str
) -> None:
    """`create:enum=a,b` on `orders` would make a second class `OrderCreate`.

    (forge itself renames such a class first, `OrderCreateChoice`; this is the backstop.)
    """
    with pytest.raises(UserError) as caught:
        check_enum_fields(feature_names(feature), "shop", [(f"{field}:enum=a,b", pascal(field))])

    assert fragment in str(caught.value)
    assert f"invalid field '{field}:enum=a,b'" in str(caught.value)


def test_ordinary_enum_fields_are_accepted() -> None:
    check_enum_fields(feature_names("orders"), "shop", [("status:enum=a,b", "Status")])


def _corpus() -> list[str]:
    """Feature names made from every identifier the templates use, as nouns."""
    words: set[str] = set()
    for _, patterns in template_names().scopes:
        for pattern in patterns:
            if "{" in pattern or not pattern.strip("_"):
                continue
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", pattern.strip("_")).lower()
            if re.fullmatch(r"[a-z][a-z0-9_]*", snake):
                words.add(snake)
    return sorted(words)


def test_every_name_made_from_a_template_identifier_is_refused_or_renders_clean_code(
    tmp_path: Path,
) -> None:
    """Names forge has not been told about: each identifier the templates use, turned into
    a feature name (``Query`` -> ``query``, ``SessionDep`` -> ``session_dep``). Each one is
    refused, or its slice passes the project's own ruff rules (shadowed or undefined names
    are ruff's F811/F821/F823)."""
    from fastapi_forge.engine.workspace import format_python
    from fastapi_forge.generators.feature.codegen import field_code
    from fastapi_forge.generators.feature.context import slice_data
    from fastapi_forge.generators.feature.fields import parse_fields
    from fastapi_forge.generators.project.generator import create_project
    from fastapi_forge.naming import normalize_project_name

    project = tmp_path / "shop"
    create_project(
        normalize_project_name("shop"),
        project,
        description="x",
        database="sqlite",
        python_version="3.12",
        dry_run=False,
    )
    accepted, refused = [], []
    for word in _corpus():
        try:
            names = feature_names(word)
            check_feature_names(names, "shop")
        except UserError:
            refused.append(word)
            continue
        if names.plural_snake in {"users", "auth", "health"}:
            continue
        accepted.append(word)
        (spec,) = parse_fields(["label:str"])
        code = field_code(
            spec, table=names.plural_snake, singular_pascal=names.singular_pascal, ref=None
        )
        data = slice_data(
            "shop",
            names,
            [code],
            [],
            owned=True,
            revision="r",
            down_revision="d",
            migration=f"m_{names.plural_snake}",
        )
        _render_slice(names.plural_snake, project, data)
    assert len(accepted) > 50, accepted
    assert len(refused) > 20, refused
    files = sorted(
        path for path in (project / "src").rglob("*.py") if "features" in path.parts
    ) + sorted((project / "tests").rglob("*.py"))
    format_python(files, project / "pyproject.toml")
    result = subprocess.run(
        [
            workspace._ruff(),
            "check",
            "--no-cache",
            "--quiet",
            "--output-format",
            "concise",
            ".",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]


def _render_slice(plural: str, project: Path, data: dict[str, object]) -> None:
    scratch = project.parent / f"scratch-{plural}"
    render_template("feature", scratch, data)
    for source in scratch.rglob("*"):
        if source.is_file() and "migrations" not in source.parts:
            target = project / source.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
