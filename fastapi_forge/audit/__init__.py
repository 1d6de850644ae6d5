"""``forge audit``: score a FastAPI project against the production reference, statically.

An analysis, not a generator: it reads a project (forge-made or not) with :mod:`ast`,
:mod:`tomllib` and plain text, and never imports or runs it unless asked (``--run``). It
imports the shared modules and the engine (to read a forge project's manifest), never a
generator or the command line.
"""

from __future__ import annotations

from pathlib import Path

from fastapi_forge.audit.checks import ForgeContext, evaluate
from fastapi_forge.audit.facts import Facts
from fastapi_forge.audit.model import Report
from fastapi_forge.audit.source import Project, load_project
from fastapi_forge.engine.manifest import changed, file_states, read_manifest_if_any
from fastapi_forge.errors import ForgeError

__all__ = ["audit"]


def _forge_context(project: Project, forge_version: str) -> ForgeContext:
    try:
        manifest = read_manifest_if_any(project.root, forge_version=forge_version)
    except ForgeError:
        return ForgeContext()
    if manifest is None:
        return ForgeContext()
    package = str(manifest.answers.get("package_name", ""))
    features = {}
    for unit in manifest.units_of("feature"):
        argument = str(unit.spec.get("argument", unit.name))
        features[unit.name.replace("-", "_")] = argument
        for path in manifest.files.get(unit.owner, {}):
            parts = path.split("/")
            if "features" in parts and len(parts) > parts.index("features") + 1:
                features[parts[parts.index("features") + 1]] = argument
    try:
        states = changed(file_states(project.root, manifest))
    except OSError:
        states = []  # an unreadable generated file: the fixes just do not name changes
    return ForgeContext(
        is_forge=True,
        package=package,
        changed={state.path: state.state for state in states},
        features=features,
    )


def audit(root: Path, *, forge_version: str, run: bool = False, run_tests: bool = False) -> Report:
    """Audit the project at ``root``; ``run``/``run_tests`` opt in to executing its code."""
    project = load_project(root)
    forge = _forge_context(project, forge_version)
    runtime = None
    if run or run_tests:
        from fastapi_forge.audit import runtime as executing

        runtime = executing.run_app(project.root, project.apps[0])
        if run_tests:
            runtime["tests"] = executing.run_tests(project.root)
    checks, dimensions = evaluate(Facts(project), forge, runtime)
    return Report(
        root=str(root),
        forge_project=forge.is_forge,
        apps=project.apps,
        files_scanned=project.files_scanned,
        skipped=project.skipped,
        checks=checks,
        dimensions=dimensions,
        runtime=runtime,
        forge_version=forge_version,
    )
