"""Rendering forge's Copier templates.

forge's templates are ordinary Copier templates: ``copier copy templates/project DEST``
renders them. ``forge`` itself renders them with a small engine built on Jinja2 that
implements the part of Copier's template format these templates use (``copier.yml``
questions and defaults, ``_subdirectory``, ``_templates_suffix``, ``_answers_file``,
``_exclude``, templated path segments, the ``_copier_answers`` / ``_copier_conf``
context). Importing Copier alone takes longer than forge's whole render (Copier pulls
in an interactive prompt toolkit), and ``forge new`` is meant to answer in well under
half a second.

The two engines are held to the same bytes: the test suite renders every template and
option set through both and compares the trees, file modes included. Any Copier feature
the engine does not implement makes it refuse the template instead of rendering it
differently. ``FORGE_RENDER_ENGINE=copier`` renders through Copier itself.
"""

import contextlib
import fnmatch
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import fastapi_forge
from fastapi_forge.errors import ForgeError

__all__ = ["ENGINE_VARIABLE", "render_template", "template_dir"]

ENGINE_VARIABLE = "FORGE_RENDER_ENGINE"
ENGINES = ("forge", "copier")

_SOURCE_TREE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Copier settings the engine implements; ``_min_copier_version`` only concerns Copier.
_SUPPORTED_SETTINGS = frozenset(
    {"_subdirectory", "_templates_suffix", "_answers_file", "_exclude", "_min_copier_version"}
)
# Settings that make a template run code or load code; Copier calls them unsafe.
_UNSAFE_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "jinja_extensions",
}
_JINJA_MARKERS = ("{{", "{%", "{#")


def template_dir(name: str) -> Path:
    """Return the folder of the Copier template ``name`` (the one holding ``copier.yml``).

    An installed wheel ships the templates inside the package
    (``fastapi_forge/templates``); a source checkout or editable install has them in
    the repository's top-level ``templates/`` folder.
    """
    candidates = (
        Path(fastapi_forge.__file__).resolve().parent / "templates" / name,
        _SOURCE_TREE_TEMPLATES / name,
    )
    for candidate in candidates:
        if (candidate / "copier.yml").is_file():
            return candidate
    searched = ", ".join(str(candidate) for candidate in candidates)
    raise ForgeError(f"template '{name}' not found (looked in {searched}); reinstall fastapi-forge")


def render_template(name: str, destination: Path, data: Mapping[str, Any]) -> None:
    """Render the template ``name`` into ``destination`` with every answer in ``data``.

    Never prompts, never runs template tasks, and ignores the user's Copier settings
    file. Template errors become :class:`~fastapi_forge.errors.ForgeError`; ``OSError``
    is left to the caller, which knows which path it was writing.
    """
    engine = os.environ.get(ENGINE_VARIABLE, "forge").strip().lower() or "forge"
    if engine not in ENGINES:
        raise ForgeError(
            f"{ENGINE_VARIABLE}={engine!r} is not an engine; use one of {', '.join(ENGINES)} "
            "or unset it"
        )
    source = template_dir(name)
    if engine == "copier":
        _render_with_copier(name, source, destination, data)
    else:
        _render_with_forge(name, source, destination, data)


def _refusal(name: str, feature: str) -> ForgeError:
    return ForgeError(
        f"template '{name}' is refused: it uses the unsafe feature: {feature}; forge never "
        "runs Copier tasks, migrations or Jinja extensions, remove them from its copier.yml"
    )


def _render_with_copier(
    name: str, source: Path, destination: Path, data: Mapping[str, Any]
) -> None:
    """Render through Copier's own API (slow to import; the reference for the engine)."""
    import copier
    from copier.errors import CopierError, UnsafeTemplateError
    from jinja2 import TemplateError

    try:
        copier.run_copy(
            src_path=str(source),
            dst_path=destination,
            data=dict(data),
            settings=copier.Settings(),
            defaults=True,
            quiet=True,
            unsafe=False,
            overwrite=True,
        )
    except UnsafeTemplateError as exc:
        features = str(exc).split("unsafe feature:", 1)[-1].split("\n")[0].strip(" .")
        raise _refusal(name, features or "unknown") from exc
    except (CopierError, TemplateError, ValueError) as exc:
        raise ForgeError(f"template '{name}' failed to render: {exc}") from exc


