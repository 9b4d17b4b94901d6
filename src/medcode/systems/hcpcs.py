"""HCPCS Level II: CMS's "Alpha-Numeric HCPCS File" - parser, store tables, loader, queries.

The file comes as a zip holding the same release in several forms; ``parse_hcpcs`` reads any:

* fixed width TXT (``HCPC<YYYY>[_<MON>]_ANWEB*.txt``): one 320-byte record a line (CR LF), the
  2020 file opens with a disclaimer paragraph before the first record. Record id (position 11):
  3 = first record of a procedure code, 4 = its continuation, 7 = first record of a modifier,
  8 = its continuation. A continuation line only carries code, sequence, record id and the next
  80 characters of the long description (the file trims it to 91 bytes).
* XLS / XLSX / CSV with one header row (``HCPC, SEQNUM, RECID, LONG DESCRIPTION, ...``) and one
  row per code; a row with RECID 4/8 still continues the long description (G0503 in 2020).

Descriptions have their runs of white space collapsed to one space, so that every form of one
release gives the same text (the TXT splits them every 80 characters).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from medcode.errors import SourceError

# Record layout of the fixed-width TXT: (name, first, last), 1-based inclusive positions, from
# CMS's HCPC<YYYY>_recordlayout.txt ("HCPCS Contractor Record", 320 bytes) and checked field by
# field against the XLS of the 2020 release (tests/systems/test_hcpcs.py compares every record).
# Positions 241-252 hold the OPPS fields, blank in the files since 2020: not read. 260 and
# 294-320 are filler.
_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("HCPC", 1, 5),            # code; a modifier is right-justified in 4-5
    ("SEQNUM", 6, 10),         # description sequence: 00100, 00200, ...
    ("RECID", 11, 11),         # 3 / 4 / 7 / 8
    ("LONGDESCRIPTION", 12, 91),
    ("SHORTDESCRIPTION", 92, 119),
    ("PRICE1", 120, 121), ("PRICE2", 122, 123), ("PRICE3", 124, 125), ("PRICE4", 126, 127),
    ("MULTPI", 128, 128),      # multiple pricing indicator
    ("CIM1", 129, 134), ("CIM2", 135, 140), ("CIM3", 141, 146),          # coverage issues manual
    ("MCM1", 147, 154), ("MCM2", 155, 162), ("MCM3", 163, 170),          # carriers manual
    ("STATUTE", 171, 180),
    *((f"LABCERT{i + 1}", 181 + 3 * i, 183 + 3 * i) for i in range(8)),  # 181-204
    *((f"XREF{i + 1}", 205 + 5 * i, 209 + 5 * i) for i in range(5)),     # 205-229
    ("COV", 230, 230),         # coverage code
    ("ASCGRP", 231, 232), ("ASCDT", 233, 240),
    ("PROCNOTE", 253, 256), ("BETOS", 257, 259),
    *((f"TOS{i + 1}", 261 + i, 261 + i) for i in range(5)),              # 261-265
    ("ANESTBU", 266, 268),
    ("ADDDT", 269, 276), ("ACTEFFDT", 277, 284), ("TERMDT", 285, 292),
    ("ACTIONCD", 293, 293),
)
_RECORD_LEN = 320
_MIN_FIRST_LEN = 293           # a first record (3/7) must reach the action code
_SLICES = tuple((name, a - 1, b) for name, a, b in _LAYOUT)

# Header names seen across years, normalised (upper case, letters and digits only) -> field.
_ALIASES = {
    "HCPCS": "HCPC", "HCPCCODE": "HCPC", "HCPCSCODE": "HCPC", "HCPCMOD": "HCPC", "CODE": "HCPC",
    "SEQ": "SEQNUM", "SEQUENCENUMBER": "SEQNUM", "RECORDID": "RECID", "RECIDCODE": "RECID",
    "LONGDESC": "LONGDESCRIPTION", "SHORTDESC": "SHORTDESCRIPTION",
    "COVERAGE": "COV", "COVERAGECODE": "COV", "ACTIONCODE": "ACTIONCD", "ACTION": "ACTIONCD",
    "ADDDATE": "ADDDT", "CODEADDEDDATE": "ADDDT", "ACTIONEFFECTIVEDATE": "ACTEFFDT",
    "EFFECTIVEDATE": "ACTEFFDT", "ACTEFFDATE": "ACTEFFDT", "TERMINATIONDATE": "TERMDT",
    "TERMDATE": "TERMDT", "ANESTHESIABASEUNITS": "ANESTBU", "PROCESSINGNOTE": "PROCNOTE",
}

FAMILIES = {
    "A": "Transportation, medical and surgical supplies", "B": "Enteral and parenteral therapy",
    "C": "Outpatient PPS (temporary)", "D": "Dental procedures",
    "E": "Durable medical equipment", "G": "Procedures and professional services (temporary)",
    "H": "Alcohol and drug abuse treatment, behavioral health", "J": "Drugs administered other "
    "than oral method, chemotherapy drugs", "K": "Durable medical equipment (temporary)",
    "L": "Orthotic and prosthetic procedures and devices", "M": "Medical services (other)",
    "P": "Pathology and laboratory services", "Q": "Miscellaneous services (temporary)",
    "R": "Diagnostic radiology services", "S": "Temporary national codes (non-Medicare)",
    "T": "National codes for state Medicaid agencies", "U": "Laboratory tests (temporary)",
    "V": "Vision, hearing and speech-language pathology services",
}
COVERAGE = {
    "C": "Carrier judgment", "D": "Special coverage instructions apply",
    "I": "Not payable by Medicare", "M": "Non-covered by Medicare",
    "S": "Non-covered by Medicare statute",
}
# The 2020 zip's "Action Code Key" sheet (HCPC2020_TRANS_ALPHA_w_disclaimer.xlsx).
ACTIONS = {
    "A": "Add", "B": "Coverage and long description change", "C": "Long description change",
    "D": "Discontinued", "F": "Coverage change", "N": "No change", "P": "Payment change",
    "R": "Re-activated", "S": "Short description change",
    "T": "Miscellaneous change (BETOS or type of service)",
}


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One HCPCS code or modifier with its long description assembled. Dates are ISO text."""

    code: str                      # "J1100", or a modifier "LT"
    is_modifier: bool
    long_description: str
    short_description: str
    pricing: tuple[str, ...] = ()  # pricing indicator codes, up to 4
    multiple_pricing: str = ""
    cim: tuple[str, ...] = ()      # Coverage Issues Manual sections
    mcm: tuple[str, ...] = ()      # Medicare Carriers Manual sections
    statute: str = ""
    lab_cert: tuple[str, ...] = ()
    xref: tuple[str, ...] = ()     # cross-reference codes
    coverage: str = ""
    asc_group: str = ""
    asc_date: str | None = None
    procnote: str = ""
    betos: str = ""
    tos: tuple[str, ...] = ()      # type of service codes
    anesthesia_base_units: int | None = None
    add_date: str | None = None
    effective_date: str | None = None  # date of the last action
    termination_date: str | None = None
    action_code: str = ""
    # continuation records (id 4/8) the long description spanned in this form of the file
    continuations: int = field(default=0, compare=False)


