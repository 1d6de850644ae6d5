"""``forge add feature``: the slice generator (template ``templates/feature``)."""

from fastapi_forge.engine.replay import register_unit
from fastapi_forge.generators.feature.generator import replay_feature

register_unit("feature", replay_feature)
