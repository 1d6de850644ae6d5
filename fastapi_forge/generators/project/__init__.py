"""``forge new``: the project generator (template ``templates/project``)."""

from fastapi_forge.engine.replay import register_project
from fastapi_forge.generators.project.generator import replay_project

register_project(replay_project)
