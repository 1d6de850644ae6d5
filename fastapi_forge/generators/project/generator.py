"""``forge new``: render the project template and move the result into place atomically.

Rendering happens in a hidden staging folder next to the destination (same file
system), so the project appears with one ``os.rename`` or not at all: on any
error, including ``KeyboardInterrupt``, the file system is left as it was.
"""

import os
import secrets
import shlex
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import tomli_w

import fastapi_forge
from fastapi_forge.engine.manifest import (
    BASE_DIR,
    PROJECT_OWNER,
    Manifest,
    broken_manifest,
    digest,
    record_files,
)
from fastapi_forge.engine.render import render_template
from fastapi_forge.engine.workspace import (
    STAGING_PREFIX,
    create_tree,
    display_path,
    list_files,
    nearest_existing,
)
from fastapi_forge.errors import ForgeError, UserError
from fastapi_forge.naming import ProjectNames, normalize_project_name

__all__ = [
    "BROKERS",
    "COMPONENTS",
    "DATABASES",
    "DEFAULT_BROKER",
    "DEFAULT_DATABASE",
    "DEFAULT_DESCRIPTION",
    "DEFAULT_PYTHON_VERSION",
    "PYTHON_VERSIONS",
    "Broker",
    "Components",
    "Database",
    "ProjectResult",
    "PythonVersion",
    "check_description",
    "check_destination",
    "create_project",
    "next_steps",
]

Database = Literal["sqlite", "postgres"]
"""Databases the project template supports (``database`` in ``copier.yml``)."""
DATABASES: tuple[Database, ...] = get_args(Database)
DEFAULT_DATABASE: Database = "sqlite"
PythonVersion = Literal["3.11", "3.12", "3.13"]
"""Python versions the project template supports (``python_version`` in ``copier.yml``)."""
PYTHON_VERSIONS: tuple[PythonVersion, ...] = get_args(PythonVersion)
DEFAULT_PYTHON_VERSION: PythonVersion = "3.12"
DEFAULT_DESCRIPTION = "A production-grade FastAPI service."
Broker = Literal["redis", "rabbitmq"]
"""Brokers the worker component supports (``broker`` in ``copier.yml``)."""
BROKERS: tuple[Broker, ...] = get_args(Broker)
DEFAULT_BROKER: Broker = "redis"
COMPONENTS = ("worker", "tracing")
"""The optional components of a project (``forge new --with``, ``forge add worker``)."""


@dataclass(frozen=True)
class Components:
    """Which optional components a project has."""

    worker: bool = False
    broker: Broker = DEFAULT_BROKER
    """The worker's broker (meaningful with ``worker`` only)."""
    tracing: bool = False

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> "Components":
        """The components recorded in a manifest's (or the answers file's) answers."""
        broker = str(answers.get("broker", DEFAULT_BROKER))
        return cls(
            worker=bool(answers.get("worker", False)),
            broker=next((b for b in BROKERS if b == broker), DEFAULT_BROKER),
            tracing=bool(answers.get("tracing", False)),
        )

    def answers(self) -> dict[str, Any]:
        """What the manifest records: only the components that are on (a project without
        any has the answers it always had)."""
        recorded: dict[str, Any] = {}
        if self.worker:
            recorded |= {"worker": True, "broker": self.broker}
        if self.tracing:
            recorded["tracing"] = True
        return recorded

    @property
    def names(self) -> tuple[str, ...]:
        """The components that are on, in ``COMPONENTS`` order."""
        return tuple(name for name in COMPONENTS if getattr(self, name))


TEMPLATE = "project"
ENV_EXAMPLE = ".env.example"
ENV_FILE = ".env"


