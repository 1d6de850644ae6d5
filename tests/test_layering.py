"""The layering of ``fastapi_forge``, read from the source with :mod:`ast` (nothing imported).

Layers, bottom up: the shared modules (``errors``, ``naming``, ``inflector``, ``console``,
``dependency_names``), the ``engine``, the ``generators`` and the ``audit`` (an analysis,
beside the generators), the ``cli``, and ``entry``. A module imports only its own layer or
lower ones; a generator imports no other generator, and the audit and the generators import
nothing of each other; and the graph of imports (lazy ones inside functions included) has
no cycle.
"""

import ast
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

import fastapi_forge

PACKAGE_DIR = Path(fastapi_forge.__file__).resolve().parent
LAYERS = {"shared": 0, "engine": 1, "generators": 2, "audit": 2, "cli": 3, "entry": 4}


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every ``fastapi_forge`` module ``path`` imports, anywhere in the file."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # `from fastapi_forge.cli import add` imports the submodule add.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if module.split(".")[0] == "fastapi_forge"}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE_DIR.rglob("*.py")}
    return {name: imports_of(path) & paths.keys() - {name} for name, path in paths.items()}


def layer(module: str) -> tuple[int, str | None]:
    """(layer, group) of a ``fastapi_forge`` module: the group is the generator's name, or
    ``audit``, for the modules of the layer that sits beside the generators (else None)."""
    parts = module.split(".")[1:]
    if not parts:
        return LAYERS["shared"], None
    if parts[0] == "generators":
        return LAYERS["generators"], parts[1] if len(parts) > 1 else None
    if parts[0] == "audit":
        return LAYERS["audit"], "audit"
    return LAYERS.get(parts[0], LAYERS["shared"]), None


def violations(graph: Mapping[str, set[str]]) -> list[str]:
    """Every import that breaks the layering, and every cycle, as one line each."""
    found = []
    for module, imported in sorted(graph.items()):
        own_layer, own_generator = layer(module)
        for target in sorted(imported):
            target_layer, target_generator = layer(target)
            if target_layer > own_layer:
                found.append(f"{module} imports {target}, a higher layer")
            elif (
                own_layer == target_layer == LAYERS["generators"]
                and own_generator != target_generator
                and target_generator is not None
            ):
                kind = "audit" if own_generator == "audit" else "generator"
                other = "the audit's" if target_generator == "audit" else "another generator's"
                found.append(f"{kind} module {module} imports {other} {target}")
    found.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph))
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected set of modules that import each other."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_layering_holds() -> None:
    graph = import_graph()
    assert "fastapi_forge.engine.render" in graph, "the walk found the modules"
    assert "fastapi_forge.generators.feature.generator" in graph["fastapi_forge.cli.add"] or any(
        "generators.feature" in target for target in graph["fastapi_forge.cli.add"]
    ), "lazy imports inside functions are seen"
    assert violations(graph) == []
    assert "fastapi_forge.engine.manifest" in graph["fastapi_forge.audit"], "the audit is walked"


@pytest.mark.parametrize(
    ("module", "target", "expected"),
    [
        ("fastapi_forge.engine.render", "fastapi_forge.generators.feature.codegen", "higher"),
        ("fastapi_forge.generators.feature.checks", "fastapi_forge.cli.add", "higher"),
        ("fastapi_forge.console", "fastapi_forge.generators.feature.generator", "higher"),
        ("fastapi_forge.cli.new", "fastapi_forge.entry", "higher"),
        (
            "fastapi_forge.generators.feature.generator",
            "fastapi_forge.generators.project.generator",
            "another generator",
        ),
        (
            "fastapi_forge.generators.feature.context",
            "fastapi_forge.generators.feature.refs",
            "cycle",
        ),
        ("fastapi_forge.audit.checks", "fastapi_forge.generators.feature.codegen", "another"),
        ("fastapi_forge.audit.facts", "fastapi_forge.cli.add", "higher"),
        ("fastapi_forge.generators.feature.generator", "fastapi_forge.audit.facts", "audit's"),
    ],
)
def test_a_broken_rule_is_reported(module: str, target: str, expected: str) -> None:
    graph = import_graph()
    graph[module] = {*graph[module], target}
    if expected == "cycle":
        graph[target] = {*graph[target], module}
    assert any(expected in line for line in violations(graph))


def test_forge_new_loads_neither_the_slice_generator_nor_copier(tmp_path: Path) -> None:
    """``forge new`` stays fast: the feature generator and Copier are imported lazily."""
    script = (
        "import sys\n"
        "from fastapi_forge.entry import main\n"
        "sys.argv = ['forge', 'new', 'quick-api', '--defaults', '--no-input', '--dry-run', '-q']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('fastapi_forge.', 'copier')))\n"
        "print('\\n'.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = result.stdout.split()
    assert "fastapi_forge.generators.project.generator" in loaded
    assert not [
        module for module in loaded if module.startswith("fastapi_forge.generators.feature")
    ]
    assert not [module for module in loaded if module.startswith("copier")]
    assert not list(tmp_path.iterdir()), "a dry run writes nothing"


def test_the_benchmarks_do_not_import_the_tests() -> None:
    """``bench/`` ships in the sdist beside ``tests/``; the tests may use its harness, never
    the other way round."""
    bench = PACKAGE_DIR.parent / "bench"
    offenders = []
    for path in sorted(bench.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "tests"]
    assert (bench / "harness.py").is_file()
    assert offenders == []
