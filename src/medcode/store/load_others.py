"""Loaders for the embedded systems other than ICD-10-CM, and the schemas of other parts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from medcode.store import sources as S

RecordSource = Callable[[sqlite3.Connection, S.PackageFile, Path, "int | None"], None]


def extra_schemas() -> list[str]:
    """Tables owned by other parts (importers, search)."""
    from medcode.store import load_crosswalk, load_procedures
    return [*load_procedures.schemas(), load_crosswalk.SCHEMA_SQL]


def _release(conn: sqlite3.Connection, spec: S.ReleaseSpec, codes: int, billable: int) -> None:
    conn.execute("INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?)",
                 (spec.system, spec.name, spec.bit, spec.effective_from.isoformat(),
                  spec.effective_to.isoformat() if spec.effective_to else None, spec.note,
                  codes, billable, 0))


def load_pcs(conn: sqlite3.Connection, record: RecordSource) -> dict[str, int]:
    """ICD-10-PCS codes, with section / body system / table nodes above them, and the
    meaning of every character."""
    from medcode.systems import icd10pcs
    list_path = S.ICD10PCS_LIST.locate()
    db_path = S.ICD10PCS_AXES.locate()
    codes = list(icd10pcs.iter_pcs_codes(list_path))
    axes = list(icd10pcs.iter_pcs_axes(codes, db=db_path))
    conn.executemany("INSERT INTO pcs_axes VALUES (?,?,?,?,?,?)",
                     [(a.prefix, a.position, a.value, a.meaning, a.source, a.definition)
                      for a in axes])
    meaning = {(a.prefix, a.position, a.value): a.meaning for a in axes}
    spec = S.ICD10PCS_RELEASES[0]
    bit = spec.bit
    headers: dict[str, tuple[str, str, str | None, int]] = {}
    for code, _ in codes:
        for n, kind in ((1, "section"), (2, "body system"), (3, "table")):
            key = code[:n]
            if key not in headers:
                title = meaning.get((code[:n - 1], n, code[n - 1]), key)
                headers[key] = (title, kind, code[:n - 1] or None, n - 1)
    rows = [("ICD-10-PCS", k, t, kind, parent, depth, 0, bit)
            for k, (t, kind, parent, depth) in headers.items()]
    rows += [("ICD-10-PCS", code, title, "code", code[:3], 3, bit, bit) for code, title in codes]
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", rows)
    _release(conn, spec, len(rows), len(codes))
    record(conn, S.ICD10PCS_LIST, list_path, len(codes))
    record(conn, S.ICD10PCS_AXES, db_path, len(axes))
    return {"codes": len(codes), "headers": len(headers), "axis_meanings": len(axes)}


def load_icd9(conn: sqlite3.Connection, record: RecordSource) -> dict[str, int]:
    """ICD-9-CM v32: diagnoses and procedures, keyed by their dotted display form so that
    diagnosis 010.1 and procedure 01.01 never collide."""
    from medcode.systems import icd9cm
    spec = S.ICD9CM_RELEASES[-1]
    counts = {}
    for kind, short_name, long_name in (("diagnosis", "SHORT_DX", "LONG_DX"),
                                        ("procedure", "SHORT_SG", "LONG_SG")):
        short_path = S.ICD9_FILES[short_name].locate()
        long_path = S.ICD9_FILES[long_name].locate()
        rows = [("ICD-9-CM", icd9cm.display(code, kind), long_title, kind, None, 0, spec.bit,
                 spec.bit)
                for code, _short, long_title in icd9cm.iter_icd9(kind, short_path, long_path)]
        conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", rows)
        record(conn, S.ICD9_FILES[short_name], short_path, len(rows))
        record(conn, S.ICD9_FILES[long_name], long_path, len(rows))
        counts[kind] = len(rows)
    _release(conn, spec, sum(counts.values()), sum(counts.values()))
    return counts


def load_embedded(conn: sqlite3.Connection, record: RecordSource) -> dict[str, dict]:
    from medcode.store import load_crosswalk
    from medcode.store import load_pcs as pcs_releases
    out = {"ICD-10-PCS FY2024": load_pcs(conn, record)}
    for spec in S.ICD10PCS_RELEASES[1:]:
        pf = S.ICD10PCS_TABLES[spec.name]
        path = pf.locate()
        out["ICD-10-PCS " + spec.name] = pcs_releases.load_tables_release(
            conn, spec.name, spec.effective_from, spec.effective_to, path, spec.note, spec.bit)
        record(conn, pf, path, out["ICD-10-PCS " + spec.name]["billable"])
    out["ICD-9-CM v32"] = load_icd9(conn, record)
    out.update(load_crosswalk.load_embedded(conn, record))
    return out


def build_search(conn: sqlite3.Connection) -> dict[str, dict]:
    from medcode.textsearch import build_index
    return build_index(conn)
