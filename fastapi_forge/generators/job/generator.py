"""``forge add job NAME [--cron EXPR] [--feature FEATURE]``: render the job template, wire
the job into ``jobs/registry.py``, and record a ``[[job]]`` unit in the manifest.

Everything is checked before anything is written: the project has the worker, the name is
a new job module, the cron expression has five valid fields, the feature exists and has a
service. The job and its test are rendered and formatted in a scratch folder, then written
together with the registry edit and the manifest, all or nothing.
"""

from __future__ import annotations

import keyword
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi_forge
from fastapi_forge.engine.manifest import Unit, read_manifest_if_any, record_files
from fastapi_forge.engine.registry import insert_at_markers, registry_diff
from fastapi_forge.engine.render import render_template
from fastapi_forge.engine.target import Project, find_project
from fastapi_forge.engine.workspace import (
    PlannedFile,
    apply_files,
    plan_files,
    write_errors_refused,
)
from fastapi_forge.errors import UserError

__all__ = ["JobResult", "add_job", "check_cron", "job_module_name", "replay_job"]

TEMPLATE = "job"
KIND = "job"
_MODULE = re.compile(r"[a-z][a-z0-9_]*")
_MAX_NAME = 60
_RESERVED_MODULES = frozenset({"registry", "__init__"})
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ),
    ("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_CRON_ITEM = re.compile(r"(?P<base>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>[0-9]+))?")


@dataclass(frozen=True)
class JobResult:
    """What ``add_job`` wrote (or, for a dry run, would write)."""

    project: Project
    name: str
    files: list[PlannedFile]
    registry_diff: str
    cron: str | None
    feature: str | None
    seconds: float
    dry_run: bool
    notes: list[str]


def job_module_name(name: str) -> str:
    """The job's module and name from ``NAME``: ``send-report`` is ``send_report``."""
    module = name.strip().replace("-", "_")
    if not _MODULE.fullmatch(module) or len(module) > _MAX_NAME:
        raise UserError(
            f"invalid job name {name!r}: use lower-case letters, digits, '-' or '_', starting "
            f"with a letter, at most {_MAX_NAME} characters (such as send-report)"
        )
    if keyword.iskeyword(module) or module in _RESERVED_MODULES:
        raise UserError(f"invalid job name {name!r}: '{module}' is reserved; choose another name")
    return module


