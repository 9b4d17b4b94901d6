"""Import of the CMS NCCI add-on code (AOC) edit file: ``medcode data import aoc FILE``.

CMS publishes it quarterly (e.g. ``AOC_V2026Q2-MCR.xlsx``, also as CSV/tab-delimited text):
a copyright header row, then the columns ``AOC_Edit_Type``, ``Add-On_Code``, ``AOC_DelDT``,
``Primary_Code``, ``Primary_Code_DelDT``, ``AOC_Edit_EffDT``, ``AOC_Edit_DelDT``,
``Special_Instruction_Notes``. Dates are ``YYYYDDD`` (year and day of the year: 2013091 =
2013-04-01); an empty deletion date means the edit is in force. Edit types: 1 = only the
primary codes listed; 2 = primaries defined by the Medicare contractor (``CCCCC``); 3 = some
primaries listed, others defined by the contractor.

The rows go into the table ``aoc_edit`` (created here; replaced whole on each import) and
the file's name and release into ``aoc_source``. A file that does not have these columns, or
a row with an unknown type or an unreadable date, is refused naming the row, and the store
stays as it was (the import works on a copy).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from medcode.errors import SourceError

__all__ = ["SCHEMA_SQL", "load_aoc", "parse_aoc", "parse_aoc_date"]

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS aoc_edit (
  addon TEXT NOT NULL,
  primary_code TEXT NOT NULL,       -- CCCCC: contractor-defined primary codes (type 2)
  edit_type INTEGER NOT NULL,       -- 1, 2 or 3
  effective TEXT NOT NULL,          -- ISO date
  deleted TEXT,                     -- ISO date (last day in force), NULL = in force
  addon_deleted TEXT,
  primary_deleted TEXT,
  note TEXT
);
CREATE INDEX IF NOT EXISTS aoc_edit_addon ON aoc_edit (addon);
CREATE TABLE IF NOT EXISTS aoc_source (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = {"aoc_edit_type": "type", "add-on_code": "addon", "aoc_deldt": "addon_deleted",
            "primary_code": "primary", "primary_code_deldt": "primary_deleted",
            "aoc_edit_effdt": "effective", "aoc_edit_deldt": "deleted",
            "special_instruction_notes": "note"}
_REQUIRED = ("type", "addon", "primary", "effective")
_CODE = re.compile(r"^[0-9A-Z]{5}$")


def parse_aoc_date(value: Any) -> str | None:
    """ISO date of a ``YYYYDDD`` (CMS), ``YYYYMMDD`` or ``MM/DD/YYYY`` value, or an Excel
    date; None when blank. Raises ValueError when it is none of these."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value).strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not s or s == "*":
        return None
    if len(s) == 7 and s.isdigit():
        year, day = int(s[:4]), int(s[4:])
        start = dt.date(year, 1, 1)
        if not 1 <= day <= (366 if (dt.date(year, 12, 31) - start).days == 365 else 365):
            raise ValueError(f"day {day} of {year} does not exist")
        return (start + dt.timedelta(days=day - 1)).isoformat()
    if len(s) == 8 and s.isdigit():
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", s)
    if m:
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
    raise ValueError(f"{s!r} is not a date (YYYYDDD, YYYYMMDD or MM/DD/YYYY)")


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the first sheet of an XLSX, or of a CSV/tab-delimited file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl raise many kinds
            raise SourceError(f"{path}: not a readable XLSX workbook ({exc})") from None
        try:
            for n, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                yield n, list(row)
        finally:
            book.close()
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    dialect = "excel-tab" if text.count("\t") > text.count(",") else "excel"
    for n, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        yield n, list(row)


def parse_aoc(path: Path) -> Iterator[dict[str, Any]]:
    """The edits of one AOC file, as dicts (addon, primary, type, effective, deleted,
    addon_deleted, primary_deleted, note). Raises SourceError naming the row."""
    cols: dict[str, int] | None = None
    for n, row in _rows(path):
        cells = ["" if c is None else str(c).strip() for c in row]
        if cols is None:
            names = {c.lower(): i for i, c in enumerate(cells) if c}
            found = {_COLUMNS[k]: i for k, i in names.items() if k in _COLUMNS}
            if all(k in found for k in _REQUIRED):
                cols = found
            elif n > 20:
                break
            continue
        if not any(cells):
            continue

        def cell(key: str, cells: list[str] = cells, row: list[Any] = row,
                 cols: dict[str, int] = cols) -> Any:
            i = cols.get(key)
            if i is None or i >= len(cells):
                return None
            return row[i] if not isinstance(row[i], str) else cells[i]

        kind = str(cell("type") or "").removesuffix(".0")
        if kind not in ("1", "2", "3"):
            raise SourceError(f"{path}: row {n}: AOC_Edit_Type {kind!r} is not 1, 2 or 3")
        addon, primary = str(cell("addon") or "").upper(), str(cell("primary") or "").upper()
        for what, code in (("Add-On_Code", addon), ("Primary_Code", primary)):
            if not _CODE.match(code):
                raise SourceError(f"{path}: row {n}: {what} {code!r} is not a 5-character "
                                  "CPT/HCPCS code")
        try:
            dates = {k: parse_aoc_date(cell(k)) for k in
                     ("effective", "deleted", "addon_deleted", "primary_deleted")}
        except ValueError as exc:
            raise SourceError(f"{path}: row {n}: {exc}") from None
        if dates["effective"] is None:
            raise SourceError(f"{path}: row {n}: AOC_Edit_EffDT is empty")
        yield {"addon": addon, "primary": primary, "type": int(kind), **dates,
               "note": str(cell("note") or "") or None}
    if cols is None:
        raise SourceError(f"{path}: not a CMS add-on code edit file: no header row with "
                          "AOC_Edit_Type, Add-On_Code, Primary_Code and AOC_Edit_EffDT")


def load_aoc(conn: sqlite3.Connection, paths: Sequence[Path] | Path) -> dict[str, Any]:
    """Parse the AOC file(s) fully, then replace every row of ``aoc_edit``."""
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    records = [r for p in files for r in parse_aoc(p)]
    if not records:
        raise SourceError(f"{', '.join(map(str, files))}: no add-on code edits found")
    for stmt in SCHEMA_SQL.split(";"):
        if stmt.strip():
            conn.execute(stmt)
    conn.execute("DELETE FROM aoc_edit")
    conn.executemany(
        "INSERT INTO aoc_edit VALUES (?,?,?,?,?,?,?,?)",
        ((r["addon"], r["primary"], r["type"], r["effective"], r["deleted"],
          r["addon_deleted"], r["primary_deleted"], r["note"]) for r in records))
    m = re.search(r"(\d{4})Q([1-4])", " ".join(p.name for p in files), re.IGNORECASE)
    release = f"{m.group(1)}Q{m.group(2)}" if m else ""
    facts = {"files": ", ".join(p.name for p in files), "release": release}
    conn.execute("DELETE FROM aoc_source")
    conn.executemany("INSERT INTO aoc_source VALUES (?, ?)", facts.items())
    by_type = {t: sum(r["type"] == t for r in records) for t in (1, 2, 3)}
    return {"edits": len(records), "addon_codes": len({r["addon"] for r in records}),
            "type1": by_type[1], "type2": by_type[2], "type3": by_type[3], "release": release}
