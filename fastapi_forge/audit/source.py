"""Read a project without running it: its Python modules (as syntax trees), its configuration
files, and the facts the checks share (endpoints, classes, calls, settings fields).

Nothing is imported or executed, so an untrusted checkout is safe to read. A file that does
not parse, is not UTF-8 or is too large is skipped and listed with the reason.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi_forge.audit.model import App, Evidence, Skipped
from fastapi_forge.errors import UserError

__all__ = ["Call", "ClassInfo", "Endpoint", "Module", "Project", "load_project"]

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        ".forge",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        ".eggs",
        "build",
        "dist",
        "site-packages",
        "htmlcov",
    }
)
"""Folders never read: environments, caches, build output and forge's own records."""
MAX_FILE_BYTES = 1_000_000
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route"})
VERSIONED_PATH = re.compile(r"/(api/)?v\d+(/[\w{}/-]*)?")
TEXT_SUFFIXES = frozenset({".toml", ".cfg", ".ini", ".yml", ".yaml", ".txt", ".sh", ".json"})
TEXT_NAMES = frozenset({"Dockerfile", "Procfile", "Makefile", "Containerfile", "justfile"})


@dataclass(frozen=True)
class Call:
    """A call in the code: ``name`` is the called name's last part (``add_middleware``)."""

    module: Module
    node: ast.Call
    name: str
    function: ast.FunctionDef | ast.AsyncFunctionDef | None  # innermost enclosing function
    awaited: bool = False  # the call is the operand of ``await``

    @cached_property
    def dotted(self) -> str:
        """The whole called expression, unparsed: ``app.add_middleware``."""
        return ast.unparse(self.node.func)

    def keyword(self, name: str) -> ast.expr | None:
        """The value of keyword argument ``name``, if given."""
        return next((item.value for item in self.node.keywords if item.arg == name), None)

    def evidence(self, note: str = "") -> Evidence:
        """This call's place."""
        return Evidence(self.module.path, self.node.lineno, note)


@dataclass(frozen=True)
class ClassInfo:
    """A class statement: its name and the last part of each base's name."""

    module: Module
    node: ast.ClassDef
    name: str
    bases: tuple[str, ...]

    def evidence(self, note: str = "") -> Evidence:
        """This class's place."""
        return Evidence(self.module.path, self.node.lineno, note)


@dataclass(frozen=True)
class Endpoint:
    """A path operation: a function decorated with ``<router>.get(...)`` and the like."""

    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    decorator: ast.Call
    method: str
    path: str  # the decorator's path, unparsed when it is not a plain string
    router: str  # the decorated-with name: ``router``, ``app``

    @property
    def is_async(self) -> bool:
        """True for ``async def``."""
        return isinstance(self.node, ast.AsyncFunctionDef)

    def keyword(self, name: str) -> ast.expr | None:
        """The decorator's keyword argument ``name``, if given."""
        return next((item.value for item in self.decorator.keywords if item.arg == name), None)

    @property
    def full_path(self) -> str:
        """The path with the router's prefix when it is known (unparsed if not literal)."""
        prefix = self.module.router_prefixes.get(self.router, "")
        return f"{prefix}{self.path}"

    @property
    def signature_text(self) -> str:
        """The decorators and arguments as source text (where dependencies are declared)."""
        parts = [ast.unparse(item) for item in self.node.decorator_list]
        parts.append(ast.unparse(self.node.args))
        parts.append(self.module.router_dependencies.get(self.router, ""))
        return "\n".join(parts)

    def evidence(self, note: str = "") -> Evidence:
        """The endpoint's place."""
        return Evidence(self.module.path, self.node.lineno, note)

    def label(self) -> str:
        """``GET /items (list_items)``."""
        return f"{self.method.upper()} {self.full_path or '/'} ({self.node.name})"


@dataclass
class Module:
    """One parsed Python file of the project."""

    path: str  # relative POSIX path
    text: str
    tree: ast.Module
    is_test: bool
    is_migration: bool
    router_prefixes: dict[str, str] = field(default_factory=dict)
    router_dependencies: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    imports: dict[str, int] = field(default_factory=dict)  # top-level package -> first line

    @property
    def is_app(self) -> bool:
        """Application code: not a test, not a migration."""
        return not self.is_test and not self.is_migration


