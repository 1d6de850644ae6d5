"""The one place jobs are registered. ``forge add job`` adds a line at each ``forge:``
marker; keep the markers. A test checks that every module in ``jobs/`` is listed here.
"""

from typing import Any

from ..worker.job import Job
from . import purge_refresh_tokens

# forge:imports

JOBS: tuple[Job[Any], ...] = (
    purge_refresh_tokens.job,
    # forge:jobs
)
