"""Regenerate ``fastapi_forge/dependency_names.py`` from a synced generated project.

    python -m tests.dependency_names /path/to/project...   # after `uv sync` in each

The project's ``uv.lock`` gives every distribution it can install, on any platform
(transitive ones and the dev group included); its ``.venv`` gives the top-level modules
the installed ones provide. forge refuses project names equal to any of them.
"""

import re
import sys
import tomllib
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "fastapi_forge" / "dependency_names.py"


def normalize(name: str) -> str:
    """PEP 503: lower case, runs of ``-``, ``_`` and ``.`` become ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_distributions(project: Path) -> set[str]:
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    own = normalize(
        tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    )
    return {normalize(package["name"]) for package in lock["package"]} - {own}


def installed_modules(project: Path, own_package: str) -> set[str]:
    modules: set[str] = set()
    for dist_info in project.glob(".venv/lib/python*/site-packages/*.dist-info"):
        top_level = dist_info / "top_level.txt"
        if top_level.is_file():
            modules.update(line.strip() for line in top_level.read_text().splitlines())
            continue
        record = dist_info / "RECORD"
        if not record.is_file():
            continue
        for line in record.read_text().splitlines():
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first.endswith((".dist-info", ".data", ".pth")) or first.startswith(("_", ".")):
                continue
            modules.add(first.removesuffix(".py"))
    return {
        module
        for module in modules
        if module.isidentifier()
        and module != own_package
        and not module.startswith("__")
        and not module.endswith("__mypyc")
    }


def render(distributions: set[str], modules: set[str]) -> str:
    def block(values: set[str]) -> str:
        return "\n".join(f'        "{value}",' for value in sorted(values))

    return f'''"""Names of everything a generated project installs (generated: do not edit).

Regenerate with ``python -m tests.dependency_names PROJECT`` after ``uv sync`` in a project
made by ``forge new``; ``tests/test_naming.py`` checks the template's own dependencies
are here, and the torture e2e test checks the whole lock of a fresh project.
"""

DISTRIBUTIONS: frozenset[str] = frozenset(
    {{
{block(distributions)}
    }}
)
"""Distributions (PEP 503 names) in a generated project's ``uv.lock``, dev group included."""

MODULES: frozenset[str] = frozenset(
    {{
{block(modules)}
    }}
)
"""Top-level modules those distributions install."""
'''


def main() -> None:
    # Several projects (one per component and broker): their names together.
    distributions: set[str] = set()
    modules: set[str] = set()
    for argument in sys.argv[1:]:
        project = Path(argument)
        package = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
        distributions |= locked_distributions(project)
        modules |= installed_modules(project, package.replace("-", "_"))
    modules |= {name.replace("-", "_") for name in distributions}
    TARGET.write_text(render(distributions, modules), encoding="utf-8")
    print(f"{TARGET}: {len(distributions)} distributions, {len(modules)} modules")


if __name__ == "__main__":
    main()