@dataclass
class Project:
    """A project read from disk: its modules, text files and the facts drawn from them."""

    root: Path
    modules: list[Module]
    texts: dict[str, str]  # relative POSIX path -> content, for configuration files
    skipped: list[Skipped]
    calls: list[Call] = field(default_factory=list)
    classes: list[ClassInfo] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    test_functions: int = 0
    async_test_functions: int = 0
    versioned_paths: list[Evidence] = field(default_factory=list)

    @property
    def app_modules(self) -> list[Module]:
        """Modules that are neither tests nor migrations."""
        return [module for module in self.modules if module.is_app]

    @property
    def files_scanned(self) -> int:
        """Python modules parsed plus configuration files read."""
        return len(self.modules) + len(self.texts)

    def app_calls(self, *names: str) -> list[Call]:
        """Calls in application code whose last name part is one of ``names``."""
        wanted = set(names)
        return [call for call in self.calls if call.name in wanted and call.module.is_app]

    def imported(self, *packages: str, tests: bool = False) -> list[Evidence]:
        """Where application code (or test code) imports one of ``packages`` (top-level names)."""
        found = []
        for module in self.modules:
            if module.is_migration or module.is_test != tests:
                continue
            for package in packages:
                if package in module.imports:
                    found.append(
                        Evidence(module.path, module.imports[package], f"imports {package}")
                    )
        return found

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        """pyproject.toml as a dict (empty when missing or unreadable)."""
        text = self.texts.get("pyproject.toml")
        if text is None:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}

    def find_text(self, pattern: str, paths: Iterator[str] | None = None) -> list[Evidence]:
        """Lines of the configuration files (or of ``paths``) matching the regex ``pattern``."""
        regex = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        found = []
        for path in paths if paths is not None else iter(self.texts):
            text = self.texts.get(path, "")
            for match in regex.finditer(text):
                start = text.rfind("\n", 0, match.start()) + 1
                if text[start : match.start()].lstrip().startswith("#"):
                    continue  # a comment says so; that is not the configuration doing it
                end = text.find("\n", match.end())
                whole = text[start : end if end != -1 else len(text)].strip()
                line = text.count("\n", 0, match.start()) + 1
                found.append(Evidence(path, line, whole[:80]))
        return found

    def find_in_code(self, pattern: str, *, tests: bool = False) -> list[Evidence]:
        """Lines of application (or test) modules matching the regex ``pattern``."""
        regex = re.compile(pattern, re.MULTILINE)
        found = []
        for module in self.modules:
            if module.is_migration or module.is_test != tests:
                continue
            for match in regex.finditer(module.text):
                line = module.text.count("\n", 0, match.start()) + 1
                found.append(Evidence(module.path, line, match.group(0).strip()[:80]))
        return found

    @property
    def workflow_paths(self) -> list[str]:
        """CI configuration files: GitHub Actions, GitLab CI, and the like."""
        return [
            path
            for path in self.texts
            if path.startswith(".github/workflows/")
            or path in {".gitlab-ci.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml"}
            or path.startswith(".circleci/")
        ]

    @property
    def dockerfiles(self) -> list[str]:
        """Dockerfiles anywhere in the project, the root one first."""
        found = [
            path
            for path in self.texts
            if Path(path).name.startswith(("Dockerfile", "Containerfile"))
            or path.endswith(".Dockerfile")
        ]
        # The deployed one first: at the root, then anything but a dev container's.
        return sorted(found, key=lambda path: ("/" in path, ".devcontainer" in path, path))

    @property
    def compose_files(self) -> list[str]:
        """docker compose files."""
        return [
            path
            for path in self.texts
            if re.fullmatch(r"(docker-)?compose[\w.-]*\.ya?ml", Path(path).name)
        ]


