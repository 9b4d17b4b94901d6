"""Compile the store from its sources: written to a temp file, then atomically swapped in.

A failed or interrupted build never leaves a half store: the previous file keeps serving.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from medcode import __version__
from medcode.errors import MedcodeError, StoreError
from medcode.store import sources as S
from medcode.store.schema import CORE_SQL, SCHEMA_VERSION

Progress = Callable[[str, float], None]


def _quiet(step: str, fraction: float) -> None:  # default progress: say nothing
    return None


def build_store(path: Path, progress: Progress = _quiet, imports_dir: Path | None = None) -> dict:
    """Build the store at ``path`` from the embedded sources (and re-apply user imports).

    Returns the build summary (also stored in ``meta``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    started = time.perf_counter()
    try:
        if tmp.exists():
            tmp.unlink()
        conn = sqlite3.connect(tmp)
        try:
            summary = _fill(conn, progress, imports_dir)
            summary["build_seconds"] = round(time.perf_counter() - started, 2)
            _put_meta(conn, "build", summary)
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    progress("done", 1.0)
    return summary


def _fill(conn: sqlite3.Connection, progress: Progress, imports_dir: Path | None) -> dict:
    from medcode.store import load_icd10cm, load_others

    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(CORE_SQL)
    for extra_sql in load_others.extra_schemas():
        conn.executescript(extra_sql)
    counts: dict[str, dict] = {}

    progress("ICD-10-CM FY2026 tabular", 0.05)
    xml = S.ICD10CM_TABULAR.locate()
    newest = S.ICD10CM_RELEASES[-2]  # FY2026: the tabular; FY2027 is its addenda
    lst = S.ICD10CM_LISTS[newest.name].locate()
    counts["ICD-10-CM " + newest.name] = load_icd10cm.load_tabular_release(conn, newest, xml, lst)
    _record_source(conn, S.ICD10CM_TABULAR, xml, None)
    _record_source(conn, S.ICD10CM_LISTS[newest.name], lst,
                   counts["ICD-10-CM " + newest.name]["billable"])
    progress("ICD-10-CM FY2027 addenda", 0.3)
    fy27 = S.ICD10CM_RELEASES[-1]
    addenda = S.ICD10CM_ADDENDA_2027.locate()
    counts["ICD-10-CM " + fy27.name] = load_icd10cm.load_addenda_release(
        conn, fy27.name, fy27.effective_from, fy27.effective_to, addenda, newest.name,
        fy27.note, bit=fy27.bit)
    _record_source(conn, S.ICD10CM_ADDENDA_2027, addenda,
                   counts["ICD-10-CM " + fy27.name]["billable"])
    _put_meta(conn, "notes_from", {f"{k[0]} {k[1]}": v for k, v in S.NOTES_FROM.items()})
    for i, spec in enumerate(reversed(S.ICD10CM_RELEASES[:-2])):
        progress(f"ICD-10-CM {spec.name}", 0.35 + 0.05 * i)
        src = S.ICD10CM_LISTS[spec.name]
        f = src.locate()
        counts["ICD-10-CM " + spec.name] = load_icd10cm.load_list_release(conn, spec, f)
        _record_source(conn, src, f, counts["ICD-10-CM " + spec.name]["billable"])

    progress("ICD-10-PCS, ICD-9-CM", 0.5)
    counts.update(load_others.load_embedded(conn, _record_source))

    if imports_dir is not None:
        progress("user imports", 0.7)
        from medcode.store import imports
        counts.update(imports.reapply_all(conn, imports_dir))

    progress("search index", 0.8)
    counts.update(load_others.build_search(conn))

    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
        ("schema_version", json.dumps(SCHEMA_VERSION)),
        ("medcode_version", json.dumps(__version__)),
        ("built_at", json.dumps(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))),
    ])
    return {"counts": counts}


def _record_source(conn: sqlite3.Connection, pf: S.PackageFile, path: Path,
                   rows: int | None) -> None:
    conn.execute("INSERT INTO sources VALUES (?,?,?,?,?,?)",
                 (pf.kind, pf.path.rsplit("/", 1)[-1], S.sha256_of(path), pf.origin, pf.release,
                  rows))


def _put_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))


def safe_build(path: Path, progress: Progress = _quiet, imports_dir: Path | None = None) -> dict:
    """build_store, with unexpected failures reported as StoreError (the old store stays)."""
    try:
        return build_store(path, progress, imports_dir)
    except MedcodeError:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"building the store at {path} failed: {exc}; "
                         "the previous store (if any) is unchanged") from exc
