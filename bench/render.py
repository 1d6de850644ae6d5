"""Render speed: `forge new` and `forge add-feature`, beside public templates' renders.

References, rendered in the same run on the same machine:

* ``fastapi-template`` 6.1.2 from PyPI (s3rius/FastAPI-template), a cookiecutter template
  with its own CLI. It is installed in a private virtualenv and run with every question
  answered on the command line. Its post-generation hook runs ``git`` and ``uv sync``;
  those two commands are replaced by no-ops on PATH, so what is timed is its render
  (cookiecutter and its file hooks) only, like ``forge new``.
* Optionally (``--copier-template PATH``), a Copier template rendered by Copier's own CLI
  (``copier copy --defaults --trust``), such as a checkout of
  fastapi/full-stack-fastapi-template at tag 0.10.0, the last release that shipped a
  ``copier.yml``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench.common import (
    BenchError,
    Measurement,
    Workspace,
    child_env,
    forge_command,
    median,
    run,
    timed,
)
from bench.harness import UV
from bench.projects import FIELDS

REFERENCE_PACKAGE = "fastapi-template==6.1.2"
REFERENCE_OPTIONS = [
    "--quiet",
    "--api-type",
    "rest",
    "--db",
    "postgresql",
    "--orm",
    "sqlalchemy",
    "--ci",
    "github",
    "--migrations",
    "--routers",
    "--add_users",
    "--jwt-auth",
    "--cookie-auth",
    "--prometheus",
    "--dummy",
]
NEW_TARGET_SECONDS = 0.5
RATIO_TARGET = 5.0

# Only the render (and, in green, uv sync timed on its own): no install, no git step.
NEW = ("new", "--no-install", "--no-git")


def reference_venv(workspace: Workspace) -> Path:
    """A virtualenv holding the PyPI reference template and Copier, bytecode compiled."""
    venv = workspace.folder("reference-venv")
    run([UV, "venv", "--quiet", "--python", sys.executable, venv], env=child_env())
    run(
        [
            UV,
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--python",
            venv / "bin" / "python",
            REFERENCE_PACKAGE,
            "copier>=9.4,<10",
        ],
        env=child_env(),
        timeout=900,
    )
    return venv


def no_op_shims(workspace: Workspace) -> Path:
    """A folder with ``git`` and ``uv`` that do nothing (see the module docstring)."""
    shims = workspace.folder("shims")
    for name in ("git", "uv"):
        shim = shims / name
        shim.write_text("#!/bin/sh\nexit 0\n")
        shim.chmod(0o755)
    return shims


def measure(
    workspace: Workspace, *, repeat: int, reference_repeat: int, copier_template: str | None
) -> list[Measurement]:
    """Time every render; return the figures with their targets."""
    forge = forge_command()
    results: list[Measurement] = []

    # forge new, cold: an empty template cache, as on the first run after installing.
    cold = []
    for index in range(3):
        env = child_env(XDG_CACHE_HOME=str(workspace.folder(f"cold-cache-{index}")))
        seconds, _ = timed(
            [*forge, *NEW, "bench-api", workspace.root / f"cold-{index}", "--no-input"], env=env
        )
        cold.append(seconds)
    results.append(
        Measurement(
            "render", "forge new (first run, empty cache)", median(cold), "s", detail={"runs": cold}
        )
    )

    cache = child_env(XDG_CACHE_HOME=str(workspace.folder("warm-cache")))
    run([*forge, *NEW, "warm-up", workspace.root / "warm-up", "--no-input"], env=cache)
    warm = []
    for index in range(repeat):
        seconds, _ = timed(
            [*forge, *NEW, "bench-api", workspace.root / f"new-{index}", "--no-input"], env=cache
        )
        warm.append(seconds)
    new_median = median(warm)
    results.append(
        Measurement(
            "render",
            "forge new",
            new_median,
            "s",
            f"< {NEW_TARGET_SECONDS} s",
            new_median < NEW_TARGET_SECONDS,
            {"runs": warm},
        )
    )

    pristine = workspace.root / "new-0"
    feature = []
    for index in range(repeat):
        project = workspace.root / f"feature-{index}"
        shutil.copytree(pristine, project)
        seconds, _ = timed(
            [*forge, "add-feature", "orders", *FIELDS, "--quiet"], cwd=project, env=cache
        )
        feature.append(seconds)
        shutil.rmtree(project)
    results.append(
        Measurement("render", "forge add-feature", median(feature), "s", detail={"runs": feature})
    )

    venv = reference_venv(workspace)
    shims = no_op_shims(workspace)
    reference_env = child_env(PATH=f"{shims}{os.pathsep}{os.environ.get('PATH', '')}")
    reference = []
    for index in range(reference_repeat):
        out = workspace.folder(f"reference-{index}")
        seconds, _ = timed(
            [venv / "bin" / "fastapi_template", "--name", "bench_api", *REFERENCE_OPTIONS],
            cwd=out,
            env=reference_env,
        )
        if not (out / "bench_api" / "pyproject.toml").is_file():
            raise BenchError(f"{REFERENCE_PACKAGE} rendered no project in {out}")
        reference.append(seconds)
    reference_median = median(reference)
    results.append(
        Measurement(
            "render",
            f"{REFERENCE_PACKAGE} (its CLI, cookiecutter)",
            reference_median,
            "s",
            detail={"runs": reference, "options": REFERENCE_OPTIONS},
        )
    )
    ratios = {f"{REFERENCE_PACKAGE}": reference_median / new_median}

    if copier_template:
        path, _, ref = copier_template.partition("@")
        copier_runs = []
        for index in range(reference_repeat):
            command: list[str | Path] = [
                venv / "bin" / "copier",
                "copy",
                "--defaults",
                "--trust",
                "--quiet",
            ]
            if ref:
                command += ["--vcs-ref", ref]
            seconds, _ = timed([*command, path, workspace.root / f"copier-{index}"])
            copier_runs.append(seconds)
        copier_median = median(copier_runs)
        label = f"copier copy {Path(path).name}{'@' + ref if ref else ''}"
        results.append(
            Measurement("render", label, copier_median, "s", detail={"runs": copier_runs})
        )
        ratios[label] = copier_median / new_median

    # The target is set against the Copier render of the best-known template when one is
    # given, else against the PyPI reference; the other ratio is reported alongside.
    target_label = list(ratios)[-1]
    for label, ratio in ratios.items():
        is_target = label == target_label
        results.append(
            Measurement(
                "render",
                f"speed-up vs {label}",
                ratio,
                "x",
                f">= {RATIO_TARGET:g}x" if is_target else "",
                ratio >= RATIO_TARGET if is_target else None,
            )
        )
    return results
