"""The worker's and the scheduler's broker, built from the settings when imported.

Only the worker processes import this module (taskiq finds ``broker`` and ``scheduler``
here); the API builds its own broker in ``create_app``.
"""

from taskiq import TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

from ..core.config import load_settings
from ..core.logging import configure_logging
from .broker import create_broker

settings = load_settings()
configure_logging(level=settings.log_level, json_logs=settings.json_logs)
broker = create_broker(settings)
# Cron schedules come from the jobs (``Job.cron``) and ``JOB_SCHEDULES``.
scheduler = TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])
