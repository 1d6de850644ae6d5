"""The one module that talks to Copier.

Copier is imported lazily so that ``forge --help`` and ``forge --version`` stay fast.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fastapi_forge
from fastapi_forge.errors import ForgeError

__all__ = ["render_template", "template_dir"]

_SOURCE_TREE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


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
    file. Copier's own errors become :class:`~fastapi_forge.errors.ForgeError`;
    ``OSError`` is left to the caller, which knows which path it was writing.
    """
    source = template_dir(name)
    # Imported here: Copier takes a noticeable fraction of a second to import.
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
        reason = str(exc).splitlines()[0].rstrip(".")
        raise ForgeError(
            f"template '{name}' is refused: {reason}; forge never runs Copier tasks, "
            "migrations or Jinja extensions, remove them from its copier.yml"
        ) from exc
    except (CopierError, TemplateError, ValueError) as exc:
        raise ForgeError(f"template '{name}' failed to render: {exc}") from exc
