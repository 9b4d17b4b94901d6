"""NCCI (CMS, quarterly): procedure-to-procedure edits (PTP) and medically unlikely edits (MUE).

PTP files (``ccipra-v322r0-f1.txt`` practitioner, ``ccioph-*`` outpatient hospital; f1..f4 split
the code range) are tab-delimited with a header of several rows (copyright line, title, then the
column titles spread over four rows). Columns: column 1 code, column 2 code, "*" when the edit
existed before 1996, effective date YYYYMMDD, deletion date YYYYMMDD or "*" (none), modifier
indicator 0/1/9, PTP edit rationale. An edit is active on a day when effective <= day and
(deletion is "*" or deletion > day).

MUE files (``MCR_MUE_PractitionerServices_Eff_07-01-2026.csv``, also outpatient hospital and DME)
are CSV: a disclaimer in one quoted multi-line cell, then the header ("HCPCS/CPT Code", "... MUE
Values", "MUE Adjudication Indicator", "MUE Rationale") and one row per code. The adjudication
indicator is text such as "2 Date of Service Edit: Policy"; the effective date is in the name.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from medcode.errors import SourceError
from medcode.systems.hcpcs import create_schema, decode_text, iso_date, norm_code

Paths = Path | str | Sequence[Path | str]

MODIFIER_INDICATORS = {
    0: "Not allowed: the pair is never billed together, whatever the modifier",
    1: "Allowed with a PTP-associated modifier when clinically appropriate",
    9: "Not applicable: the edit was deleted",
}
MAI = {
    1: "Line edit: units are counted per claim line",
    2: "Date of service edit, policy: units summed per date of service; absolute limit",
    3: "Date of service edit, clinical: units summed per date of service",
}
_CODE = re.compile(r"[A-Z0-9]{5}")


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    prior_1996: bool          # "*" in the "in existence prior to 1996" column
    effective: str            # ISO date
    deletion: str | None      # ISO date; None for "*"
    modifier_indicator: int   # 0, 1 or 9
    rationale: str
    setting: str              # "practitioner" or "outpatient"


@dataclass(frozen=True, slots=True)
class MueRecord:
    code: str
    value: int
    mai: int                  # 1, 2 or 3
    rationale: str
    setting: str              # "practitioner", "outpatient" or "dme"
    effective: str | None     # ISO date from the file name


# ---------------------------------------------------------------- file handling

def _members(paths: Paths, exts: tuple[str, ...], prefer: str) -> Iterator[tuple[str, bytes]]:
    """(label, bytes) for each file given, unpacking zips to their members ending in exts
    (only those whose name matches ``prefer`` when some do, so a readme is left alone)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not items:
        raise SourceError("no file given")
    for item in items:
        path = Path(item)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        if data[:4] != b"PK\x03\x04":
            yield str(path), data
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(exts)]
                names = [n for n in names if re.search(prefer, n, re.IGNORECASE)] or names
                if not names:
                    raise SourceError(f"{path}: the zip holds no {' or '.join(exts)} file; it "
                                      "holds: " + (", ".join(zf.namelist()[:10]) or "nothing"))
                for name in sorted(names):
                    yield f"{path}!{name}", zf.read(name)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise SourceError(f"{path}: broken zip file: {exc}") from exc


def _ptp_setting(label: str) -> str:
    if re.search(r"ccioph|outpatient|hospital", label, re.IGNORECASE):
        return "outpatient"
    return "practitioner"


def _mue_setting(label: str, header: str = "") -> str:
    text = f"{label} {header}"
    if re.search(r"outpatient|hospital|_OPH", text, re.IGNORECASE):
        return "outpatient"
    if re.search(r"\bDME|DME_?Supplier|DMESupplier", text, re.IGNORECASE):
        return "dme"
    return "practitioner"


# ---------------------------------------------------------------- PTP

def parse_ptp(path: Paths, setting: str | None = None) -> Iterator[PtpEdit]:
    """Yield the edits of one or more PTP files (TXT, or zips of them)."""
    for label, data in _members(path, (".txt",), r"cci"):
        yield from _parse_ptp_text(label, decode_text(data), setting or _ptp_setting(label))


