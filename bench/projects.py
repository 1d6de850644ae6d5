"""Generated projects for the benchmarks: rendered by forge, grown, installed by uv."""

from __future__ import annotations

from pathlib import Path

from bench.harness import GeneratedProject, generate
from fastapi_forge.generators.project.generator import Database

# Four typed columns, an enum and an optional timestamp: a typical resource.
FIELDS = [
    "--field",
    "title:str:max=120",
    "--field",
    "total:decimal:digits=10:places=2",
    "--field",
    "placed_at:datetime?",
    "--field",
    "status:enum=new,paid,shipped",
]


# Letters whose plural is a plain "s" (no s, x, z, h or y endings that inflect differently),
# so that every name's plural is distinct from every other name and its plural.
_LETTERS = "bcdfgjklmnpqrtvw"


def feature_name(index: int) -> str:
    """A distinct, ordinary feature name for ``index`` (``resource_b``, ``resource_c``...)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, len(_LETTERS))
        letters = _LETTERS[remainder] + letters
    return f"resource_{letters}"


def project_with_features(
    parent: Path, count: int, *, database: Database = "sqlite", name: str = "bench-api"
) -> GeneratedProject:
    """A project with ``count`` features (each with :data:`FIELDS`), synced with uv."""
    features = [[feature_name(index), *FIELDS] for index in range(count)]
    return generate(parent, name, database=database, features=features)
