"""What a slice's generated code looks like: lint-clean, namespaced, bounded, per-owner unique.

These render slices into a project made by `forge new` and check the code itself (with the
project's own ruff rules), without installing the project: the e2e tier runs it.
"""

import ast
import importlib
import itertools
import math
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastapi_forge.cli import app
from fastapi_forge.errors import UserError
from fastapi_forge.generators.feature.codegen import (
    INT32_MAX,
    INT32_MIN,
    MIN_UNIQUE_SPAN,
    field_code,
)
from fastapi_forge.generators.feature.context import example_document, with_article
from fastapi_forge.generators.feature.fields import parse_fields
from fastapi_forge.generators.project.generator import create_project
from fastapi_forge.naming import normalize_project_name
from tests.helpers.tree import tree_snapshot

FEATURES = Path("src/shop/features")
# 40 characters, the longest feature name forge accepts.
LONGEST = "supplier-purchase-order-line-adjustments"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    root = tmp_path / "shop"
    shutil.copytree(pristine, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    return root


def add(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["add-feature", "--quiet", *args])
    return result.exit_code, result.stderr


def added(*args: str) -> None:
    code, stderr = add(*args)
    assert code == 0, stderr


def refused(project: Path, *args: str) -> str:
    before = tree_snapshot(project)
    code, stderr = add(*args)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 1, stderr
    assert len(lines) == 1, stderr
    assert tree_snapshot(project) == before
    return lines[0]


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = str(importlib.import_module("ruff.__main__").find_ruff_bin())
    return subprocess.run(
        [binary, *args, "--no-cache", "--config", str(project / "pyproject.toml"), "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def source(project: Path, feature: str, module: str) -> str:
    return (project / FEATURES / feature / f"{module}.py").read_text()


class TestLint:
    def test_the_project_lints_unused_arguments(self, pristine: Path) -> None:
        pyproject = (pristine / "pyproject.toml").read_text()
        assert '"ARG"' in pyproject
        result = ruff(pristine, "check", "--select", "ARG")
        assert result.returncode == 0, result.stdout

    def test_every_kind_of_slice_passes_ruff_with_the_longest_names(self, project: Path) -> None:
        # Owned with unique, enum, JSON, datetime and a reference; public; open writes.
        added(
            LONGEST,
            "--field",
            "quantity:int:ge=1:unique",
            "--field",
            "kind:enum=a,b",
            "--field",
            "code:str:unique",
            "--field",
            "data:json?",
            "--field",
            "at:datetime?",
        )
        added("refs", "--field", "adjustment:ref=" + LONGEST)
        added("public-order-line-adjustments-supplier", "--public", "--field", "n:int:unique")
        added("open-order-line-adjustments-of-supplier", "--public-writes", "--field", "t:text")
        result = ruff(project, "check")
        assert result.returncode == 0, result.stdout
        assert ruff(project, "format", "--check").returncode == 0

    def test_only_what_is_used_is_emitted(self, project: Path) -> None:
        added("notes", "--field", "body:text")
        service = source(project, "notes", "service")
        assert "UNIQUE_FIELDS" not in service
        assert "_check_unique" not in service
        assert "ConflictError" not in source(project, "notes", "exceptions")
        # A text field is not filtered: no filters model, no filters parameter.
        assert "Filters" not in source(project, "notes", "router")
        assert "filters:" not in source(project, "notes", "repository")

    def test_filters_are_declared_once(self, project: Path) -> None:
        added("orders", "--field", "total:decimal", "--field", "status:enum=a,b")
        declared = [
            module
            for module in ("dependencies", "repository", "router", "schemas", "service")
            if "total_min:" in source(project, "orders", module)
        ]
        assert declared == ["schemas"]


class TestLiterals:
    def test_python_literals_are_python(self, project: Path) -> None:
        added("orders", "--field", "total:decimal:gt=0", "--field", "status:enum=new,paid")
        models = source(project, "orders", "models")
        assert "\\u003e" not in models
        assert 'CheckConstraint(\'"total" > 0\', name="total_gt")' in models
        assert 'NEW = "new"' in models
        migration = next((project / "migrations/versions").glob("*_create_orders.py"))
        assert "CheckConstraint('\"total\" > 0'" in migration.read_text()

    @pytest.mark.parametrize(
        ("title", "expected"),
        [
            ("order", "an order"),
            ("customer", "a customer"),
            ("item", "an item"),
            ("user", "a user"),
            ("unit", "a unit"),
            ("hour log", "an hour log"),
            ("FAQ entry", "an FAQ entry"),
            ("SKU", "an SKU"),
            ("API key", "an API key"),
            ("URL", "a URL"),
        ],
    )
    def test_articles(self, title: str, expected: str) -> None:
        assert with_article(title) == expected

    def test_summaries_use_the_right_article(self, project: Path) -> None:
        added("orders")
        router = source(project, "orders", "router")
        for verb in ("Create", "Read", "Change", "Delete"):
            assert f'summary="{verb} an order"' in router
        assert " a order" not in router


class TestNames:
    def test_fields_named_after_types_and_scope_names_are_namespaced(self, project: Path) -> None:
        # Each of these used to break the app, Alembic or every POST.
        added(
            "events",
            "--field",
            "date:date?",
            "--field",
            "datetime:datetime?",
            "--field",
            "uuid:uuid",
            "--field",
            "self:str",
            "--field",
            "session:str",
            "--field",
            "service:enum=a,b",
            "--field",
            "filters:str",
            "--field",
            "page:int",
        )
        models = source(project, "events", "models")
        assert "date: Mapped[dt.date | None]" in models
        assert "uuid: Mapped[UUID]" in models
        # The enum class cannot be EventService, the service's name.
        assert "class EventServiceChoice(StrEnum)" in models
        assert "setattr(row, name, value)" in source(project, "events", "service")
        factories = (project / "tests/events/factories.py").read_text()
        assert "/, **overrides" in factories
        assert ruff(project, "check").returncode == 0

    def test_a_field_hiding_a_name_its_class_still_uses_is_refused(self, project: Path) -> None:
        line = refused(project, "things", "--field", "str:str", "--field", "label:str")
        assert "invalid field 'str:str'" in line
        assert "uses Python's 'str'" in line
        assert "rename the field" in line

    def test_the_same_name_is_accepted_where_nothing_reads_it_afterwards(
        self, project: Path
    ) -> None:
        added("things", "--field", "label:str", "--field", "str:int")

    def test_the_name_l_is_refused_as_the_linter_would(self, project: Path) -> None:
        line = refused(project, "things", "--field", "l:int")
        assert "E741" in line

    def test_a_filter_named_like_a_paging_parameter_is_refused(self, project: Path) -> None:
        line = refused(project, "things", "--field", "sort:str")
        assert "query parameter 'sort'" in line

    def test_a_bounded_unique_number_needs_enough_values(self, project: Path) -> None:
        line = refused(project, "things", "--field", "rank:int:ge=0:le=1:unique")
        assert "allow only 2 value(s)" in line


class TestPerOwnerUnique:
    def test_owned_slices_are_unique_per_owner(self, project: Path) -> None:
        added("customers", "--field", "email:str:unique", "--field", "code:str:unique:index")
        models = source(project, "customers", "models")
        assert 'UniqueConstraint("owner_id", "email", name="uq_customers_email")' in models
        assert 'UniqueConstraint("owner_id", "code", name="uq_customers_code")' in models
        assert "unique=True" not in models
        migration = next((project / "migrations/versions").glob("*_create_customers.py"))
        text = migration.read_text()
        assert 'sa.UniqueConstraint("owner_id", "email", name=op.f("uq_customers_email"))' in text
        assert 'op.f("ix_customers_code"), "customers", ["code"], unique=False' in text
        assert 'within={"owner_id": owner_id}' in source(project, "customers", "service")

    def test_public_slices_stay_globally_unique(self, project: Path) -> None:
        added("tags", "--public", "--field", "label:str:unique")
        models = source(project, "tags", "models")
        assert "unique=True" in models
        assert "UniqueConstraint(" not in models


class TestPublicAccess:
    def test_public_writes_need_an_admin(self, project: Path) -> None:
        added("news", "--public", "--field", "headline:str")
        router = source(project, "news", "router")
        assert "WRITE_ACCESS = [Depends(require_role(Role.ADMIN))]" in router
        assert router.count("dependencies=WRITE_ACCESS") == 3

    def test_open_writes_are_rate_limited(self, project: Path) -> None:
        added("guestbooks", "--public-writes", "--field", "message:str")
        router = source(project, "guestbooks", "router")
        assert 'rate_limit("rate_limit_public_writes")' in router
        assert router.count("dependencies=WRITE_ACCESS") == 3
        config = next((project / "src/shop/core").glob("config.py")).read_text()
        assert "rate_limit_public_writes" in config


def _values(code: Any, count: int = 60) -> list[Any]:
    """The factory's example for ``n`` = 1..count, evaluated as the generated code would."""
    namespace: dict[str, Any] = {"Decimal": Decimal, "dt": __import__("datetime")}
    return [eval(code.example, {**namespace, "n": n}) for n in range(1, count + 1)]  # noqa: S307


def _allowed(spec: Any, value: Any) -> bool:
    number = Decimal(value) if isinstance(value, str) else value
    if spec.kind.value == "int" and not INT32_MIN <= number <= INT32_MAX:
        return False
    if spec.kind.value == "float" and not math.isfinite(number):
        return False
    return not (
        (spec.ge is not None and number < spec.ge)
        or (spec.gt is not None and number <= spec.gt)
        or (spec.le is not None and number > spec.le)
        or (spec.lt is not None and number >= spec.lt)
    )


TIGHT_SPECS = [
    "a:float:ge=0:le=1",
    "a:int:ge=0:le=1",
    "a:int:le=-1",
    "a:int:ge=7:le=7",
    "a:decimal:digits=3:places=2:le=1",
    "a:decimal:digits=3:places=2:ge=-9.99:lt=-9.5",
    "a:float:gt=0:lt=0.001",
    "a:int:gt=2147483600",
    "a:int:ge=0:le=100:unique",
    "a:int:le=-1:unique",
    "a:float:ge=0:le=1:unique",
    "a:float:lt=0:unique",
    "a:decimal:digits=3:places=2:le=1:unique",
    "a:decimal:gt=0:unique",
    "a:decimal:digits=4:places=3:gt=0.0001:lt=0.5:unique",
    "a:decimal:digits=3:places=2",
    "a:decimal:digits=3:places=2:ge=9:unique",
    "a:decimal:digits=3:places=2:ge=-9.99:unique",
    "a:int:ge=2147483640",
    "a:int:ge=2147483647",
]


@pytest.mark.parametrize("text", TIGHT_SPECS)
def test_generated_values_respect_every_bound(text: str) -> None:
    (spec,) = parse_fields([text])
    code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
    values = _values(code) if code.uses_counter else [eval(code.example)]  # noqa: S307
    assert all(_allowed(spec, value) for value in values), values
    if spec.unique:
        # The rows of one test (a handful) never share a value.
        for window in itertools.pairwise(values):
            assert window[0] != window[1]
        assert len(set(values[:MIN_UNIQUE_SPAN])) == MIN_UNIQUE_SPAN
    if code.kind == "decimal":
        # Filters hold what the column holds: a larger value overflowed PostgreSQL's cast of
        # the parameter to NUMERIC(digits, places), a 500 (found by fuzzing).
        digits, places = spec.max_digits, spec.decimal_places
        assert all(
            f"max_digits={digits}, decimal_places={places}" in f.annotation for f in code.filters
        )
        # Written as the API answers it (canonical scale), so create echoes compare equal.
        assert all(Decimal(value).as_tuple().exponent == -places for value in values)
    # The range-filter test's probe is a value of the filter's type.
    assert code.probe is not None
    probe = eval(code.probe, {"Context": Context, "Decimal": Decimal})  # noqa: S307
    for value in values:
        check_probe(spec, value, *probe(value))


def check_probe(spec: Any, value: Any, direction: str, past: Any) -> None:
    """The range-filter test's probe excludes ``value`` and is a value of the filter's type."""
    if spec.kind.value == "int":
        assert INT32_MIN <= past <= INT32_MAX
    if spec.kind.value == "decimal":
        # Inside NUMERIC(digits, places): PostgreSQL casts the filter value to it.
        assert spec.max_digits is not None
        assert spec.decimal_places is not None
        assert abs(Decimal(past)) < 10 ** (spec.max_digits - spec.decimal_places)
        assert Decimal(past).as_tuple().exponent == -spec.decimal_places
    assert (Decimal(str(past)) > Decimal(str(value))) == (direction == "min")


def test_date_probes_stay_inside_the_calendar() -> None:
    (spec,) = parse_fields(["due:date:unique"])
    code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
    first = date.fromisoformat(_values(code, 1)[0])
    assert first + timedelta(days=1) <= date.max


def test_json_and_text_fields_have_a_default_cap_that_max_changes() -> None:
    text, json_field, small = parse_fields(["t:text", "j:json?", "k:json:max=100"])
    assert (
        "max_length=65535" in field_code(text, table="x", singular_pascal="X", ref=None).create_line
    )
    assert (
        "json_max_length(65535)"
        in field_code(json_field, table="x", singular_pascal="X", ref=None).create_line
    )
    assert (
        "json_max_length(100)"
        in field_code(small, table="x", singular_pascal="X", ref=None).create_line
    )
    with pytest.raises(UserError, match="min does not apply to json"):
        parse_fields(["j:json:min=1"])


def test_the_shadowing_check_sees_a_field_read_by_its_own_annotation() -> None:
    from fastapi_forge.generators.feature.checks import (
        class_scope_collisions as _class_scope_collisions,
    )

    tree = ast.parse("class A:\n    date: Mapped[date | None] = column()\n")
    assert list(_class_scope_collisions(tree)) == [("A", "date")]
    tree = ast.parse("class A:\n    date: Mapped[dt.date | None] = column()\n")
    assert list(_class_scope_collisions(tree)) == []


class TestOlderProjects:
    """A project made by an older forge may lack what a newer slice uses: refused, not broken."""

    def test_a_missing_shared_helper_is_refused(self, project: Path) -> None:
        schemas = project / "src/shop/shared/schemas.py"
        schemas.write_text(schemas.read_text().replace("def canonical_decimal(", "def _gone("))
        line = refused(project, "orders", "--field", "total:decimal")
        assert "canonical_decimal from src/shop/shared/schemas.py" in line
        added("tags", "--field", "label:str")

    def test_open_writes_need_their_setting(self, project: Path) -> None:
        config = project / "src/shop/core/config.py"
        text = config.read_text()
        config.write_text(
            "\n".join(line for line in text.splitlines() if "rate_limit_public_writes" not in line)
        )
        line = refused(project, "guestbooks", "--public-writes")
        assert "rate_limit_public_writes" in line
        added("news", "--public")

    def test_the_access_is_shown(self, project: Path) -> None:
        result = CliRunner().invoke(app, ["add-feature", "guestbooks", "--public-writes"])
        assert result.exit_code == 0, result.stderr
        assert "anyone reads and writes (rate-limited)" in result.stdout


# Found by a new-user trial: each of these was accepted and left a project that failed its
# own checks.
LONG = "customer_shipping_address_line_two_extra"  # 40 characters, the longest field name


def _long(suffix: str) -> str:
    return LONG[: 40 - len(suffix)] + suffix


class TestTrialFindings:
    def test_the_longest_names_of_every_kind_and_huge_lengths_pass_ruff(
        self, project: Path
    ) -> None:
        added(
            "products",
            "--field",
            f"{LONG}:str:max=120",
            "--field",
            _long("_t") + ":text",
            "--field",
            _long("_i") + ":int:unique",
            "--field",
            _long("_f") + ":float:unique",
            "--field",
            _long("_d") + ":decimal:unique",
            "--field",
            _long("_b") + ":bool",
            "--field",
            _long("_dt") + ":date:unique",
            "--field",
            _long("_ts") + ":datetime?",
            "--field",
            _long("_u") + ":uuid:unique",
            "--field",
            _long("_e") + ":enum=alpha,beta",
            "--field",
            _long("_j") + ":json?",
            "--field",
            _long("_m") + ":str:min=73",
            "--field",
            _long("_h") + ":str:min=5000:max=5000:unique",
            "--field",
            _long("_x") + ":text:min=70000:max=70000",
        )
        added(
            "listings",
            "--field",
            # The longest a reference may be here: fk_listings_<name>_id_products fits 63.
            LONG[:37] + "_r:ref=products",
            "--field",
            "blob:str:min=2000000:max=2000000",
        )
        result = ruff(project, "check")
        assert result.returncode == 0, result.stdout
        assert ruff(project, "format", "--check").returncode == 0
        # Huge values are expressions, not literals of thousands of characters.
        factories = (project / "tests/listings/factories.py").read_text()
        assert '"x" * 2000000' in factories or '"x" * 19999' in factories

    @pytest.mark.parametrize(
        "text",
        [
            "code:str:min=10:unique",
            "code:str:min=19:max=20:unique",
            "code:str:min=5000:max=5000:unique",
            "code:str:min=11:max=11:unique",
            "customer_shipping_address_line_two_extra:str:min=40:max=45:unique",
            "code:str:min=73",
            "code:text:min=70000:max=70000",
        ],
    )
    def test_text_examples_fit_min_and_max(self, text: str) -> None:
        (spec,) = parse_fields([text])
        code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
        values = [*_values(code), eval(code.example, {"n": 10**6})]  # noqa: S307
        assert spec.min_length is not None
        assert spec.max_length is not None
        assert all(spec.min_length <= len(v) <= spec.max_length for v in values), values[:2]
        if spec.unique:
            assert len(set(values)) == len(values)

    @pytest.mark.parametrize("name", ["type_", "name_", "a_b_", "text_", "a__b"])
    def test_examples_of_names_ending_in_a_separator_keep_no_trailing_space(
        self, name: str
    ) -> None:
        for kind in ("str", "str?", "text"):
            (spec,) = parse_fields([f"{name}:{kind}"])
            code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
            value = eval(code.example)  # noqa: S307
            # The schema strips whitespace: an example with it would not come back as sent.
            assert value == value.strip()
            assert "  " not in value

    def test_a_long_str_has_no_equality_filter(self) -> None:
        (short, long) = parse_fields(["a:str:max=2048", "b:str:min=100000:max=100000"])
        assert field_code(short, table="t", singular_pascal="T", ref=None).equality_filter
        code = field_code(long, table="t", singular_pascal="T", ref=None)
        assert not code.equality_filter
        assert code.filters == []

    def test_a_text_minimum_above_its_default_max_is_refused(self, project: Path) -> None:
        line = refused(project, "notes", "--field", "body:text:min=70000")
        assert "above the default max of 65535" in line
        assert "body:text:min=70000:max=70000" in line

    @pytest.mark.parametrize(
        ("public", "then"),
        [(True, []), (False, ["--public"])],
        ids=["public-made-owned", "owned-made-public"],
    )
    def test_force_cannot_change_the_access_of_a_referenced_feature(
        self, project: Path, public: bool, then: list[str]
    ) -> None:
        mode = ["--public"] if public else []
        added("catalogs", *mode)
        added("entries", *mode, "--field", "catalog:ref=catalogs")
        line = refused(project, "catalogs", "--force", *then, "--field", "title:str")
        assert "referenced by entries" in line
        # Re-rendering in the same mode is still fine.
        added("catalogs", "--force", *mode, "--field", "title:str")

    def test_per_owner_unique_references_use_the_other_owners_row(self, project: Path) -> None:
        added("products")
        added("listings", "--field", "k:ref=products:unique")
        test_api = (project / "tests/listings/test_api.py").read_text()
        assert re.search(r'OWN_ROW_REFS: list\[str\] = \[\s*"k_id",\s*\]', test_api)
        assert "same = {} if field in OWN_ROW_REFS else {field: first.json()[field]}" in test_api
        added("tags", "--field", "label:str:unique")
        assert "OWN_ROW_REFS" not in (project / "tests/tags/test_api.py").read_text()

    @pytest.mark.parametrize(
        ("spec", "expected"),
        [
            ("n:str?:default=", "or drop default= to leave the field empty (null)"),
            ("n:str:default=a:b", "a default cannot contain ':'"),
            ("__init__:str", "e.g. init:str"),
        ],
    )
    def test_messages_name_the_right_fix(self, project: Path, spec: str, expected: str) -> None:
        line = refused(project, "things", "--field", spec)
        assert expected in line
        assert "make the field optional" not in line


EXTREME_SPECS = [
    "a:float:gt=1e308",
    "a:float:gt=1e300",
    "a:float:lt=-1e308",
    "a:float:ge=1.7e308",
    "a:float:le=-1.7e308",
    "a:float:gt=1e308:unique",
    "a:float:lt=-1e308:unique",
    "a:float:ge=1e300:unique",
    "a:float:le=1.7976931348623157e308",
    "a:float:ge=-1.7e308:le=1.7e308:unique",
    "a:float:ge=-1.7e308:le=1.7e308",
    "a:decimal:digits=38:places=37",
    "a:decimal:digits=16:places=15",
    "a:decimal:digits=17:places=16",
    "a:decimal:digits=20:places=19",
]


@pytest.mark.parametrize("text", EXTREME_SPECS)
def test_extreme_bounds_give_values_that_fit_and_violations_that_violate(text: str) -> None:
    test_generated_values_respect_every_bound(text)
    (spec,) = parse_fields([text])
    code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
    bounds = {"below_ge", "not_above_gt", "above_le", "not_below_lt"}
    violations = [eval(value) for label, value in code.invalid if label in bounds]  # noqa: S307
    if code.kind == "float" and spec.le is None:
        assert violations
    assert not any(_allowed(spec, value) for value in violations), violations
    if code.kind == "decimal":
        # SQLite stores decimals as binary floats: 15 significant digits come back exactly.
        (value,) = [eval(code.example)]  # noqa: S307
        assert len(Decimal(value).normalize().as_tuple().digits) <= 15


@pytest.mark.parametrize(
    "text", ["code:str:unique", "code:str:min=10:unique", "code:str:min=5000:max=5000:unique"]
)
def test_the_openapi_example_of_a_unique_str_fits_its_min_and_max(text: str) -> None:
    (spec,) = parse_fields([text])
    code = field_code(spec, table="things", singular_pascal="Thing", ref=None)
    document = eval(example_document([code]))  # noqa: S307
    assert max(spec.min_length or 1, 1) <= len(document["code"]) <= (spec.max_length or 255)
