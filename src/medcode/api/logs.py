"""Logging for the server: uvicorn's access log, minus anything a claim carries.

Request bodies are never logged by uvicorn; query strings are. Claims may hold patient
data, so the access log keeps only the path of claim routes (never their query string),
and medcode's own error log names the exception, never the request content.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

#: routes whose query strings never reach a log
PRIVATE_PREFIXES: tuple[str, ...] = ("/v1/claims",)


def redact_path(path: str) -> str:
    """``path`` as it may be logged: claim routes lose their query string."""
    bare = path.split("?", 1)[0]
    if bare.startswith(PRIVATE_PREFIXES) and bare != path:
        return bare + "?[redacted]"
    return path


class RedactClaims(logging.Filter):
    """Rewrites uvicorn access records (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install_filter(logger_name: str = "uvicorn.access") -> None:
    """Attach the filter to a logger (idempotent); used when uvicorn's config is not ours."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactClaims) for f in logger.filters):
        logger.addFilter(RedactClaims())


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's default logging config with the claim filter on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg.setdefault("filters", {})["medcode_redact"] = {"()": "medcode.api.logs.RedactClaims"}
    cfg["handlers"]["access"]["filters"] = ["medcode_redact"]
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        cfg["loggers"].setdefault(name, {})["level"] = level.upper()
    cfg["loggers"]["medcode.api"] = {"handlers": ["default"], "level": level.upper(),
                                      "propagate": False}
    return cfg