@dataclass(frozen=True)
class ProjectResult:
    """What ``create_project`` wrote (or, for a dry run, would write)."""

    names: ProjectNames
    destination: Path
    """Absolute path of the project folder."""
    files: tuple[str, ...]
    """Every file of the project, as sorted relative POSIX paths."""
    render_seconds: float
    """Wall-clock time spent rendering the template."""
    dry_run: bool
    database: str = "sqlite"
    """The database the project was generated for."""
    python_version: str = DEFAULT_PYTHON_VERSION
    """The Python version the project targets."""
    components: Components = Components()
    """The optional components rendered."""


def check_description(description: str) -> str:
    """Return ``description`` stripped; refuse one that is not a single line of text."""
    description = description.strip()
    if any(not char.isprintable() for char in description):
        raise UserError(
            f"invalid description {description!r}: it must be one line of printable text; "
            "remove the line breaks and control characters"
        )
    return description


def check_destination(destination: Path) -> Path:
    """Refuse a destination ``forge new`` cannot use; return it as an absolute path.

    The destination must be missing or an empty folder, and the nearest existing
    folder above it must be writable.
    """
    destination = destination.expanduser().resolve()
    if destination.exists():
        if not destination.is_dir():
            raise UserError(
                f"destination '{destination}' exists and is not a folder; "
                "pass a DIRECTORY that does not exist yet"
            )
        if any(destination.iterdir()):
            raise UserError(
                f"destination '{destination}' already exists and is not empty; "
                "pass a DIRECTORY that does not exist yet, or remove this one"
            )
    ancestor = nearest_existing(destination.parent)
    if not ancestor.is_dir():
        raise UserError(
            f"cannot create '{destination}': '{ancestor}' is not a folder; "
            "pass a DIRECTORY under an existing folder"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UserError(
            f"cannot create '{destination}': '{ancestor}' is not writable; "
            "pass a DIRECTORY in a folder you can write to"
        )
    return destination


def create_project(
    names: ProjectNames,
    destination: Path,
    *,
    description: str,
    database: Database,
    python_version: PythonVersion,
    dry_run: bool,
    components: Components | None = None,
) -> ProjectResult:
    """Render a new project for ``names`` into ``destination``.

    ``destination`` must be missing or an empty folder. The project is rendered into
    a staging folder beside it, given a ``.env`` with a freshly generated JWT secret,
    then moved into place. With ``dry_run`` the project is rendered in the system
    temporary folder and deleted again: nothing is written near ``destination``.
    Raises :class:`~fastapi_forge.errors.UserError` for a bad destination or answer,
    and :class:`~fastapi_forge.errors.ForgeError` when the template itself fails.
    """
    if database not in DATABASES:
        raise UserError(f"unknown database '{database}'; use one of: {', '.join(DATABASES)}")
    if python_version not in PYTHON_VERSIONS:
        raise UserError(
            f"unsupported Python version '{python_version}'; "
            f"use one of: {', '.join(PYTHON_VERSIONS)}"
        )
    components = components or Components()
    if components.broker not in BROKERS:
        raise UserError(f"unknown broker '{components.broker}'; use one of: {', '.join(BROKERS)}")
    description = check_description(description)
    destination = check_destination(destination)
    data = _template_data(names, description, database, python_version, components)
    if dry_run:
        try:
            with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as scratch:
                rendered = Path(scratch) / destination.name
                seconds = _render(rendered, data, names.env_prefix)
                files = shown_files(list_files(rendered))
        except OSError as exc:
            raise UserError(
                f"cannot render in the temporary folder '{tempfile.gettempdir()}': "
                f"{exc.strerror or exc}; set TMPDIR to a writable folder"
            ) from exc
    else:
        seconds, every_file = create_tree(
            destination,
            lambda rendered: _render(rendered, data, names.env_prefix),
            hint="check the permissions and free space of the DIRECTORY's folder",
        )
        files = shown_files(every_file)
    return ProjectResult(
        names=names,
        destination=destination,
        files=files,
        render_seconds=seconds,
        dry_run=dry_run,
        database=database,
        python_version=python_version,
        components=components,
    )


def _template_data(
    names: ProjectNames,
    description: str,
    database: str,
    python_version: str,
    components: Components,
) -> dict[str, Any]:
    """What the project template is rendered with: the answers, and what derives from them."""
    return {
        "project_name": names.project_name,
        "description": description,
        "database": database,
        "python_version": python_version,
        "worker": components.worker,
        "broker": components.broker,
        "tracing": components.tracing,
        "package_name": names.package_name,
        "env_prefix": names.env_prefix,
        "project_title": names.title,
        "default_database_url": default_database_url(database, names.package_name),
        "description_py": python_string_literal(description),
        "description_toml": toml_string_literal(description),
        "forge_version": fastapi_forge.__version__,
    }


def replay_project(destination: Path, answers: Mapping[str, Any]) -> None:
    """Render the project of recorded ``answers`` into ``destination``, recorded again.

    The answers are checked as ``forge new`` checks them: a hand-edited manifest with a
    missing, mistyped or unsupported answer is refused in one line, never rendered.
    """
    for key in ("project_name", "description", "database", "python_version"):
        if not isinstance(answers.get(key), str):
            raise broken_manifest(f"[project] needs the answer {key} as a string")
    try:
        names = normalize_project_name(answers["project_name"])
        description = check_description(answers["description"])
    except UserError as exc:
        raise broken_manifest(f"[project] holds a bad answer ({exc})") from None
    if answers["database"] not in DATABASES:
        raise broken_manifest(f"[project] database must be one of {', '.join(DATABASES)}")
    if answers["python_version"] not in PYTHON_VERSIONS:
        raise broken_manifest(
            f"[project] python_version must be one of {', '.join(PYTHON_VERSIONS)}"
        )
    for key, derived in (("package_name", names.package_name), ("env_prefix", names.env_prefix)):
        if answers.get(key) != derived:
            raise broken_manifest(f"[project] {key} must be {derived!r}, as project_name gives")
    broker = answers.get("broker", DEFAULT_BROKER)
    for key in ("worker", "tracing"):
        if not isinstance(answers.get(key, False), bool):
            raise broken_manifest(f"[project] {key} must be true or false")
    if broker not in BROKERS:
        raise broken_manifest(f"[project] broker must be one of {', '.join(BROKERS)}")
    data = _template_data(
        names,
        description,
        answers["database"],
        answers["python_version"],
        Components.from_answers(answers),
    )
    _render(destination, data, names.env_prefix)


def python_string_literal(text: str) -> str:
    """``text`` as a Python literal, quoted the way ``ruff format`` leaves it.

    Double quotes, unless the text holds more double than single quotes: then single
    quotes, which need fewer escapes (ruff's own preference).
    """
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + body + quote


def toml_string_literal(text: str) -> str:
    """``text`` as a TOML basic string."""
    return tomli_w.dumps({"value": text}).split(" = ", 1)[1].strip()


def default_database_url(database: str, package_name: str, password: str | None = None) -> str:
    """The development database URL a new project starts with (``.env`` gets a password of
    its own, that of docker compose's PostgreSQL)."""
    if database == "postgres":
        user = f"postgres:{password or 'postgres'}"
        return f"postgresql+asyncpg://{user}@localhost:5432/{package_name}"
    return f"sqlite+aiosqlite:///./{package_name}.db"


def next_steps(
    result: ProjectResult, cwd: Path | None = None, *, installed: bool = False
) -> list[str]:
    """Return the shell commands that take a fresh project to a running, tested service."""
    shown = display_path(result.destination, cwd)
    steps = [] if shown == "." else [f"cd {shlex.quote(shown)}"]
    database = ["docker compose up -d db"] if result.database == "postgres" else []
    return [
        *steps,
        *([] if installed else ["uv sync"]),
        *database,
        "uv run alembic upgrade head",
        f"uv run uvicorn {result.names.package_name}.main:create_app --factory --reload",
        "uv run pytest",
    ]


ANSWERS = (
    "project_name",
    "package_name",
    "env_prefix",
    "description",
    "database",
    "python_version",
)
"""The answers the manifest records: everything else the template gets is derived from them."""


def _render(rendered: Path, data: dict[str, Any], env_prefix: str) -> float:
    """Render the template into ``rendered``, record it, write its ``.env``; return the
    seconds the render took."""
    started = time.perf_counter()
    render_template(TEMPLATE, rendered, data)
    seconds = time.perf_counter() - started
    _record(rendered, data)
    _write_env(rendered, env_prefix, _env_secrets(data))
    return seconds


def _record(rendered: Path, data: dict[str, Any]) -> None:
    """Write the manifest and the base copy of every file the template produced."""
    pristine = {path: (rendered / path).read_bytes() for path in list_files(rendered)}
    manifest = Manifest(
        forge_version=fastapi_forge.__version__,
        answers={key: data[key] for key in ANSWERS} | Components.from_answers(data).answers(),
        files={PROJECT_OWNER: {path: digest(content) for path, content in pristine.items()}},
    )
    for path, content in record_files(manifest, pristine).items():
        target = rendered / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if path.startswith(f"{BASE_DIR}/"):
            # The base copy keeps the mode too: a template that makes a file executable
            # is a change `forge update` must see.
            shutil.copymode(rendered / path.removeprefix(f"{BASE_DIR}/"), target)


def shown_files(files: tuple[str, ...]) -> tuple[str, ...]:
    """The files worth listing to a person: the base copies under ``.forge/`` left out."""
    return tuple(path for path in files if not path.startswith(f"{BASE_DIR}/"))


def _env_secrets(data: dict[str, Any]) -> dict[str, str]:
    """Fresh values for the ``.env`` lines that hold secrets (JWT key, database password)."""
    prefix = data["env_prefix"]
    values = {f"{prefix}JWT_SECRET": secrets.token_urlsafe(48)}
    if data["database"] == "postgres":
        # URL-safe characters: the password goes into DATABASE_URL unescaped.
        password = secrets.token_urlsafe(24)
        values["POSTGRES_PASSWORD"] = password
        values[f"{prefix}DATABASE_URL"] = default_database_url(
            "postgres", data["package_name"], password
        )
    if data["worker"] and data["broker"] == "rabbitmq":
        # docker compose's RabbitMQ user; .env's BROKER_URL is the local one (guest).
        values["RABBITMQ_PASSWORD"] = secrets.token_urlsafe(24)
    return values


def _write_env(project: Path, env_prefix: str, values: dict[str, str]) -> None:
    """Write ``.env``: ``.env.example`` with fresh ``values`` (the JWT secret line is required)."""
    example = project / ENV_EXAMPLE
    env = project / ENV_FILE
    if env.exists():
        raise ForgeError(
            f"the '{TEMPLATE}' template rendered a {ENV_FILE} file; it must ship "
            f"{ENV_EXAMPLE} only (forge writes {ENV_FILE} with real secrets)"
        )
    if not example.is_file():
        raise ForgeError(
            f"the '{TEMPLATE}' template did not render {ENV_EXAMPLE}; "
            "reinstall fastapi-forge or report this bug"
        )
    key = f"{env_prefix}JWT_SECRET="
    # Bytes, then decode: read_text() would turn CRLF line endings into LF.
    lines = example.read_bytes().decode("utf-8").splitlines(keepends=True)
    found = False
    for index, line in enumerate(lines):
        name = line.split("=", 1)[0]
        if "=" in line and name in values:
            ending = line[len(line.rstrip("\r\n")) :]
            lines[index] = f"{name}={values[name]}{ending}"
            found = found or line.startswith(key)
    if not found:
        raise ForgeError(
            f"the '{TEMPLATE}' template's {ENV_EXAMPLE} has no '{key}' line; "
            "reinstall fastapi-forge or report this bug"
        )
    descriptor = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write("".join(lines))