def check_cron(expression: str) -> str:
    """``expression`` normalised to single spaces; refused unless it is five cron fields
    (minute hour day month weekday) of numbers in range, ``*``, ranges, steps and lists."""
    fields = expression.lower().split()
    if len(fields) != len(_CRON_FIELDS):
        raise UserError(
            f"invalid --cron {expression!r}: a schedule has five fields, minute hour day "
            "month weekday (UTC), such as '0 4 * * *' or '*/15 * * * mon-fri'"
        )
    for text, (label, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.fullmatch(item)
            bounds = match.group("base").split("-") if match else []
            if (
                match is None
                or match.group("step") == "0"
                or not all(_cron_value(bound, low, high, names) for bound in bounds if bound != "*")
            ):
                raise UserError(
                    f"invalid --cron {expression!r}: the {label} field {text!r} is not "
                    f"'*', a value from {low} to {high}, a range a-b, a step */n or a list"
                )
    return " ".join(fields)


def _cron_value(text: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if text in names:
        return True
    return text.isdigit() and low <= int(text) <= high


def add_job(
    start: Path,
    name: str,
    *,
    cron: str | None = None,
    feature: str | None = None,
    dry_run: bool = False,
) -> JobResult:
    """Add the job ``name`` to the project containing ``start``.

    Raises :class:`~fastapi_forge.errors.UserError` for bad input (nothing is written).
    """
    started = time.perf_counter()
    project = find_project(start)
    module = job_module_name(name)
    registry = project.package_dir / "jobs" / "registry.py"
    if not registry.is_file():
        raise UserError(
            f"this project has no worker ({registry.relative_to(project.root).as_posix()} "
            "is missing); add it first with `forge add worker`"
        )
    if (project.package_dir / "jobs" / f"{module}.py").exists():
        raise UserError(f"job '{module}' already exists (jobs/{module}.py); choose another name")
    cron = check_cron(cron) if cron else None
    feature_plural, feature_pascal = _feature(project, feature) if feature else ("", "")
    data: dict[str, Any] = {
        "package_name": project.package,
        "job_module": module,
        "job_pascal": "".join(part.capitalize() for part in module.split("_") if part),
        "cron": cron or "",
        "feature_plural": feature_plural,
        "feature_pascal": feature_pascal,
    }
    before = registry.read_text(encoding="utf-8")
    after = insert_at_markers(
        before,
        {
            "# forge:imports": [f"from . import {module}"],
            "# forge:jobs": [f"    {module}.job,"],
        },
        file_label="jobs/registry.py",
        what="the job",
        required=("JOBS",),
    )
    registry_rel = registry.relative_to(project.root).as_posix()

    def build(staging: Path) -> None:
        render_template(TEMPLATE, staging, data)
        target = staging / registry_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(after, encoding="utf-8")

    files = plan_files(project.root, build, ruff_config=project.root / "pyproject.toml")
    for planned in files:
        if planned.replaces and planned.path != registry_rel:
            raise UserError(f"{planned.path} already exists; remove it, or choose another name")
    spec: dict[str, Any] = {"argument": name}
    if cron:
        spec["cron"] = cron
    if feature:
        spec["feature"] = feature
    records = _records(project, Unit(KIND, module, spec), files)
    notes = (
        []
        if records
        else [
            "this project has no .forge/manifest.toml (it was made by an older forge), so "
            "nothing was recorded: run `forge adopt` once to record it"
        ]
    )
    written = next(p.content.decode() for p in files if p.path == registry_rel)
    diff = registry_diff(registry_rel, before, written)
    if not dry_run:
        with write_errors_refused(project.root):
            apply_files(project.root, [*files, *records])
    return JobResult(
        project=project,
        name=module,
        files=files,
        registry_diff=diff,
        cron=cron,
        feature=feature_plural or None,
        seconds=time.perf_counter() - started,
        dry_run=dry_run,
        notes=notes,
    )


def replay_job(root: Path, unit: Unit) -> None:
    """Add the job of a manifest entry to the project at ``root``, exactly as recorded."""
    spec: Mapping[str, Any] = unit.spec
    cron = spec.get("cron")
    feature = spec.get("feature")
    add_job(
        root,
        str(spec.get("argument", unit.name)),
        cron=str(cron) if cron else None,
        feature=str(feature) if feature else None,
    )


_SERVICE_CLASS = re.compile(r"^class (\w+)Service\b", re.MULTILINE)


def _feature(project: Project, feature: str) -> tuple[str, str]:
    """(package, class prefix) of the feature ``feature`` names, singular or plural."""
    wanted = feature.strip().replace("-", "_")
    packages = sorted(
        p.name
        for p in project.features_dir.iterdir()
        if p.is_dir() and (p / "service.py").is_file() and (p / "repository.py").is_file()
    )
    plural = next((p for p in packages if p in (wanted, f"{wanted}s", f"{wanted}es")), None)
    if plural is None:
        shown = ", ".join(p for p in packages if p not in ("auth", "users")) or "none yet"
        raise UserError(
            f"no feature '{feature}' with a service in this project (features: {shown}); "
            "add it first with `forge add feature`"
        )
    service = (project.features_dir / plural / "service.py").read_text(encoding="utf-8")
    repository = (project.features_dir / plural / "repository.py").read_text(encoding="utf-8")
    match = _SERVICE_CLASS.search(service)
    if match is None or f"class {match.group(1)}Repository" not in repository:
        raise UserError(
            f"feature '{plural}' has no <Name>Service and <Name>Repository classes that forge "
            "can wire; write the job's service by hand"
        )
    return plural, match.group(1)


def _records(project: Project, unit: Unit, files: list[PlannedFile]) -> list[PlannedFile]:
    version = fastapi_forge.__version__
    manifest = read_manifest_if_any(project.root, forge_version=version)
    if manifest is None:
        return []
    if manifest.unit(KIND, unit.name) is not None:
        raise UserError(f"job '{unit.name}' is already recorded in the manifest")
    pristine = {planned.path: planned.content for planned in files}
    recorded = record_files(manifest.with_unit(unit, pristine, version), pristine)
    return [
        PlannedFile(path=path, content=content, replaces=(project.root / path).exists())
        for path, content in recorded.items()
    ]
