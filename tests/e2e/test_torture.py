"""The torture project: one project whose names are as awkward as forge accepts.

Features named after template identifiers (``responses``, ``services``, ``filters``,
``models``, ``rows``), a dependency's module (``requests``, ``pygments``), words whose
singular is a keyword (``returns``, ``classes``), irregular plurals, acronyms and
uncountables (``campus``, ``cafes``, ``criteria``, ``leaves``, ``FAQs``, ``OAuthClients``,
``software``), forms stated with ``--singular``; fields named after builtins and types
(``type``, ``format``, ``filter``, ``hash``, ``input``, ``min``, ``range``, ``sum``...)
and with extreme bounds. Then every check the project has (ruff, format, mypy --strict,
its own suite and the Alembic round trip on SQLite and PostgreSQL) and the fuzz run.

It also holds the names the slice templates used to shadow (``queries``, ``pages``,
``sessions``, ``sorts``), fields named after types and the generated code's own names
(``date``, ``uuid``, ``self``, ``session``, ``service``), tight bounds and long plurals.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bench.harness import GeneratedProject
from fastapi_forge.dependency_names import DISTRIBUTIONS
from tests.e2e.conftest import require_postgres
from tests.e2e.test_generated_project import GeneratedProjectChecks, fuzz

pytestmark = pytest.mark.e2e


def _feature(name: str, *fields: str, extra: tuple[str, ...] = ()) -> list[str]:
    arguments = [name, *extra]
    for spec in fields:
        arguments += ["--field", spec]
    return arguments


FEATURES: list[list[str]] = [
    _feature(
        "campus",
        "type:str:min=1:max=1",
        "format:text?:min=1",
        "rank:int:ge=-2147483648:le=2147483647",
        "score:float:gt=-1e300:lt=1e300",
    ),
    _feature(
        "FAQs",
        "question:text",
        "answer:text?",
        "hash:str:unique",
        "order_index:int:default=2147483647",
    ),
    _feature(
        "software",
        "version:str:max=32:default=1.0",
        "price:decimal:digits=38:places=30:ge=0",
        "filter:bool:default=true",
    ),
    _feature("OAuthClients", "secret_hint:str?", "scopes:json?"),
    _feature(
        "returns",
        "campus:ref=campuses",
        "status:enum=open,closed,a_rather_long_enum_value:default=open",
        "input:json?",
    ),
    _feature("classes", "object:uuid?:index", "count:int:gt=-2147483648"),
    _feature("requests", "min:int:gt=-2147483648", "range:date?", "match:str?"),
    _feature("responses", "object_type:str", "len:int?", "case:bool?"),
    _feature("services", "happened_at:datetime?", "input_hash:str:max=64:unique"),
    _feature("filters", "sorting:str", "sum:decimal:gt=-1000"),
    _feature("models", "kind:enum=a,b"),
    _feature("cafes", "pygments:int?"),
    _feature("criteria"),
    _feature("leaves", "cafe:ref=cafes"),
    _feature("staff", "name:str", extra=("--singular", "staff-member")),
    _feature("pygments", "name:str", extra=("--public",)),
    # references to a feature with stated forms and to an acronym
    _feature("rows", "member:ref=staff", "faq:ref=FAQs"),
    # Names the slice templates used to shadow (Query, PageDep, SessionDep, SortDep).
    _feature("queries", "text:text?"),
    _feature("pages", "page_number:int:ge=1"),
    _feature("sessions", "token_hint:str?"),
    _feature("sorts", "order:int"),
    # Fields named after types and the generated code's own names.
    _feature("calendars", "date:date?", "datetime:datetime?", "uuid:uuid", "decimal:decimal?"),
    _feature("sessions-log", "self:str", "session:str", "service:enum=a,b"),
    # Tight bounds: every generated value and probe must respect them.
    _feature(
        "tight-bounds",
        "ratio:float:ge=0:le=1",
        "flag:int:ge=0:le=1",
        "negative:int:le=-1",
        "seven:int:ge=7:le=7",
        "small:decimal:digits=3:places=2:le=1",
    ),
    # Long plurals (ruff E501 in owned slices before).
    _feature("shipping-addresses", "line:str"),
    _feature("purchase-order-lines", "quantity:int:ge=1"),
    # Found by a new-user trial: each left a project failing its own checks.
    _feature(
        "trial-edges",
        "customer_shipping_address_line_two_extra:str:max=120",
        "customer_shipping_address_line_two_extrb:int",
        "code:str:min=10:unique",
        "slug:str:min=19:max=20:unique",
        "type_:str",
        "name_:str?",
        "padded:str:min=80",
        "blob:str:min=5000:max=5000",
        "huge:float:gt=1e308",
        "tiny:float:le=-1.7e308",
        "top:float:ge=1.7e308",
        "exactish:decimal:digits=20:places=19",
    ),
    _feature("SKU", "campus:ref=campuses:unique"),
]


class TestTortureProject(GeneratedProjectChecks):
    """Every check of a project made of awkward names, on SQLite and PostgreSQL."""

    scenario: ClassVar[dict[str, Any]] = {
        "name": "torture",
        "database": "postgres",
        "features": FEATURES,
    }

    # The deployment files do not depend on feature names (TestProjectWithFeatures and the
    # option matrix cover them).
    test_dockerfile_cmd_serves_health_and_ready = None
    test_dockerfile_build_and_run_steps_work_outside_docker = None
    test_workflow_passes_actionlint = None
    test_dockerfile_passes_hadolint = None
    test_compose_has_what_the_app_needs = None

    def test_every_feature_is_wired_in_with_its_derived_names(
        self, project: GeneratedProject
    ) -> None:
        features = project.root / "src" / project.package / "features"
        for package, pascal in [
            ("campuses", "Campus"),
            ("faqs", "FAQ"),
            ("software", "Software"),
            ("oauth_clients", "OAuthClient"),
            ("returns", "Return"),
            ("classes", "Class"),
            ("cafes", "Cafe"),
            ("criteria", "Criterion"),
            ("leaves", "Leaf"),
            ("staff", "StaffMember"),
            ("rows", "Row"),
        ]:
            models = (features / package / "models.py").read_text()
            assert f"class {pascal}(" in models, package
            assert f'__tablename__ = "{package}"' in models, package
        service = (features / "rows" / "service.py").read_text()
        assert "from ..staff.models import StaffMember" in service
        assert "from ..faqs.models import FAQ" in service

    def test_the_lock_has_no_package_forge_does_not_know(self, project: GeneratedProject) -> None:
        """fastapi_forge/dependency_names.py must cover every locked distribution."""
        lock = tomllib.loads((project.root / "uv.lock").read_text())
        locked = {re.sub(r"[-_.]+", "-", package["name"]).lower() for package in lock["package"]}
        unknown = locked - DISTRIBUTIONS - {"torture"}
        assert not unknown, (
            f"regenerate with `python -m tests.dependency_names {project.root}`: {sorted(unknown)}"
        )

    @pytest.mark.fuzz
    @pytest.mark.parametrize("database", ["sqlite", "postgres"])
    def test_fuzzing_finds_no_server_error_or_schema_violation(
        self, project: GeneratedProject, tmp_path: Path, database: str
    ) -> None:
        if database == "postgres":
            url, name = project.create_postgres_database(require_postgres())
        else:
            url, name = f"sqlite+aiosqlite:///{tmp_path / 'fuzz.sqlite3'}", ""
        try:
            report = fuzz(project, url, tmp_path)
        finally:
            if name:
                project.drop_postgres_database(require_postgres(), name)
        failures = {failure["code"]: failure["count"] for failure in report["failures"]}
        assert not failures, f"{database}: {failures}"
        assert report["operations"]["tested"] == report["operations"]["selected"]
