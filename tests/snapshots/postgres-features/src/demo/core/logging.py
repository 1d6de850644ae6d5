"""Structured logging: JSON lines in production, a readable console in development.

Both structlog and the standard library (uvicorn, SQLAlchemy, Alembic) go through the
same processors, so every line carries the request id bound by the middleware. The access
line, one per request, skips the standard library: :data:`access` renders it with the
same fields straight to the same stream, at a third of the cost.
"""

import logging
import sys
from typing import Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

_HANDLER_NAME = "app-structlog"

access: Any = structlog.get_logger("access")
"""The access logger of the middleware; ``configure_logging`` replaces it."""


def configure_logging(*, level: str = "INFO", json_logs: bool = True) -> None:
    """Configure structlog and the root logger once for the whole process."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_logs
        # A plain traceback: rich's, with local variables, prints passwords and tokens
        # and takes seconds (thousands of lines) per error.
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json_logs else _keep_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    # Replace only our own handler: others (pytest's caplog, an APM agent) stay.
    for existing in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    global access  # configured once per process, like the root logger
    access = structlog.wrap_logger(
        structlog.PrintLogger(sys.stdout),
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _access_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        cache_logger_on_first_use=True,
    )
    # The access line comes from our middleware, with the request id; uvicorn's would
    # duplicate it without one.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False


def _access_logger_name(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    event_dict["logger"] = "access"
    return event_dict


def _keep_exc_info(
    _: object, __: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Leave ``exc_info`` for the console renderer, which prints a readable traceback."""
    return event_dict


def _drop_color_message(
    _: object, __: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Uvicorn adds an ANSI-coloured copy of its message; it is noise in structured logs."""
    event_dict.pop("color_message", None)
    return event_dict
