"""Loaders for the embedded systems other than ICD-10-CM, and the schemas of other parts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

from medcode.store import sources as S

RecordSource = Callable[[sqlite3.Connection, S.PackageFile, Path, "int | None"], None]


def extra_schemas() -> list[str]:
    """Tables owned by other parts (importers, search)."""
    from medcode.store import load_procedures
    return load_procedures.schemas()


def load_embedded(conn: sqlite3.Connection, record: RecordSource) -> dict[str, dict]:
    return {}


def build_search(conn: sqlite3.Connection) -> dict[str, dict]:
    from medcode.textsearch import build_index
    return build_index(conn)