# ---------------------------------------------------------------- small shared helpers

def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as CMS's older files are."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def iso_date(raw: str, where: str, what: str) -> str | None:
    """'YYYYMMDD' -> 'YYYY-MM-DD'; blank -> None; anything else is a SourceError."""
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) == 8 and raw.isdigit():
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
        except ValueError:
            pass
    raise SourceError(f"{where}: bad {what} {raw!r} (expected YYYYMMDD)")


def create_schema(conn: sqlite3.Connection, sql: str) -> None:
    """Run CREATE ... IF NOT EXISTS statements one by one: unlike executescript this keeps
    the caller's open transaction."""
    for statement in sql.split(";"):
        if re.sub(r"--[^\n]*", "", statement).strip():
            conn.execute(statement)


def norm_code(code: str) -> str:
    return re.sub(r"[\s.]", "", code).upper()


# ---------------------------------------------------------------- parsing

def parse_hcpcs(path: Path | str) -> Iterator[HcpcsRecord]:
    """Yield every code and modifier of an HCPCS file: the official zip, TXT, XLS, XLSX or CSV."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SourceError(f"{path}: empty file")
    if data[:4] == b"PK\x03\x04" and not _is_xlsx(data):
        name, data = _pick_member(path, data)
        label = f"{path}!{name}"
    else:
        label = str(path)
    yield from _parse_bytes(label, data)


def hcpcs_release(path: Path | str) -> dict[str, str]:
    """Release facts told by the file names: year, quarter ('Q4'), release ('2026Q4' or '2020')."""
    path = Path(path)
    names = [path.name]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names += [n for n in zf.namelist() if "ANWEB" in n.upper()]
    year = month = ""
    for name in names:
        if m := re.search(r"HCPC(\d{4})(?:_(JAN|APR|JUL|OCT))?", name, re.IGNORECASE):
            year, month = m.group(1), (m.group(2) or month).upper()
        if m := re.search(r"(jan|apr|jul|oct)[a-z]*[-_](\d{4})", name, re.IGNORECASE):
            month, year = month or m.group(1).upper(), year or m.group(2)
        elif not year and (m := re.match(r"(\d{4})-alpha", name, re.IGNORECASE)):
            year = m.group(1)
    facts = {"file": path.name, "year": year}
    quarter = {"JAN": "Q1", "APR": "Q2", "JUL": "Q3", "OCT": "Q4"}.get(month, "")
    if quarter:
        facts["quarter"] = quarter
    facts["release"] = year + quarter
    return facts


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False                      # reported as a broken zip by _pick_member


def _pick_member(path: Path, data: bytes) -> tuple[str, bytes]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{path}: broken zip file: {exc}") from exc
    with zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        for ext in (".txt", ".xlsx", ".xls", ".csv"):
            for name in names:
                if "ANWEB" in name.upper() and name.lower().endswith(ext):
                    try:
                        return name, zf.read(name)
                    except (zipfile.BadZipFile, OSError, EOFError) as exc:
                        raise SourceError(f"{path}!{name}: cannot unpack: {exc}") from exc
    raise SourceError(f"{path}: the zip holds no HCPCS file (expected a member named like "
                      f"HCPC2026_OCT_ANWEB.txt, .xlsx or .csv); it holds: "
                      + (", ".join(names[:10]) or "nothing"))


def _parse_bytes(label: str, data: bytes) -> Iterator[HcpcsRecord]:
    low = label.lower()
    if data[:4] == b"\xd0\xcf\x11\xe0":                  # OLE2: legacy Excel
        rows: Iterable[tuple[int, list[Any]]] = _xls_rows(label, data)
    elif data[:4] == b"PK\x03\x04":                       # zip container: XLSX
        rows = _xlsx_rows(label, data)
    else:
        text = decode_text(data)
        head = text[:40000].splitlines()[:60]
        fixed = any(_looks_like_record(line) for line in head)
        if low.endswith(".csv") or (not fixed and any("," in line for line in head)):
            rows = enumerate(csv.reader(io.StringIO(text)), start=1)
        else:
            return _assemble(label, _txt_rows(label, text))
    return _assemble(label, _table_rows(label, rows))


def _txt_rows(label: str, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    if len(lines) == 1 and len(text) % _RECORD_LEN == 0:    # records without line ends
        lines = [text[i:i + _RECORD_LEN] for i in range(0, len(text), _RECORD_LEN)]
    started = False
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not started:
            if _looks_like_record(line):
                started = True
            elif lineno > 60:
                break
            else:
                continue                                  # disclaimer text before the records
        where = f"{label} line {lineno}"
        if len(line) > _RECORD_LEN:
            raise SourceError(f"{where}: record is {len(line)} characters long, expected "
                              f"{_RECORD_LEN}: not the HCPCS fixed-width layout")
        recid = line[10:11]
        if recid not in ("3", "4", "7", "8"):
            if len(line) < 11:
                raise SourceError(f"{where}: truncated record ({len(line)} characters)")
            raise SourceError(f"{where}: bad record id {recid!r} at position 11 "
                              "(expected 3, 4, 7 or 8)")
        need = _MIN_FIRST_LEN if recid in ("3", "7") else 12
        if len(line) < need:
            raise SourceError(f"{where}: truncated record ({len(line)} characters, "
                              f"expected {_RECORD_LEN})")
        yield lineno, {name: line[a:b] for name, a, b in _SLICES}
    if not started:
        raise SourceError(f"{label}: no HCPCS records found: expected {_RECORD_LEN}-character "
                          "fixed-width records with record id 3, 4, 7 or 8 at position 11")


def _looks_like_record(line: str) -> bool:
    return (len(line) >= 12 and line[10] in "3478" and line[5:10].isdigit()
            and re.fullmatch(r" *[A-Z0-9]+", line[:5]) is not None)


def _xls_rows(label: str, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import xlrd  # lazy: only for the XLS form

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:  # xlrd raises several unrelated types for a broken file
        raise SourceError(f"{label}: not a readable XLS workbook: {exc}") from exc
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        row = []
        for c, value in enumerate(sheet.row_values(r)):
            if sheet.cell_type(r, c) == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            row.append(value)
        yield r + 1, row


def _xlsx_rows(label: str, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl  # lazy: only for the XLSX form

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise SourceError(f"{label}: not a readable XLSX workbook: {exc}") from exc
    try:
        for r, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield r, list(row)
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def _table_rows(label: str, rows: Iterable[tuple[int, list[Any]]]
                ) -> Iterator[tuple[int, dict[str, str]]]:
    columns: list[str] | None = None
    for rowno, raw in rows:
        cells = [_cell(v) for v in raw]
        if columns is None:
            names = [re.sub(r"[^A-Z0-9]", "", c.upper()) for c in cells]
            names = [_ALIASES.get(n, n) for n in names]
            if "HCPC" in names and "LONGDESCRIPTION" in names:
                columns = names
            elif rowno >= 50:
                break
            continue
        if not any(c.strip() for c in cells):
            continue
        rec = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
        for key, width in (("SEQNUM", 4), ("PROCNOTE", 4), *((f"PRICE{i}", 2) for i in "1234")):
            if rec.get(key, "").isdigit():
                rec[key] = rec[key].zfill(width)
        yield rowno, rec
    if columns is None:
        raise SourceError(f"{label}: no header row with the columns HCPC and LONG DESCRIPTION "
                          "in the first 50 rows: not an HCPCS file")


def _assemble(label: str, rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[HcpcsRecord]:
    """Join continuation records onto their first record and build HcpcsRecords."""
    head: dict[str, str] | None = None
    head_where = ""
    parts: list[str] = []
    for rowno, rec in rows:
        where = f"{label} line {rowno}"
        code = norm_code(rec.get("HCPC", ""))
        recid = rec.get("RECID", "").strip() or ("7" if len(code) == 2 else "3")
        if recid not in ("3", "4", "7", "8"):
            raise SourceError(f"{where}: bad record id {recid!r} (expected 3, 4, 7 or 8)")
        pattern = r"[A-Z0-9]{5}" if recid in ("3", "4") else r"[A-Z0-9]{2}"
        if not re.fullmatch(pattern, code):
            kind = "code" if recid in ("3", "4") else "modifier"
            raise SourceError(f"{where}: bad HCPCS {kind} {rec.get('HCPC', '')!r}")
        if recid in ("3", "7"):
            if head is not None:
                yield _record(head_where, head, parts)
            head, head_where, parts = rec, where, [rec.get("LONGDESCRIPTION", "")]
            head["HCPC"], head["RECID"] = code, recid
        else:
            if head is None or head["HCPC"] != code or int(head["RECID"]) + 1 != int(recid):
                raise SourceError(f"{where}: continuation record (id {recid}) for {code} does "
                                  "not follow its first record")
            parts.append(rec.get("LONGDESCRIPTION", ""))
    if head is None:
        raise SourceError(f"{label}: no HCPCS records (codes or modifiers) found")
    yield _record(head_where, head, parts)


def _record(where: str, rec: dict[str, str], parts: list[str]) -> HcpcsRecord:
    def get(name: str) -> str:
        return rec.get(name, "").strip()

    def many(prefix: str, n: int) -> tuple[str, ...]:
        return tuple(v for i in range(1, n + 1) if (v := get(f"{prefix}{i}")))

    long_desc = " ".join(" ".join(parts).split())
    if not long_desc:
        raise SourceError(f"{where}: {rec['HCPC']} has no long description")
    units = get("ANESTBU")
    if units and not units.isdigit():
        raise SourceError(f"{where}: bad anesthesia base units {units!r}")
    return HcpcsRecord(
        code=rec["HCPC"], is_modifier=rec["RECID"] == "7", long_description=long_desc,
        short_description=" ".join(get("SHORTDESCRIPTION").split()),
        pricing=many("PRICE", 4), multiple_pricing=get("MULTPI"), cim=many("CIM", 3),
        mcm=many("MCM", 3), statute=get("STATUTE"), lab_cert=many("LABCERT", 8),
        xref=tuple(norm_code(x) for x in many("XREF", 5)), coverage=get("COV").upper(),
        asc_group=get("ASCGRP"), asc_date=iso_date(get("ASCDT"), where, "ASC date"),
        procnote=get("PROCNOTE"), betos=get("BETOS"), tos=many("TOS", 5),
        anesthesia_base_units=int(units) if units else None,
        add_date=iso_date(get("ADDDT"), where, "add date"),
        effective_date=iso_date(get("ACTEFFDT"), where, "action effective date"),
        termination_date=iso_date(get("TERMDT"), where, "termination date"),
        action_code=get("ACTIONCD").upper(), continuations=len(parts) - 1,
    )


# ---------------------------------------------------------------- store: schema, load, query

_COLUMNS = ("code", "long_description", "short_description", "pricing", "multiple_pricing",
            "coverage", "betos", "tos", "cim", "mcm", "statute", "lab_cert", "xref",
            "asc_group", "asc_date", "procnote", "anesthesia_base_units", "add_date",
            "effective_date", "termination_date", "action_code")
_LISTS = ("pricing", "tos", "cim", "mcm", "lab_cert", "xref")    # stored space-separated


def _table_sql(table: str) -> str:
    cols = ",\n  ".join(
        "code TEXT PRIMARY KEY" if c == "code" else
        f"{c} INTEGER" if c == "anesthesia_base_units" else
        f"{c} TEXT" + (" NOT NULL" if c in ("long_description", "short_description") else "")
        for c in _COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols}\n) WITHOUT ROWID;\n"


SCHEMA_SQL: str = (
    "-- HCPCS Level II codes and modifiers, dates ISO 'YYYY-MM-DD', NULL = open.\n"
    "-- pricing, tos, cim, mcm, lab_cert, xref hold space-separated values.\n"
    + _table_sql("hcpcs_code") + _table_sql("hcpcs_modifier")
    + "CREATE TABLE IF NOT EXISTS hcpcs_source (\n  key TEXT PRIMARY KEY,\n  value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
)


def load_hcpcs(conn: sqlite3.Connection, path: Path | str) -> dict[str, int | str]:
    """Parse the whole file, then replace the store's HCPCS rows. Returns counts and release.

    Nothing is deleted unless the file parsed completely; the caller owns the transaction.
    """
    path = Path(path)
    records = list(parse_hcpcs(path))
    codes = [r for r in records if not r.is_modifier]
    mods = [r for r in records if r.is_modifier]
    if not codes:
        raise SourceError(f"{path}: no HCPCS code records (record id 3) found")
    for group in (codes, mods):
        seen: set[str] = set()
        for r in group:
            if r.code in seen:
                raise SourceError(f"{path}: {r.code} appears twice")
            seen.add(r.code)
    facts = hcpcs_release(path)
    create_schema(conn, SCHEMA_SQL)
    marks = ", ".join("?" * len(_COLUMNS))
    for table, group in (("hcpcs_code", codes), ("hcpcs_modifier", mods)):
        conn.execute(f"DELETE FROM {table}")
        conn.executemany(f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({marks})",
                         (_row(r) for r in group))
    conn.execute("DELETE FROM hcpcs_source")
    conn.executemany("INSERT INTO hcpcs_source (key, value) VALUES (?, ?)", facts.items())
    result: dict[str, int | str] = {"codes": len(codes), "modifiers": len(mods),
                                    # a fact, not rows: ints in the dict are row counts
                                    "continuations": str(sum(r.continuations for r in records))}
    result.update(facts)
    return result


def _row(r: HcpcsRecord) -> tuple[Any, ...]:
    values = []
    for col in _COLUMNS:
        v = getattr(r, col)
        values.append(" ".join(v) if col in _LISTS else v)
    return tuple(values)


def hcpcs_get(conn: sqlite3.Connection, code: str, on: date | None = None
              ) -> dict[str, Any] | None:
    """A code (J1100) or a modifier (LT) with its data and whether it is active on ``on``
    (default: today). None when the store has no such code."""
    key = norm_code(code)
    return _get(conn, "hcpcs_modifier" if len(key) == 2 else "hcpcs_code", key, on)


def hcpcs_modifier(conn: sqlite3.Connection, mod: str, on: date | None = None
                   ) -> dict[str, Any] | None:
    """A HCPCS modifier (GA, LT, XE ...) or None."""
    return _get(conn, "hcpcs_modifier", norm_code(mod), on)


def _get(conn: sqlite3.Connection, table: str, key: str, on: date | None
         ) -> dict[str, Any] | None:
    try:
        row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM {table} WHERE code = ?",
                           (key,)).fetchone()
        release = conn.execute("SELECT value FROM hcpcs_source WHERE key = 'release'").fetchone()
    except sqlite3.OperationalError:          # HCPCS never loaded into this store
        return None
    if row is None:
        return None
    out: dict[str, Any] = dict(zip(_COLUMNS, row))
    for col in _LISTS:
        out[col] = out[col].split() if out[col] else []
    day = (on or date.today()).isoformat()
    start = out["add_date"] or out["effective_date"]
    out["active"] = (start is None or start <= day) and (
        out["termination_date"] is None or day <= out["termination_date"])
    out["on"] = day
    out["system"] = "HCPCS"
    out["kind"] = "modifier" if table == "hcpcs_modifier" else "code"
    out["release"] = release[0] if release else None
    out["coverage_meaning"] = COVERAGE.get(out["coverage"] or "")
    out["action_meaning"] = ACTIONS.get(out["action_code"] or "")
    if out["kind"] == "code":
        out["family"] = key[0]
        out["family_name"] = FAMILIES.get(key[0])
    return out
