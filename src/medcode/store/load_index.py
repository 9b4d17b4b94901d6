"""Build step: the ICD-10-CM index files into ``index_entries`` (and its FTS ``index_fts``).

Its own step (called by the store build before the search index, and by the
``icd10cm-index`` import) so the core schema stays untouched. The bundled April 2026 Drug,
Neoplasm and External Cause tables are always loaded; the main Alphabetic Index is loaded
when the user imports it (``medcode data import icd10cm-index`` with the CMS "Code Tables,
Tabular and Index" zip or its ``icd10cm_index_YYYY.xml``).
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path

from medcode.errors import SourceError

INDEX_SQL = """
CREATE TABLE IF NOT EXISTS index_entries (
    id INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,           -- index | drug | neoplasm | external
    path TEXT NOT NULL,          -- titles, main term first, joined by ' > '
    nemod TEXT NOT NULL,         -- each level's nonessential modifiers, joined by ' | '
    col TEXT,                    -- drug/neoplasm column ("adverse effect", "benign")
    code TEXT,                   -- as printed: T39.1X1, C79.8-, V94.11
    target TEXT,                 -- dotless code without a trailing '-' (NULL: see only)
    tag TEXT NOT NULL,           -- code | subcat | seecat | manif | cell | see
    see TEXT,
    see_also TEXT,
    release TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS index_entries_target ON index_entries (target);
CREATE VIRTUAL TABLE IF NOT EXISTS index_fts USING fts5 (
    words, content='', tokenize='unicode61 remove_diacritics 2'
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    for statement in INDEX_SQL.split(";"):
        if statement.strip():
            conn.execute(statement)


def _rows(entries: Iterable, release: str) -> Iterable[tuple]:
    for e in entries:
        target = e.code.replace(".", "").rstrip("-").upper() if e.code else None
        yield (e.table, " > ".join(e.path), " | ".join(e.nemod), e.column, e.code, target,
               e.tag, e.see, e.see_also, release)


def load_entries(conn: sqlite3.Connection, table: str, entries: Iterable, release: str) -> int:
    """Replace one table's entries; returns how many rows."""
    ensure_schema(conn)
    conn.execute("DELETE FROM index_entries WHERE tbl = ?", (table,))
    before = conn.execute("SELECT count(*) FROM index_entries").fetchone()[0]
    conn.executemany("INSERT INTO index_entries (tbl, path, nemod, col, code, target, tag, see, "
                     "see_also, release) VALUES (?,?,?,?,?,?,?,?,?,?)", _rows(entries, release))
    return int(conn.execute("SELECT count(*) FROM index_entries").fetchone()[0] - before)


def refresh_fts(conn: sqlite3.Connection) -> None:
    """Rebuild the word index of every entry (its path and nonessential modifiers)."""
    ensure_schema(conn)
    conn.execute("INSERT INTO index_fts (index_fts) VALUES ('delete-all')")
    conn.execute("INSERT INTO index_fts (rowid, words) SELECT id, path || ' ' || nemod "
                 "FROM index_entries")


def load_bundled(conn: sqlite3.Connection) -> dict[str, dict]:
    """The store-build step: the bundled Drug, Neoplasm and External Cause tables."""
    from medcode.store.sources import sha256_of
    from medcode.systems.icd10cm_index import BUNDLED, BUNDLED_RELEASE, bundled_path, read_index
    counts: dict[str, int] = {}
    for table in BUNDLED:
        path = bundled_path(table)
        counts[table] = load_entries(conn, table, read_index(path, table), BUNDLED_RELEASE)
        conn.execute("INSERT INTO sources VALUES (?,?,?,?,?,?)",
                     (f"icd10cm-{table}-index", path.name, sha256_of(path),
                      "bundled with medcode (CDC/NCHS, public domain)", BUNDLED_RELEASE,
                      counts[table]))
    refresh_fts(conn)
    return {"icd10cm index tables": counts}


def _release_of(name: str) -> str:
    import re
    m = re.search(r"(20\d\d)", name)
    return f"FY{m.group(1)}" if m else "imported"


def load_members(conn: sqlite3.Connection, paths: list[Path]) -> dict:
    """The index XML files among ``paths`` (or inside the zips among them: the CMS "Code
    Tables, Tabular and Index" zip holds the Alphabetic Index and the three tables), loaded;
    other files are passed over. Returns the counts per table ({} when there was none)."""
    counts: dict = {}
    if _load_paths(conn, paths, counts, plain_xml_only=True):
        refresh_fts(conn)
    return counts


def _load_paths(conn: sqlite3.Connection, paths: list[Path], counts: dict,
                plain_xml_only: bool) -> int:
    """Load the index XML files among ``paths`` and inside their zips (never the tabular);
    a plain file that is not ``*.xml`` is passed over when ``plain_xml_only``, else read.
    Returns how many index files were found."""
    found = 0
    for path in paths:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    base = name.rsplit("/", 1)[-1].lower()
                    if base.endswith(".xml") and "tabular" not in base:
                        found += _load_one(conn, zf.read(name), name, counts)
        elif not plain_xml_only or (path.suffix.lower() == ".xml"
                                    and "tabular" not in path.name.lower()):
            found += _load_one(conn, path.read_bytes(), path.name, counts)
    return found


def load_import(conn: sqlite3.Connection, paths: list[Path]) -> dict:
    """Import kind ``icd10cm-index``: index XML files, or the CMS zip holding them."""
    counts: dict = {}
    if not _load_paths(conn, paths, counts, plain_xml_only=False):
        raise SourceError(f"{', '.join(str(p) for p in paths)}: no ICD-10-CM index XML found "
                          "(expected icd10cm_index_YYYY.xml, or the drug/neoplasm/eindex files, "
                          "or the CMS 'Code Tables, Tabular and Index' zip)")
    refresh_fts(conn)
    return counts


def _load_one(conn: sqlite3.Connection, data: bytes, name: str, counts: dict) -> int:
    import xml.etree.ElementTree as ET

    from medcode.systems.icd10cm_index import read_index, table_of
    if b"<ICD10CM.index" not in data[:2000]:
        return 0
    try:
        head = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError(f"{name}: not readable XML ({exc})") from None
    table = table_of(head, name)
    counts[table] = load_entries(conn, table, read_index(data, table), _release_of(name))
    counts["release"] = _release_of(name)
    return 1
