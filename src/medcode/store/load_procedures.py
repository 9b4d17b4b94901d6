"""Imports of procedure-code files into the store (HCPCS, NCCI PTP/MUE, the user's CPT file).

The parsers live in ``medcode.systems``; here their rows also enter the shared ``codes``
table, so that identify, lookup and search see every loaded system the same way.
Loaders never commit: the caller's transaction (on a copy of the store) decides.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medcode.errors import SourceError

Paths = Sequence[Path]


def _one(paths: Paths | Path, kind: str) -> Path:
    if isinstance(paths, (str, Path)):
        return Path(paths)
    if len(paths) != 1:
        raise SourceError(f"{kind}: give exactly one file (got {len(paths)})")
    return Path(paths[0])


def _many(paths: Paths | Path) -> list[Path]:
    return [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]


def _replace_release(conn: sqlite3.Connection, system: str, name: str, start: dt.date,
                     source: str, codes: int, billable: int, end: dt.date | None = None) -> None:
    conn.execute("DELETE FROM releases WHERE system = ?", (system,))
    conn.execute("INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?)",
                 (system, name, 1, start.isoformat(), end.isoformat() if end else None, source,
                  codes, billable, 0))


def quarter_period(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """A calendar quarter, first to last day."""
    start = dt.date(year, 3 * quarter - 2, 1)
    nxt = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def load_hcpcs(conn: sqlite3.Connection, paths: Paths | Path) -> dict[str, Any]:
    from medcode.systems import hcpcs
    path = _one(paths, "hcpcs")
    counts = hcpcs.load_hcpcs(conn, path)
    conn.execute("DELETE FROM codes WHERE system = 'HCPCS'")
    conn.execute(
        "INSERT INTO codes SELECT 'HCPCS', code, long_description, 'code', NULL, 0, 1, 1 "
        "FROM hcpcs_code")
    release = str(counts.get("release") or "imported")
    year = int(str(counts.get("year") or dt.date.today().year)[:4])
    quarter = str(counts.get("release", ""))
    # a quarterly file serves its quarter (the next quarter's file replaces it); an annual
    # file (2020) its calendar year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(quarter) == 6 and quarter[4] == "Q" and quarter[5] in "1234":
        start, end = quarter_period(year, int(quarter[5]))
    _replace_release(conn, "HCPCS", release, start,
                     f"CMS Alpha-Numeric HCPCS file {path.name} (validity per code by its add "
                     "and termination dates)", int(counts["codes"]), int(counts["codes"]), end)
    return counts


def load_ptp(conn: sqlite3.Connection, paths: Paths | Path) -> dict[str, Any]:
    from medcode.systems import ncci
    counts = ncci.load_ptp(conn, _many(paths))
    # NCCI version vXY.Z: year 1994 + XY, quarter Z + 1 (v32.2 = 2026 Q3)
    import re
    m = re.match(r"v?(\d\d)(\d)", str(counts.get("version", "")))
    if m and int(m.group(2)) < 4:
        year, q = 1994 + int(m.group(1)), int(m.group(2)) + 1
        start, end = quarter_period(year, q)
        _replace_release(conn, "NCCI-PTP", f"{year}Q{q}", start,
                         f"CMS NCCI PTP edits {counts.get('version')}", int(counts["edits"]),
                         int(counts["edits"]), end)
    return counts


def load_mue(conn: sqlite3.Connection, paths: Paths | Path) -> dict[str, Any]:
    from medcode.systems import ncci
    counts = ncci.load_mue(conn, _many(paths))
    try:
        eff = dt.date.fromisoformat(str(counts.get("effective", "")))
    except ValueError:
        return counts
    q = (eff.month - 1) // 3 + 1
    start, end = quarter_period(eff.year, q)
    _replace_release(conn, "MUE", f"{eff.year}Q{q}", max(start, eff),
                     f"CMS NCCI MUE table effective {eff}", int(counts["mues"]),
                     int(counts["mues"]), end)
    return counts


def load_cpt(conn: sqlite3.Connection, paths: Paths | Path) -> dict[str, Any]:
    """The user's licensed CPT descriptor file: it only ever enters their own store."""
    from medcode.systems.cpt import cpt_category, parse_cpt_descriptors
    path = _one(paths, "cpt")
    rows = list(parse_cpt_descriptors(path))  # parse fully (and fail) before deleting
    if not rows:
        raise SourceError(f"{path}: no CPT codes found")
    conn.execute("DELETE FROM cpt_descriptor")
    conn.execute("DELETE FROM codes WHERE system = 'CPT'")
    conn.executemany("INSERT OR REPLACE INTO cpt_descriptor VALUES (?,?,?,?)",
                     [(d.code, d.short, d.medium, d.long) for d in rows])
    conn.executemany(
        "INSERT OR REPLACE INTO codes VALUES ('CPT', ?, ?, ?, NULL, 0, 1, 1)",
        [(d.code, d.long or d.medium or d.short or d.code, cpt_category(d.code) or "CPT")
         for d in rows])
    count = conn.execute("SELECT count(*) FROM cpt_descriptor").fetchone()[0]
    _replace_release(conn, "CPT", "imported", dt.date(1900, 1, 1),
                     f"user's licensed CPT file {path.name}", count, count)
    return {"codes": count, "file": path.name}


def schemas() -> list[str]:
    """Tables of the importers, created in every store so that queries never miss one."""
    from medcode.systems import hcpcs, ncci
    return [hcpcs.SCHEMA_SQL, ncci.SCHEMA_SQL]
