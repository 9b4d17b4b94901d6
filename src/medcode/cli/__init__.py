"""The command line: ``app`` holds the click commands, ``commands`` the bodies shared with the
fast start-up path in ``medcode.__main__`` (which must not import click), ``render`` the text
output. ``from medcode.cli import cli, main`` loads click only when asked."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("cli", "main"):
        from medcode.cli import app
        return getattr(app, name)
    raise AttributeError(f"module 'medcode.cli' has no attribute {name!r}")