def load_project(root: Path) -> Project:
    """Read the project at ``root``; refuse a path that is not a FastAPI project."""
    if not root.exists():
        raise UserError(f"{root} does not exist; give the path of a FastAPI project")
    if not root.is_dir():
        raise UserError(f"{root} is not a folder; give the folder of a FastAPI project")
    modules: list[Module] = []
    texts: dict[str, str] = {}
    skipped: list[Skipped] = []
    for path in _walk(root):
        relative = path.relative_to(root).as_posix()
        is_python = path.suffix == ".py"
        if not is_python and not _is_config(path):
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            skipped.append(Skipped(relative, f"cannot be read ({exc.strerror})"))
            continue
        if size > MAX_FILE_BYTES:
            skipped.append(Skipped(relative, f"larger than {MAX_FILE_BYTES // 1_000_000} MB"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            skipped.append(Skipped(relative, "not UTF-8 text"))
            continue
        except OSError as exc:
            skipped.append(Skipped(relative, f"cannot be read ({exc.strerror})"))
            continue
        if not is_python:
            texts[relative] = text
            continue
        try:
            tree = ast.parse(text, filename=relative)
        except SyntaxError as exc:
            skipped.append(Skipped(relative, f"does not parse: {exc.msg} (line {exc.lineno})"))
            continue
        except ValueError as exc:  # null bytes
            skipped.append(Skipped(relative, f"does not parse: {exc}"))
            continue
        except (RecursionError, MemoryError):
            skipped.append(Skipped(relative, "does not parse: nested too deeply"))
            continue
        modules.append(_module(relative, text, tree))
    if not modules:
        if skipped and any(item.path.endswith(".py") for item in skipped):
            raise UserError(
                f"no Python file under {root} could be read ({len(skipped)} skipped, e.g. "
                f"{skipped[0].path}: {skipped[0].reason}); fix them or audit another folder"
            )
        raise UserError(
            f"{root} is not a Python project (no .py files); give the folder of a FastAPI project"
        )
    project = Project(root, modules, texts, skipped)
    _collect(project)
    if not project.apps:
        hint = (
            f"; {len(skipped)} file(s) could not be read, "
            f"e.g. {skipped[0].path}: {skipped[0].reason}"
            if skipped
            else ""
        )
        raise UserError(
            f"no FastAPI app found under {root} (no FastAPI(...) call outside the tests){hint}; "
            "give the folder of a FastAPI project"
        )
    return project


def _walk(root: Path) -> Iterator[Path]:
    """Every file under ``root`` outside :data:`SKIP_DIRS`, in a stable order."""
    for folder, subfolders, filenames in os.walk(root):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in SKIP_DIRS
            and not name.endswith(".egg-info")
            and not (Path(folder, name) / "pyvenv.cfg").exists()
        )
        for name in sorted(filenames):
            path = Path(folder, name)
            if not path.is_symlink():
                yield path


def _is_config(path: Path) -> bool:
    name = path.name
    if name in TEXT_NAMES or name.startswith(("Dockerfile", "Containerfile")):
        return True
    if name in {".coveragerc", ".pre-commit-config.yaml", "alembic.ini"}:
        return True
    if not path.suffix and path.parent.name in {"scripts", "bin"}:
        return True  # scripts/test, bin/deploy: what CI and deploys run
    return path.suffix in TEXT_SUFFIXES and name != "package-lock.json"


def _is_test(relative: str) -> bool:
    parts = relative.split("/")
    name = parts[-1]
    return (
        any(part in {"tests", "test", "testing"} for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _module(relative: str, text: str, tree: ast.Module) -> Module:
    parts = relative.split("/")
    is_migration = "versions" in parts[:-1] and ("def upgrade" in text or "revision" in text)
    is_migration = is_migration or (
        parts[-1] == "env.py" and "alembic" in text and "context" in text
    )
    module = Module(relative, text, tree, _is_test(relative), is_migration)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                value = node.value
                if isinstance(value, ast.Constant):
                    module.constants[target.id] = value.value
                elif isinstance(value, ast.Call) and _last_name(value.func) == "APIRouter":
                    prefix = next((k.value for k in value.keywords if k.arg == "prefix"), None)
                    if prefix is not None:
                        module.router_prefixes[target.id] = _text_of(prefix)
                    dependencies = next(
                        (k.value for k in value.keywords if k.arg == "dependencies"), None
                    )
                    if dependencies is not None:
                        module.router_dependencies[target.id] = ast.unparse(dependencies)
    return module


def _text_of(node: ast.expr) -> str:
    """A string literal's value, an f-string with its placeholders kept, or the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                pieces.append("{" + ast.unparse(part.value) + "}")
            elif isinstance(part, ast.Constant):
                pieces.append(str(part.value))
        return "".join(pieces)
    return ast.unparse(node)


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _last_name(node.func)
    if isinstance(node, ast.Subscript):
        return _last_name(node.value)
    return ""


def _collect(project: Project) -> None:
    """One walk of every module, filling in calls, classes, endpoints and apps."""
    for module in list(project.modules):
        try:
            _Collector(project, module).visit(module.tree)
        except RecursionError:
            # Forget what was half collected: the module is skipped as a whole.
            project.modules.remove(module)
            project.skipped.append(Skipped(module.path, "nested too deeply to analyse"))
            project.calls = [call for call in project.calls if call.module is not module]
            project.classes = [info for info in project.classes if info.module is not module]
            project.endpoints = [e for e in project.endpoints if e.module is not module]
            project.apps = [app for app in project.apps if app.path != module.path]


class _Collector(ast.NodeVisitor):
    def __init__(self, project: Project, module: Module) -> None:
        self.project = project
        self.module = module
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.awaited: set[int] = set()
        self.versioned = False

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if (
            not self.versioned
            and self.module.is_app
            and isinstance(node.value, str)
            and node.value.startswith("/")
            and VERSIONED_PATH.fullmatch(node.value)
        ):
            self.versioned = True
            self.project.versioned_paths.append(Evidence(self.module.path, node.lineno, node.value))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.module.imports.setdefault(alias.name.split(".")[0], node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.level and node.module:
            self.module.imports.setdefault(node.module.split(".")[0], node.lineno)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = tuple(_last_name(base) for base in node.bases)
        self.project.classes.append(ClassInfo(self.module, node, node.name, bases))
        self.generic_visit(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.module.is_test and node.name.startswith("test"):
            self.project.test_functions += 1
            if isinstance(node, ast.AsyncFunctionDef):
                self.project.async_test_functions += 1
        if self.module.is_app:
            for decorator in node.decorator_list:
                endpoint = self._endpoint(node, decorator)
                if endpoint is not None:
                    self.project.endpoints.append(endpoint)
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _endpoint(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr
    ) -> Endpoint | None:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return None
        method = decorator.func.attr
        if method not in HTTP_METHODS or not isinstance(decorator.func.value, ast.Name):
            return None
        path_node = decorator.args[0] if decorator.args else None
        path_node = path_node or next(
            (k.value for k in decorator.keywords if k.arg == "path"), None
        )
        if path_node is None or not isinstance(path_node, ast.Constant | ast.JoinedStr | ast.Name):
            return None
        if isinstance(path_node, ast.Constant) and not isinstance(path_node.value, str):
            return None
        path = _text_of(path_node)
        if isinstance(path_node, ast.Name):
            path = str(self.module.constants.get(path_node.id, "{" + path_node.id + "}"))
        return Endpoint(self.module, node, decorator, method, path, decorator.func.value.id)

    def visit_Call(self, node: ast.Call) -> None:
        name = _last_name(node.func)
        if name:
            function = self.functions[-1] if self.functions else None
            call = Call(self.module, node, name, function, awaited=id(node) in self.awaited)
            self.project.calls.append(call)
            if name == "FastAPI" and self.module.is_app:
                self._app(call)
        self.generic_visit(node)

    def _app(self, call: Call) -> None:
        if call.function is not None:
            self.project.apps.append(
                App(self.module.path, call.node.lineno, call.function.name, factory=True)
            )
            return
        for node in self.module.tree.body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign) and node.value is call.node:
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and node.value is call.node:
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self.project.apps.append(
                        App(self.module.path, call.node.lineno, target.id, factory=False)
                    )
                    return
        self.project.apps.append(App(self.module.path, call.node.lineno, "app", factory=False))