def ptp_release(path: Paths) -> dict[str, str]:
    """Version facts from the file names: {'version': 'v322r0', 'ncci_version': '32.2', ...}."""
    names = [str(path)] if isinstance(path, (str, Path)) else [str(p) for p in path]
    facts: dict[str, str] = {"files": ", ".join(Path(n).name for n in names)}
    for name in names:
        if m := re.search(r"v(\d{2})(\d)r(\d+)", Path(name).name, re.IGNORECASE):
            facts.update(version=m.group(0).lower(), ncci_version=f"{m.group(1)}.{m.group(2)}",
                         revision=m.group(3))
            break
    return facts


def _parse_ptp_text(label: str, text: str, setting: str) -> Iterator[PtpEdit]:
    intern = sys.intern
    started = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not started:
            if len(fields) >= 6 and _CODE.fullmatch(fields[0].upper()) and fields[3].isdigit():
                started = True
            elif lineno > 30:
                break
            else:
                continue                                  # header rows
        where = f"{label} line {lineno}"
        if len(fields) < 6:
            raise SourceError(f"{where}: truncated record ({len(fields)} of 7 tab-separated "
                              "fields)")
        col1, col2, prior, eff, dele, mod = (f.upper() for f in fields[:6])
        for code in (col1, col2):
            if not _CODE.fullmatch(code):
                raise SourceError(f"{where}: bad code {code!r} (expected 5 letters/digits)")
        if prior not in ("", "*"):
            raise SourceError(f"{where}: bad 'prior to 1996' flag {prior!r} (expected * or blank)")
        if mod not in ("0", "1", "9"):
            raise SourceError(f"{where}: bad modifier indicator {mod!r} (expected 0, 1 or 9)")
        effective = iso_date(eff, where, "effective date")
        if effective is None:
            raise SourceError(f"{where}: missing effective date")
        deletion = None if dele in ("*", "") else iso_date(dele, where, "deletion date")
        yield PtpEdit(intern(col1), intern(col2), prior == "*", intern(effective),
                      intern(deletion) if deletion else None, int(mod),
                      intern(fields[6] if len(fields) > 6 else ""), setting)
    if not started:
        raise SourceError(f"{label}: no PTP edits found: expected tab-separated rows of column 1 "
                          "code, column 2 code, *, effective YYYYMMDD, deletion, modifier 0/1/9")


# ---------------------------------------------------------------- MUE

def parse_mue(path: Paths, effective: date | None = None) -> Iterator[MueRecord]:
    """Yield the MUEs of one or more MUE CSV files (or zips of them)."""
    for label, data in _members(path, (".csv",), r"MUE"):
        eff = effective.isoformat() if effective else _mue_effective(label)
        yield from _parse_mue_text(label, decode_text(data), eff)


def _mue_effective(label: str) -> str | None:
    m = re.search(r"Eff[_\- ]?(\d{1,2})[-_](\d{1,2})[-_](\d{4})", Path(label).name, re.IGNORECASE)
    if not m:
        return None
    return iso_date(f"{m.group(3)}{int(m.group(1)):02d}{int(m.group(2)):02d}", label,
                    "effective date in the file name")


