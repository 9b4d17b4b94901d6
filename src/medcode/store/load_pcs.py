"""ICD-10-PCS releases after FY2024: from the official tables XML or order file.

The embedded build adds FY2025 and FY2026 from the bundled tables XML; ``medcode data import
icd10pcs`` adds any later release the same way. Codes that FY2024 (whose official titles
medcode loads) already had keep their official title; new codes get a title composed from
their table's labels, worded the way CMS words that operation's titles (``pcs_titles``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from medcode.errors import SourceError
from medcode.store.release_apply import NewRelease, add_release

SYSTEM = "ICD-10-PCS"


def _official_titles(conn: sqlite3.Connection) -> dict[str, str]:
    """Titles of the FY2024 official code list (the templates are read off them)."""
    own = dict(conn.execute("SELECT code, title FROM titles WHERE system = ? AND release = "
                            "'FY2024'", (SYSTEM,)))
    return {c: own.get(c, t) for c, t in conn.execute(
        "SELECT code, title FROM codes WHERE system = ? AND billable_mask & 1 AND length(code) "
        "= 7", (SYSTEM,))}


def load_tables_release(conn: sqlite3.Connection, name: str, start: dt.date,
                        end: dt.date | None, tables: Path, source: str,
                        bit: int | None = None) -> dict[str, int]:
    from medcode.systems.pcs_tables import parse_tables
    from medcode.systems.pcs_titles import compose_title, learn_templates
    parsed = parse_tables(tables)
    labels = parsed.codes()
    official = _official_titles(conn)
    templates = learn_templates(official, labels)
    known = {c for (c,) in conn.execute("SELECT code FROM codes WHERE system = ? AND "
                                        "length(code) = 7", (SYSTEM,))}
    billable: dict[str, str | None] = {
        c: (None if c in known else compose_title(c, labs, templates))
        for c, labs in labels.items()}
    headers: dict[str, str] = {}
    parents: dict[str, str] = {}
    for c, labs in labels.items():
        headers.setdefault(c[:1], labs[0])
        headers.setdefault(c[:2], labs[1])
        headers.setdefault(c[:3], labs[2])
        parents[c] = c[:3]
        parents.setdefault(c[:3], c[:2])
        parents.setdefault(c[:2], c[:1])
    existing = {c for (c,) in conn.execute("SELECT code FROM codes WHERE system = ? AND "
                                           "length(code) < 7", (SYSTEM,))}
    headers = {k: v for k, v in headers.items() if k not in existing}
    counts = add_release(conn, NewRelease(SYSTEM, name, start, end, source, billable, headers,
                                          parents, tabular=0, bit=bit))
    axes = []
    for row in parsed.rows:
        t = row.table
        for pos in range(1, 8):
            prefix = "" if pos == 1 else (t[:pos - 1] if pos <= 3 else t)
            for value, meaning in row.labels[pos - 1].items():
                axes.append((prefix, pos, value, meaning, f"tables {name}",
                             parsed.definitions.get((prefix, pos, value), "")))
    conn.executemany("INSERT OR IGNORE INTO pcs_axes VALUES (?,?,?,?,?,?)", axes)
    counts["composed_titles"] = sum(1 for t in billable.values() if t)
    return counts


def load_order_release(conn: sqlite3.Connection, name: str, start: dt.date,
                       end: dt.date | None, items: list, source: str) -> dict[str, int]:
    """A release from ``icd10pcs_order_YYYY.txt``: its valid codes with their official
    titles (and the table headers it lists)."""
    billable = {i.code: i.title for i in items if i.billable}
    bad = [c for c in billable if len(c) != 7]
    if bad:
        raise SourceError(f"ICD-10-PCS {name}: {bad[0]!r} is flagged valid but is not 7 "
                          "characters: not an ICD-10-PCS order file")
    if not billable:
        raise SourceError(f"ICD-10-PCS {name}: the file lists no valid code")
    headers = {i.code: i.title for i in items if not i.billable and len(i.code) <= 3}
    parents = {c: c[:3] for c in billable}
    for c in list(billable):
        parents.setdefault(c[:3], c[:2])
        parents.setdefault(c[:2], c[:1])
    return add_release(conn, NewRelease(SYSTEM, name, start, end, source, billable, headers,
                                        parents, tabular=0))
