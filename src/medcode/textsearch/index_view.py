"""`medcode index TERM`: the ICD-10-CM index path as a coder reads it, and where it leads.

    >>> index_lookup(store, "acetaminophen", table="drug")[0].line   # doctest: +SKIP
    'Poisoning > Acetaminophen > accidental (unintentional): T39.1X1-'

Rows come from ``index_entries`` (see ``medcode.store.load_index``). Each hit says the code
as the index prints it, whether it can be billed on the date, which 7th characters it
needs (a T code from the Drug table needs A, D or S), and for "see" references the entries
they point to.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from medcode.errors import InvalidCode, NoRelease, StoreError

TABLES = ("index", "drug", "neoplasm", "external")
TABLE_NAMES = {"index": "Alphabetic Index", "drug": "Table of Drugs and Chemicals",
               "neoplasm": "Neoplasm Table", "external": "External Cause Index"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS = 12


@dataclass(frozen=True)
class IndexHit:
    table: str
    path: tuple[str, ...]
    column: str | None
    code: str | None                 # as the index prints it (T39.1X1, C79.8-)
    shown: str | None                # with a trailing "-" when more characters are needed
    title: str | None                # the tabular title of the code
    billable: bool                   # the code itself is billable on the date
    exists: bool                     # the code exists in the release on the date
    seventh_characters: tuple[str, ...] = ()
    see: str | None = None
    see_also: str | None = None
    nemod: tuple[str, ...] = ()
    release: str | None = None
    leads_to: tuple[str, ...] = field(default=())  # "see" targets found in the index

    @property
    def line(self) -> str:
        """The path as a coder reads it, ending in the code."""
        parts = list(self.path)
        if self.table == "drug" and self.column:
            if self.column.startswith("poisoning, "):
                parts = ["Poisoning"] + parts + [self.column.removeprefix("poisoning, ")]
            else:
                parts = [self.column.capitalize()] + parts
        elif self.column:
            parts.append(self.column)
        text = " > ".join(parts)
        if self.shown:
            return f"{text}: {self.shown}"
        if self.see:
            return f"{text}: see {self.see}"
        if self.see_also:
            return f"{text}: see also {self.see_also}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "table_name": TABLE_NAMES.get(self.table, self.table),
                "path": list(self.path), "nonessential_modifiers": list(self.nemod),
                "column": self.column, "code": self.code, "shown": self.shown,
                "title": self.title, "billable": self.billable, "exists": self.exists,
                "seventh_characters": list(self.seventh_characters), "see": self.see,
                "see_also": self.see_also, "leads_to": list(self.leads_to),
                "release": self.release, "line": self.line}


def _fts_query(term: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(term)][:MAX_WORDS]
    if not words:
        return None
    # every word whole, the last one may be unfinished ("acetamin")
    quoted = ['"' + w.replace('"', "") + '"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def index_lookup(store: Any, term: str, table: str | None = None, on: dt.date | None = None,
                 limit: int = 50) -> list[IndexHit]:
    """Index entries whose path has every word of ``term`` (each word may be a prefix)."""
    if table is not None and table not in TABLES:
        raise InvalidCode(f"unknown index table {table!r}: choose one of {', '.join(TABLES)}")
    conn = store.conn
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'index_entries'").fetchone() \
            is None:
        raise StoreError("this store has no ICD-10-CM index tables (built by an older "
                         "medcode?); rebuild it with `medcode data build`")
    match = _fts_query(term if isinstance(term, str) else "")
    if match is None:
        return []
    try:
        rel = store.resolve("ICD-10-CM", on=on)
        bit, rel_name = rel.bit or -1, rel.name
    except NoRelease:
        bit, rel_name = 0, None
    sql = ("SELECT e.tbl, e.path, e.nemod, e.col, e.code, e.target, e.see, e.see_also "
           "FROM index_fts JOIN index_entries e ON e.id = index_fts.rowid "
           "WHERE index_fts MATCH ?")
    args: list[Any] = [match]
    if table:
        sql += " AND e.tbl = ?"
        args.append(table)
    # entries whose main term starts with the first word first, then the shortest paths
    first = _WORD.findall(term)[0].lower()
    sql += " ORDER BY lower(e.path) LIKE ? DESC, length(e.path), e.id LIMIT ?"
    args.append(first.replace("%", "").replace("_", "") + "%")
    args.append(max(1, min(int(limit), 1000)))
    try:
        rows = conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []
    return [_hit(conn, bit, rel_name, r) for r in rows]


def _hit(conn: sqlite3.Connection, bit: int, rel: str | None, r: tuple) -> IndexHit:
    tbl, path, nemod, col, code, target, see, see_also = r
    title = None
    billable = exists = False
    sevenths: tuple[str, ...] = ()
    shown = code
    if target:
        row = conn.execute("SELECT title, billable_mask, node_mask FROM codes WHERE "
                           "system = 'ICD-10-CM' AND code = ?", (target,)).fetchone()
        if row is not None:
            title, billable, exists = row[0], bool(row[1] & bit), bool(row[2] & bit)
            sevenths = tuple(c[-1] for (c,) in conn.execute(
                "SELECT code FROM codes WHERE system = 'ICD-10-CM' AND parent = ? AND "
                "kind = 'extension' AND billable_mask & ? ORDER BY code", (target, bit)))
            if sevenths and not code.endswith("-"):
                shown = code + "-"
            elif not billable and exists and not code.endswith("-"):
                shown = code + "-"
    leads: tuple[str, ...] = ()
    if see:
        leads = _follow(conn, see)
    return IndexHit(tbl, tuple(path.split(" > ")), col, code, shown, title, billable, exists,
                    sevenths, see, see_also, tuple(nemod.split(" | ")), rel, leads)


def _follow(conn: sqlite3.Connection, see: str, most: int = 3) -> tuple[str, ...]:
    """The entries a "see" reference names (its words, in the path), shortest first."""
    match = _fts_query(see)
    if match is None or "table of drugs" in see.lower():
        return ()
    try:
        rows = conn.execute(
            "SELECT e.path, e.col, e.code FROM index_fts JOIN index_entries e "
            "ON e.id = index_fts.rowid WHERE index_fts MATCH ? AND e.code IS NOT NULL "
            "ORDER BY length(e.path), e.id LIMIT ?", (match, most)).fetchall()
    except sqlite3.OperationalError:
        return ()
    return tuple(f"{p}{' > ' + c if c else ''}: {code}" for p, c, code in rows)


def format_index_text(hits: list[IndexHit]) -> str:
    if not hits:
        return "no index entry matches\n"
    lines = []
    table = None
    order = {t: i for i, t in enumerate(TABLES)}
    for h in sorted(hits, key=lambda h: order.get(h.table, 9)):
        if h.table != table:
            table = h.table
            lines.append(f"{TABLE_NAMES.get(table, table)}:")
        extra = ""
        if h.code and not h.exists:
            extra = "  (not a code in the release in force)"
        elif h.seventh_characters:
            extra = f"  [7th: {''.join(h.seventh_characters)}]"
        elif h.code and not h.billable:
            extra = "  (incomplete: choose a code below it)"
        title = f"  {h.title}" if h.title else ""
        lines.append(f"  {h.line}{extra}{title}")
        for target in h.leads_to:
            lines.append(f"      -> {target}")
    return "\n".join(lines) + "\n"