def _parse_mue_text(label: str, text: str, effective: str | None) -> Iterator[MueRecord]:
    reader = csv.reader(io.StringIO(text))
    cols: dict[str, int] = {}
    setting = ""
    count = 0
    for row in reader:
        cells = [c.strip() for c in row]
        if not cols:
            upper = [" ".join(c.upper().split()) for c in cells]
            if any("HCPCS" in c or "CPT" in c for c in upper) and any("MUE" in c for c in upper):
                cols = _mue_columns(label, upper)
                setting = _mue_setting(label, upper[cols["value"]])
            elif reader.line_num > 60:
                break
            continue
        if not any(cells):
            continue
        where = f"{label} line {reader.line_num}"
        if len(cells) <= max(cols.values()):
            raise SourceError(f"{where}: truncated record ({len(cells)} fields)")
        code = norm_code(cells[cols["code"]])
        if not _CODE.fullmatch(code):
            raise SourceError(f"{where}: bad code {cells[cols['code']]!r}")
        value = cells[cols["value"]]
        if not value.isdigit():
            raise SourceError(f"{where}: bad MUE value {value!r} for {code} (expected a number)")
        mai_text = cells[cols["mai"]]
        if mai_text[:1] not in ("1", "2", "3"):
            raise SourceError(f"{where}: bad MUE adjudication indicator {mai_text!r} for {code}")
        rationale = cells[cols["rationale"]] if "rationale" in cols else ""
        count += 1
        yield MueRecord(code, int(value), int(mai_text[0]), sys.intern(rationale), setting,
                        effective)
    if not cols:
        raise SourceError(f"{label}: no header row with 'HCPCS' and 'MUE' columns: not an MUE file")
    if not count:
        raise SourceError(f"{label}: no MUE records after the header")


def _mue_columns(label: str, upper: list[str]) -> dict[str, int]:
    def find(*words: str) -> int | None:
        for i, cell in enumerate(upper):
            if any(w in cell for w in words):
                return i
        return None

    found = {"code": find("HCPCS", "CPT"), "value": find("MUE VALUE"),
             "mai": find("ADJUDICATION", "MAI"), "rationale": find("RATIONALE")}
    missing = [k for k in ("code", "value", "mai") if found[k] is None]
    if missing:
        raise SourceError(f"{label}: MUE header lacks the column(s): {', '.join(missing)} "
                          f"(header: {upper})")
    return {k: v for k, v in found.items() if v is not None}


# ---------------------------------------------------------------- store: schema, load, query

SCHEMA_SQL: str = """
-- NCCI procedure-to-procedure edits. Dates ISO 'YYYY-MM-DD', deletion NULL = '*' (none).
CREATE TABLE IF NOT EXISTS ncci_ptp (
  column1 TEXT NOT NULL,
  column2 TEXT NOT NULL,
  setting TEXT NOT NULL,
  effective TEXT NOT NULL,
  deletion TEXT,
  modifier_indicator INTEGER NOT NULL,
  prior_1996 INTEGER NOT NULL,
  rationale TEXT NOT NULL,
  PRIMARY KEY (column1, column2, setting, effective)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ncci_ptp_column2 ON ncci_ptp (column2, column1);
CREATE TABLE IF NOT EXISTS ncci_ptp_source (key TEXT PRIMARY KEY, value TEXT NOT NULL)
  WITHOUT ROWID;
-- NCCI medically unlikely edits, effective = the date in the file name.
CREATE TABLE IF NOT EXISTS ncci_mue (
  code TEXT NOT NULL,
  setting TEXT NOT NULL,
  effective TEXT NOT NULL,
  mue_value INTEGER NOT NULL,
  mai INTEGER NOT NULL,
  rationale TEXT NOT NULL,
  PRIMARY KEY (code, setting, effective)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ncci_mue_source (key TEXT PRIMARY KEY, value TEXT NOT NULL)
  WITHOUT ROWID;
"""

_PTP_COLS = ("column1", "column2", "setting", "effective", "deletion", "modifier_indicator",
             "prior_1996", "rationale")


