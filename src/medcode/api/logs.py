"""Logging for the server: the access log is off unless asked for (``serve --access-log``),
and then written from a background thread (the request only queues a line) without query
strings: claims and codes may carry patient data. Request bodies are never logged.
medcode's own error log names the exception, never the request content.
"""

from __future__ import annotations

import atexit
import copy
import logging
import logging.handlers
import queue
import sys
from typing import Any


def redact_path(path: str) -> str:
    """``path`` as it may be logged: without its query string."""
    bare, sep, _ = path.partition("?")
    return bare + "?[redacted]" if sep else path


class RedactQueries(logging.Filter):
    """Rewrites uvicorn access records (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


RedactClaims = RedactQueries  # the earlier name


class BufferedStderr(logging.handlers.QueueHandler):
    """Formats on the request path, writes to stderr from a background thread."""

    def __init__(self) -> None:
        q: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        super().__init__(q)
        out = logging.StreamHandler(sys.stderr)
        out.setFormatter(logging.Formatter("%(message)s"))
        self.listener = logging.handlers.QueueListener(q, out)
        self.listener.start()
        atexit.register(self.listener.stop)


def install_filter(logger_name: str = "uvicorn.access") -> None:
    """Attach the filter to a logger (idempotent); used when uvicorn's config is not ours."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactQueries) for f in logger.filters):
        logger.addFilter(RedactQueries())


def log_config(level: str = "info", access_log: bool = False) -> dict[str, Any]:
    """uvicorn's logging config: the access log (when on) buffered and without queries."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg.setdefault("filters", {})["medcode_redact"] = {"()": "medcode.api.logs.RedactQueries"}
    access = cfg["handlers"]["access"]
    access["filters"] = ["medcode_redact"]
    if access_log:
        cfg["handlers"]["access"] = {"()": "medcode.api.logs.BufferedStderr",
                                     "formatter": "access", "filters": ["medcode_redact"]}
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        cfg["loggers"].setdefault(name, {})["level"] = level.upper()
    cfg["loggers"]["medcode.api"] = {"handlers": ["default"], "level": level.upper(),
                                      "propagate": False}
    return cfg