def _render_with_forge(name: str, source: Path, destination: Path, data: Mapping[str, Any]) -> None:
    from jinja2 import TemplateError

    template = _Template.load(name, source)
    try:
        template.render(destination, data)
    except TemplateError as exc:
        raise ForgeError(f"template '{name}' failed to render: {exc}") from exc


def _to_nice_yaml(value: Any, indent: int = 4) -> str:
    """Copier's ``to_nice_yaml`` filter (from jinja2-ansible-filters), for JSON values."""
    import yaml

    dumped: str = yaml.safe_dump(value, indent=indent, allow_unicode=True, default_flow_style=False)
    return dumped


def cache_dir() -> Path:
    """Where forge keeps compiled templates: ``$XDG_CACHE_HOME/fastapi-forge`` or ``~/.cache``."""
    configured = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(configured) if Path(configured).is_absolute() else Path.home() / ".cache"
    return base / "fastapi-forge"


def _bytecode_cache() -> Any:
    """A Jinja bytecode cache that never fails a render (an unwritable cache is no cache).

    Compiling the project template's files is half of a render's time; the cache keys
    each file by the hash of its source, and the folder by the forge, Jinja and Python
    versions, so nothing stale is ever reused.
    """
    import jinja2
    from jinja2 import FileSystemBytecodeCache

    class _ForgivingCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError, ValueError, EOFError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    version = sys.version_info
    folder = cache_dir() / (
        f"templates-{fastapi_forge.__version__}-jinja{jinja2.__version__}"
        f"-py{version.major}{version.minor}"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _ForgivingCache(str(folder))


def _is_true(value: Any) -> bool:
    """Copier's reading of a rendered ``when``: YAML-ish booleans, else truthiness."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "false", "no", "off", "n", "0", "null", "none"}
    return bool(value)


@dataclass(frozen=True)
class _Template:
    """One Copier template as the engine reads it."""

    name: str
    root: Path
    content_root: Path
    suffix: str
    answers_file: str
    exclude: tuple[str, ...]
    questions: Mapping[str, Mapping[str, Any]]

    @classmethod
    def load(cls, name: str, root: Path) -> "_Template":
        import yaml

        # libyaml's loader when PyYAML was built with it: ten times faster than pure Python.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            text = (root / "copier.yml").read_text(encoding="utf-8")
            config = yaml.load(text, Loader=loader) or {}  # noqa: S506 (a safe loader)
        except yaml.YAMLError as exc:
            raise ForgeError(f"template '{name}' has an unreadable copier.yml: {exc}") from exc
        settings = {key: value for key, value in config.items() if key.startswith("_")}
        for key in settings:
            if key in _UNSAFE_SETTINGS:
                raise _refusal(name, _UNSAFE_SETTINGS[key])
            if key not in _SUPPORTED_SETTINGS:
                raise ForgeError(
                    f"template '{name}' uses the Copier setting {key}, which forge's "
                    f"renderer does not implement; render with {ENGINE_VARIABLE}=copier "
                    "or remove the setting"
                )
        questions = {}
        for key, spec in config.items():
            if key.startswith("_"):
                continue
            questions[key] = spec if isinstance(spec, dict) else {"default": spec}
        exclude = tuple(str(pattern) for pattern in settings.get("_exclude", ()))
        for pattern in exclude:
            templated = any(marker in pattern for marker in _JINJA_MARKERS)
            if "/" in pattern or pattern.startswith("!") or templated:
                raise ForgeError(
                    f"template '{name}' has the exclusion {pattern!r}; forge's renderer "
                    "matches plain name patterns only, render with "
                    f"{ENGINE_VARIABLE}=copier or simplify it"
                )
        return cls(
            name=name,
            root=root,
            content_root=root / str(settings.get("_subdirectory", "")),
            suffix=str(settings.get("_templates_suffix", ".jinja")),
            answers_file=str(settings.get("_answers_file", ".copier-answers.yml")),
            exclude=exclude,
            questions=questions,
        )

    @cached_property
    def environment(self) -> Any:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        # Copier's defaults (keep_trailing_newline, no autoescaping); StrictUndefined so
        # that a misspelt variable fails the render instead of vanishing from the output.
        environment = Environment(
            loader=FileSystemLoader(str(self.root)),
            keep_trailing_newline=True,
            undefined=StrictUndefined,
            # Generated files are code and configuration, never HTML.
            autoescape=False,  # noqa: S701
        )
        environment.filters["to_nice_yaml"] = _to_nice_yaml
        environment.bytecode_cache = _bytecode_cache()
        return environment

    def answers(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (every answer, the answers Copier remembers), in ``copier.yml`` order."""
        context: dict[str, Any] = dict(data)
        remembered: dict[str, Any] = {"_src_path": str(self.root)}
        for key, spec in self.questions.items():
            if key not in data:
                default = spec.get("default")
                if isinstance(default, str):
                    default = self.environment.from_string(default).render(**context)
                    default = self._cast(key, spec.get("type", "str"), default)
                context[key] = default
            when = spec.get("when", True)
            if isinstance(when, str):
                when = _is_true(self.environment.from_string(when).render(**context))
            if when and not spec.get("secret", False):
                remembered[key] = context[key]
        return context, remembered

    def _cast(self, key: str, kind: str, rendered: str) -> Any:
        import json

        if kind in {"str", "yaml"}:
            # yaml-typed questions are parsed by Copier; ours never use them.
            if kind == "yaml":
                raise ForgeError(
                    f"template '{self.name}' question {key} has type yaml, which forge's "
                    f"renderer does not implement; render with {ENGINE_VARIABLE}=copier"
                )
            return rendered
        if kind == "bool":
            return _is_true(rendered)
        if kind == "int":
            return int(rendered)
        if kind == "float":
            return float(rendered)
        if kind == "json":
            return json.loads(rendered)
        raise ForgeError(f"template '{self.name}' question {key} has an unknown type {kind!r}")

    def render(self, destination: Path, data: Mapping[str, Any]) -> None:
        """Write the rendered tree into ``destination`` (created if missing)."""
        answers, remembered = self.answers(data)
        context = {
            **answers,
            "_copier_answers": remembered,
            "_copier_conf": {
                "answers_file": PurePosixPath(self.answers_file),
                "src_path": self.root,
                "dst_path": destination,
                "sep": os.sep,
            },
            "_folder_name": destination.name,
            "_copier_python": sys.executable,
        }
        render_string = _StringRenderer(self.environment, context)
        destination.mkdir(parents=True, exist_ok=True)
        for source, relative, is_dir, is_template in self._sources():
            parts = [render_string(part) for part in relative.parts]
            if not all(parts):
                continue  # Copier skips a path when any segment renders empty.
            if any(self._excluded(part) for part in parts):
                continue
            if any(part in {".", ".."} or "/" in part or os.sep in part for part in parts):
                raise ForgeError(
                    f"template '{self.name}' renders {relative} outside the destination"
                )
            target = destination.joinpath(*parts)
            if is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            if is_template:
                name = source.relative_to(self.root).as_posix()
                content = self.environment.get_template(name).render(context).encode()
            else:
                content = source.read_bytes()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            mode = source.stat().st_mode & 0o7777
            if target.stat().st_mode & 0o7777 != mode:
                target.chmod(mode)

    def _excluded(self, part: str) -> bool:
        return any(fnmatch.fnmatchcase(part, pattern) for pattern in self.exclude)

    def _sources(self) -> Iterator[tuple[Path, PurePosixPath, bool, bool]]:
        """Every source path, parents first: (path, output path, is a folder, is a template).

        ``os.walk`` already tells folders from files and lists each folder's names, so
        no entry needs a ``stat`` of its own here.
        """
        for folder, subfolders, filenames in os.walk(self.content_root):
            subfolders.sort()
            here = Path(folder)
            names = {*subfolders, *filenames}
            entries = [(name, True) for name in subfolders]
            entries += [(name, False) for name in sorted(filenames)]
            for entry, is_dir in entries:
                source = here / entry
                relative = PurePosixPath(source.relative_to(self.content_root).as_posix())
                is_template = bool(self.suffix) and entry.endswith(self.suffix) and not is_dir
                if is_template:
                    relative = relative.with_name(entry[: -len(self.suffix)])
                elif self.suffix and f"{entry}{self.suffix}" in names:
                    continue  # The templated sibling wins, as in Copier.
                yield source, relative, is_dir, is_template


class _StringRenderer:
    """Render path segments, compiling each distinct one once."""

    def __init__(self, environment: Any, context: Mapping[str, Any]) -> None:
        self._environment = environment
        self._context = context
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not any(marker in text for marker in _JINJA_MARKERS):
            return text
        if text not in self._cache:
            self._cache[text] = self._environment.from_string(text).render(self._context)
        return self._cache[text]
