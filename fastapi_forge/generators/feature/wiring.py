"""How a slice is wired into the project: the lines it adds at the ``# forge:`` markers of
``registry.py`` (the engine's registry module does the inserting).
"""

from __future__ import annotations

from fastapi_forge.engine.registry import insert_at_markers
from fastapi_forge.naming import FeatureNames

__all__ = ["plan_registry", "registry_lines"]


def registry_lines(names: FeatureNames, *, nested: bool = False) -> dict[str, list[str]]:
    """The lines that wire the feature into ``registry.py``, by marker; ``nested``: the
    slice also has list routes under the features it references (``nested_router``)."""
    plural = names.plural_snake
    imports = [
        f"from .features.{plural} import models as {plural}_models",
        f"from .features.{plural}.router import router as {plural}_router",
    ]
    routers = [f"    {plural}_router,"]
    if nested:
        imports.append(
            f"from .features.{plural}.router import nested_router as {plural}_nested_router"
        )
        routers.append(f"    {plural}_nested_router,")
    return {
        "# forge:imports": imports,
        "# forge:routers": routers,
        "# forge:models": [f"    {plural}_models,"],
    }


def plan_registry(text: str, names: FeatureNames, *, nested: bool = False) -> str:
    """The registry with the feature wired in; unchanged if it already is."""
    return insert_at_markers(
        text,
        registry_lines(names, nested=nested),
        file_label="registry.py",
        what="the feature",
        required=("API_ROUTERS", "MODEL_MODULES"),
    )
