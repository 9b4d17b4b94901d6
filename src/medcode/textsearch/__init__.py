"""Full-text search over the store (owned by the search work; stub until it lands)."""

from __future__ import annotations

import sqlite3


def build_index(conn: sqlite3.Connection) -> dict[str, dict]:
    """Called by the store build after every code table is filled."""
    return {}
