"""The wiring and the layering rules hold for every feature, including future ones."""

import ast
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from demo import registry
from demo.registry import API_ROUTERS, MODEL_MODULES, load_metadata

FEATURES = Path(registry.__file__).parent / "features"
FEATURE_NAMES = sorted(
    path.name for path in FEATURES.iterdir() if path.is_dir() and (path / "__init__.py").exists()
)


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_every_feature_router_is_mounted(app: FastAPI) -> None:
    registered = {
        route.endpoint.__module__
        for router in API_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    for name in FEATURE_NAMES:
        if name != "health" and (FEATURES / name / "router.py").exists():
            assert f"demo.features.{name}.router" in registered, name
    mounted = set(app.openapi()["paths"])
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            assert route.path in mounted, route.path
            assert route.path.startswith("/api/v1/")


def test_every_feature_model_is_in_the_metadata() -> None:
    imported = {module.__name__ for module in MODEL_MODULES}
    for name in FEATURE_NAMES:
        if (FEATURES / name / "models.py").exists():
            assert any(module.endswith(f".features.{name}.models") for module in imported), name
    assert {"users", "refresh_tokens"} <= set(load_metadata().tables)


def test_routers_never_touch_the_database_directly() -> None:
    for router in FEATURES.glob("*/router.py"):
        imports = _imports(router)
        assert not any(module.startswith("sqlalchemy") for module in imports), router
        assert ".repository" not in imports, f"{router}: go through the service"
        assert ".models" not in imports, f"{router}: go through the service"


def test_services_never_commit() -> None:
    for service in FEATURES.glob("*/service.py"):
        assert ".commit(" not in service.read_text(encoding="utf-8"), service


def test_every_operation_is_documented_with_its_errors(app: FastAPI) -> None:
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            codes = {int(code) for code in operation["responses"]}
            assert any(code >= 400 for code in codes), f"{method} {path} declares no errors"
            assert operation.get("summary"), f"{method} {path} needs a summary"