def load_ptp(conn: sqlite3.Connection, paths: Paths, setting: str | None = None
             ) -> dict[str, int | str]:
    """Parse every PTP file given (a path, a list of paths f1..f4, or zips), then replace all
    PTP rows. Returns {'edits': n, 'duplicates': '0', 'version': 'v322r0', ...}."""
    rows: dict[tuple[str, str, str, str], tuple[Any, ...]] = {}
    total = 0
    for e in parse_ptp(paths, setting):
        total += 1
        rows[(e.column1, e.column2, e.setting, e.effective)] = (
            e.column1, e.column2, e.setting, e.effective, e.deletion, e.modifier_indicator,
            int(e.prior_1996), e.rationale)
    if not rows:
        raise SourceError(f"{_names(paths)}: no PTP edits found")
    facts = ptp_release(paths)
    create_schema(conn, SCHEMA_SQL)
    conn.execute("DELETE FROM ncci_ptp")
    conn.executemany(f"INSERT INTO ncci_ptp ({', '.join(_PTP_COLS)}) VALUES "
                     f"({', '.join('?' * len(_PTP_COLS))})", rows.values())
    _put_source(conn, "ncci_ptp_source", facts)
    # ints are row counts; the rest are facts (strings)
    result: dict[str, int | str] = {"edits": len(rows), "duplicates": str(total - len(rows)),
                                    "release": facts.get("version", "")}
    result.update(facts)
    return result


def load_mue(conn: sqlite3.Connection, paths: Paths, effective: date | None = None
             ) -> dict[str, int | str]:
    """Parse every MUE file given, then replace all MUE rows. ``effective`` overrides the date
    read from the file name (required when the name has no Eff_MM-DD-YYYY)."""
    records = list(parse_mue(paths, effective))
    seen: set[tuple[str, str]] = set()
    for r in records:
        if r.effective is None:
            raise SourceError(f"{_names(paths)}: cannot tell the effective date: the file name "
                              "has no Eff_MM-DD-YYYY; give the date explicitly")
        if (r.code, r.setting) in seen:
            raise SourceError(f"{_names(paths)}: {r.code} appears twice ({r.setting})")
        seen.add((r.code, r.setting))
    if not records:
        raise SourceError(f"{_names(paths)}: no MUE records found")
    create_schema(conn, SCHEMA_SQL)
    conn.execute("DELETE FROM ncci_mue")
    conn.executemany("INSERT INTO ncci_mue (code, setting, effective, mue_value, mai, rationale)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     ((r.code, r.setting, r.effective, r.value, r.mai, r.rationale)
                      for r in records))
    settings = sorted({r.setting for r in records})
    facts = {"files": ", ".join(sorted({Path(m.split("!")[0]).name for m in _labels(paths)})),
             "effective": records[0].effective or "",
             "settings": ", ".join(settings)}
    _put_source(conn, "ncci_mue_source", facts)
    result: dict[str, int | str] = {"mues": len(records), "release": facts["effective"]}
    result.update(facts)
    return result


def _labels(paths: Paths) -> list[str]:
    return [str(p) for p in ([paths] if isinstance(paths, (str, Path)) else list(paths))]


def _names(paths: Paths) -> str:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    return ", ".join(str(p) for p in items)


def _put_source(conn: sqlite3.Connection, table: str, facts: dict[str, str]) -> None:
    conn.execute(f"DELETE FROM {table}")
    conn.executemany(f"INSERT INTO {table} (key, value) VALUES (?, ?)", facts.items())


def _source(conn: sqlite3.Connection, table: str, key: str) -> str | None:
    row = conn.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _quarter_of(day: date) -> tuple[date, date]:
    month = (day.month - 1) // 3 * 3 + 1
    last = (date(day.year, 12, 31) if month == 10
            else date(day.year, month + 3, 1) - timedelta(days=1))
    return date(day.year, month, 1), last


def ptp_period(conn: sqlite3.Connection) -> tuple[date, date, str] | None:
    """The quarter the loaded PTP files were published for, from their version: NCCI
    version NN.q is in force from quarter q+1 of 1994+NN (31.2 from 2025-07-01, 32.0 from
    2026-01-01). None when no PTP file is loaded or its name carried no version."""
    try:
        version = _source(conn, "ncci_ptp_source", "ncci_version")
    except sqlite3.OperationalError:
        return None
    m = re.fullmatch(r"(\d{2})\.(\d)", version or "")
    if not m or int(m.group(2)) > 3:
        return None
    first, last = _quarter_of(date(1994 + int(m.group(1)), int(m.group(2)) * 3 + 1, 1))
    return first, last, f"version {version}"


