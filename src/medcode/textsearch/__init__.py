"""Full-text search over the store: find the right code from the words a coder types.

    >>> from medcode.textsearch import search
    >>> search(store, "fracture femur", limit=3)          # doctest: +SKIP
    [Hit(code='S72.90', ...), ...]

The index (tables ``search_*``) is built by :func:`build_index` during the store build;
queries never scan in Python. Nothing here runs at import time.
"""

from __future__ import annotations

import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from medcode.textsearch.engine import Hit, format_hits_text, search

__all__ = ["Hit", "build_index", "format_hits_text", "search"]


def build_index(conn: sqlite3.Connection) -> dict[str, dict]:
    """Called by the store build after every code table is filled."""
    from medcode.textsearch.indexer import build_index as _build
    return _build(conn)


def __getattr__(name: str) -> Any:
    if name in ("search", "Hit", "format_hits_text"):
        from medcode.textsearch import engine
        return getattr(engine, name)
    raise AttributeError(f"module 'medcode.textsearch' has no attribute {name!r}")
