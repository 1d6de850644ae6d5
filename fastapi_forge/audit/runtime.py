"""``forge audit --run``: import the app in a subprocess, with the project's own interpreter,
to read its real routes, middleware and OpenAPI document; and, with ``--run-tests``, run its
test suite for coverage. Opt-in only: this executes the project's code.

Failures are reported in the result (``"error"``), never raised: the static audit stands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi_forge.audit.model import App

__all__ = ["IMPORT_TIMEOUT_SECONDS", "TESTS_TIMEOUT_SECONDS", "interpreter", "run_app", "run_tests"]

IMPORT_TIMEOUT_SECONDS = 60
TESTS_TIMEOUT_SECONDS = 900

_INSPECT = r"""
import importlib, json, sys
paths, module_name, attribute, factory = json.loads(sys.argv[1])
sys.path[:0] = paths
module = importlib.import_module(module_name)
target = getattr(module, attribute)
app = target() if factory else target
routes = []


def walk(items, prefix, depth):
    # Routes, Mounts, and the lazily included routers of newer FastAPI versions.
    for route in items:
        path = getattr(route, "path", None)
        nested = getattr(route, "original_router", None)
        if nested is not None and depth < 20:
            context = getattr(route, "include_context", None)
            walk(nested.routes, prefix + getattr(context, "prefix", ""), depth + 1)
        elif isinstance(path, str) and getattr(route, "routes", None) and depth < 20:
            walk(route.routes, prefix + path, depth + 1)
        elif isinstance(path, str):
            routes.append({
                "path": prefix + path,
                "methods": sorted(getattr(route, "methods", None) or []),
                "name": getattr(route, "name", ""),
            })


walk(getattr(app, "routes", []), "", 0)
middleware = [
    getattr(item.cls, "__name__", repr(item.cls))
    for item in getattr(app, "user_middleware", [])
]
handlers = sorted(
    getattr(key, "__name__", str(key)) for key in getattr(app, "exception_handlers", {})
)
openapi = {"error": None, "paths": 0, "operations": 0, "without_response_schema": []}
try:
    document = app.openapi()
except Exception as exc:
    openapi["error"] = f"{type(exc).__name__}: {exc}"
else:
    for path, operations in document.get("paths", {}).items():
        openapi["paths"] += 1
        for method, operation in operations.items():
            openapi["operations"] += 1
            answers = operation.get("responses", {})
            ok = [r for code, r in answers.items() if str(code).startswith("2")]
            typed = any(
                "schema" in media for r in ok for media in r.get("content", {}).values()
            )
            if not typed and "204" not in answers:
                openapi["without_response_schema"].append(f"{method.upper()} {path}")
result = {
    "routes": routes,
    "middleware": middleware,
    "exception_handlers": handlers,
    "openapi": openapi,
}
print("\n@@forge-audit@@" + json.dumps(result))
"""


def interpreter(root: Path) -> str:
    """The project's own Python: its ``.venv`` (or ``venv``) if present, else this one."""
    for folder in (".venv", "venv", "env"):
        for relative in ("bin/python", "Scripts/python.exe"):
            candidate = root / folder / relative
            if candidate.exists():
                return str(candidate)
    return sys.executable


def _module_of(app: App) -> tuple[list[str], str]:
    """(folders to put on sys.path, dotted module) of the file that makes ``app``."""
    parts = app.path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    paths = ["."]
    if parts[0] == "src" and len(parts) > 1:
        paths.insert(0, "src")
        parts = parts[1:]
    return paths, ".".join(parts)


def _env() -> dict[str, str]:
    """This environment, minus what a surrounding pytest or coverage run left in it."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "COV_CORE_", "COVERAGE_"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_app(root: Path, app: App) -> dict[str, Any]:
    """Import ``app`` in a subprocess; its routes, middleware, handlers and OpenAPI summary."""
    python = interpreter(root)
    paths, module = _module_of(app)
    arguments = json.dumps([paths, module, app.name, app.factory])
    result: dict[str, Any] = {"interpreter": python, "app": f"{module}:{app.name}", "error": None}
    try:
        completed = subprocess.run(
            [python, "-c", _INSPECT, arguments],
            cwd=root,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result["error"] = f"importing the app took more than {IMPORT_TIMEOUT_SECONDS} s"
        return result
    except OSError as exc:
        result["error"] = f"cannot start {python}: {exc.strerror}"
        return result
    marker = "@@forge-audit@@"
    if completed.returncode != 0 or marker not in completed.stdout:
        lines = [line for line in completed.stderr.strip().splitlines() if line.strip()]
        result["error"] = f"importing {module}:{app.name} failed: " + (
            lines[-1] if lines else f"exit status {completed.returncode}"
        )
        return result
    result.update(json.loads(completed.stdout.rsplit(marker, 1)[1]))
    return result


def run_tests(root: Path) -> dict[str, Any]:
    """Run the project's pytest suite with coverage; nothing is written in the project."""
    python = interpreter(root)
    result: dict[str, Any] = {"passed": None, "coverage": None, "summary": "", "error": None}
    with tempfile.TemporaryDirectory(prefix="forge-audit-") as scratch:
        report = Path(scratch) / "coverage.json"
        has_cov = (
            subprocess.run(
                [python, "-c", "import pytest_cov"], cwd=root, capture_output=True, check=False
            ).returncode
            == 0
        )
        command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        if has_cov:
            command += ["--cov", f"--cov-report=json:{report}"]
        env = _env()
        env["COVERAGE_FILE"] = str(Path(scratch) / ".coverage")
        try:
            completed = subprocess.run(
                command,
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=TESTS_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            result["error"] = f"the tests took more than {TESTS_TIMEOUT_SECONDS} s"
            return result
        except OSError as exc:
            result["error"] = f"cannot start {python}: {exc.strerror}"
            return result
        lines = [line for line in completed.stdout.strip().splitlines() if line.strip()]
        result["summary"] = lines[-1] if lines else ""
        failed = " failed" in result["summary"] or " error" in result["summary"]
        coverage_only = completed.returncode == 1 and "Required test coverage" in completed.stdout
        if completed.returncode == 0 or (coverage_only and not failed):
            result["passed"] = True
        elif completed.returncode in {1, 5}:
            result["passed"] = False
        else:
            result["error"] = f"pytest exited {completed.returncode}: " + (
                lines[-1] if lines else completed.stderr.strip()[-200:]
            )
        if report.exists():
            totals = json.loads(report.read_text(encoding="utf-8")).get("totals", {})
            percent = totals.get("percent_covered")
            result["coverage"] = (
                round(float(percent), 1) if isinstance(percent, int | float) else None
            )
    return result
