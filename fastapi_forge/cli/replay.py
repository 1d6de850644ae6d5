"""The generators that render a manifest again, for every command that merges a re-render
(``forge update``, ``forge add worker|tracing``, ``forge add|remove field``,
``forge remove feature``): one line per kind of manifest unit."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi_forge.engine.replay import UnitReplay

__all__ = ["unit_replays"]


def unit_replays() -> Mapping[str, UnitReplay]:
    """How to render each kind of unit a manifest can hold (imported on use: Copier is slow)."""
    from fastapi_forge.generators.feature.generator import replay_feature
    from fastapi_forge.generators.job.generator import replay_job

    return {"feature": replay_feature, "job": replay_job}