def mue_period(conn: sqlite3.Connection) -> tuple[date, date, str] | None:
    """The quarter of the loaded MUE files: from their effective date (in the file name) to
    the end of that quarter. None when no MUE file is loaded."""
    try:
        effective = _source(conn, "ncci_mue_source", "effective")
    except sqlite3.OperationalError:
        return None
    try:
        start = date.fromisoformat(effective or "")
    except ValueError:
        return None
    return start, _quarter_of(start)[1], f"effective {start}"


def _ptp_dicts(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    try:
        rows = conn.execute(sql, args).fetchall()
        version = _source(conn, "ncci_ptp_source", "version")
    except sqlite3.OperationalError:              # PTP never loaded into this store
        return []
    out = []
    for row in rows:
        d = dict(zip(_PTP_COLS, row))
        d["prior_1996"] = bool(d["prior_1996"])
        d["modifier_meaning"] = MODIFIER_INDICATORS.get(d["modifier_indicator"])
        d["version"] = version
        out.append(d)
    return out


def _today() -> date:
    from medcode.store.freshness import today
    return today()


_ACTIVE = "effective <= ? AND (deletion IS NULL OR deletion > ?)"


def ptp_edits(conn: sqlite3.Connection, col1: str, col2: str, on: date | None = None,
              setting: str | None = None) -> list[dict[str, Any]]:
    """Edits active on ``on`` (default today) for column 1 ``col1`` with column 2 ``col2``
    (this order only); ``setting`` 'practitioner'/'outpatient' narrows, None gives both."""
    day = (on or _today()).isoformat()
    sql = (f"SELECT {', '.join(_PTP_COLS)} FROM ncci_ptp WHERE column1 = ? AND column2 = ? "
           f"AND {_ACTIVE}")
    args: list[Any] = [norm_code(col1), norm_code(col2), day, day]
    if setting:
        sql += " AND setting = ?"
        args.append(setting)
    return _ptp_dicts(conn, sql + " ORDER BY setting, effective", args)


def ptp_for_codes(conn: sqlite3.Connection, codes: Iterable[str], on: date | None = None,
                  setting: str | None = None) -> list[dict[str, Any]]:
    """Every edit active on ``on`` whose two codes are both among ``codes`` (either order),
    in one indexed query."""
    keys = sorted({norm_code(c) for c in codes if c and c.strip()})
    if len(keys) < 2:
        return []
    day = (on or _today()).isoformat()
    marks = ", ".join("?" * len(keys))
    sql = (f"SELECT {', '.join(_PTP_COLS)} FROM ncci_ptp WHERE column1 IN ({marks}) "
           f"AND column2 IN ({marks}) AND {_ACTIVE}")
    args: list[Any] = [*keys, *keys, day, day]
    if setting:
        sql += " AND setting = ?"
        args.append(setting)
    return _ptp_dicts(conn, sql + " ORDER BY column1, column2, setting", args)


def mue_get(conn: sqlite3.Connection, code: str, on: date | None = None,
            setting: str | None = None) -> dict[str, Any] | None:
    """The MUE for ``code``: the row in force on ``on`` (latest effective <= on), else the
    earliest loaded one with ``in_force`` False. ``setting`` None prefers practitioner."""
    day = (on or _today()).isoformat()
    sql = ("SELECT code, setting, effective, mue_value, mai, rationale FROM ncci_mue "
           "WHERE code = ?")
    args: list[Any] = [norm_code(code)]
    if setting:
        sql += " AND setting = ?"
        args.append(setting)
    sql += (" ORDER BY setting != 'practitioner', setting, effective <= ? DESC,"
            " CASE WHEN effective <= ? THEN effective END DESC, effective")
    try:
        row = conn.execute(sql, [*args, day, day]).fetchone()
    except sqlite3.OperationalError:              # MUE never loaded into this store
        return None
    if row is None:
        return None
    d = dict(zip(("code", "setting", "effective", "value", "mai", "rationale"), row))
    d["mai_meaning"] = MAI.get(d["mai"])
    d["in_force"] = d["effective"] <= day
    d["on"] = day
    return d
