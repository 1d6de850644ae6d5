"""``forge add worker`` / ``forge add tracing``: turn a component on in an existing project.

A component is one of the project's answers, so the project it gives is exactly what
``forge new --with`` renders: the wanted manifest is the recorded one with the component's
answers added, rendered afresh and merged three ways onto the project
(:func:`~fastapi_forge.engine.update.plan_render`), like ``forge update``. Files the user
changed are merged, never overwritten; overlapping changes are left with conflict markers
and reported. The manifest then records the component, so replays and later updates keep it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from fastapi_forge.engine import git
from fastapi_forge.engine.manifest import read_manifest
from fastapi_forge.engine.replay import ProjectReplay, UnitReplay
from fastapi_forge.engine.target import find_project
from fastapi_forge.engine.update import UpdateResult, apply_plan, check_base, plan_render
from fastapi_forge.errors import UserError
from fastapi_forge.generators.project.generator import BROKERS, Components

__all__ = ["add_component"]


def add_component(
    start: Path,
    name: str,
    *,
    forge_version: str,
    project: ProjectReplay,
    units: Mapping[str, UnitReplay],
    broker: str | None = None,
    dry_run: bool = False,
) -> UpdateResult:
    """Add the component ``name`` (``worker`` or ``tracing``) to the project at ``start``.

    Refuses (nothing written) a project without a manifest, one whose base copies disagree
    with it, a component it has already, and a merge with conflicts in a project that is
    not a clean git repository (the markers could not be undone).
    """
    target = find_project(start)
    manifest = read_manifest(target.root, forge_version=forge_version)
    check_base(target.root, manifest)
    have = Components.from_answers(manifest.answers)
    if getattr(have, name):
        what = f"the worker (broker {have.broker})" if name == "worker" else name
        raise UserError(f"this project has {what} already; there is nothing to add")
    if broker is not None and name != "worker":
        raise UserError("--broker is the worker's; leave it out for " + name)
    chosen = next((b for b in BROKERS if b == broker), None) if broker else have.broker
    if chosen is None:
        raise UserError(f"unknown broker '{broker}'; use one of: {', '.join(BROKERS)}")
    wanted_components = replace(have, broker=chosen, **{name: True})
    answers = {
        key: value
        for key, value in manifest.answers.items()
        if key not in ("worker", "broker", "tracing")
    } | wanted_components.answers()
    wanted = replace(manifest, answers=answers)
    plan = plan_render(
        target, manifest, wanted, forge_version=forge_version, project=project, units=units
    )
    if dry_run:
        return UpdateResult(plan=plan, applied=False)
    if plan.conflicts and not (
        git.is_repository(target.root)
        and git.has_commits(target.root)
        and not git.uncommitted_paths(target.root)
    ):
        raise UserError(
            f"adding {name} conflicts with your changes in {', '.join(plan.conflicts[:3])}"
            + (f" and {len(plan.conflicts) - 3} more" if len(plan.conflicts) > 3 else "")
            + "; commit the project to git first (the merge leaves conflict markers, which "
            "git lets you undo), or see them with --dry-run"
        )
    # Staged as git leaves a merge (conflicted files unstaged), for review.
    apply_plan(plan, stage=git.is_repository(target.root))
    return UpdateResult(plan=plan, applied=True)
