"""User imports: official files that no package carries (HCPCS, NCCI, the user's CPT licence).

An import is applied to a copy of the store, which then atomically replaces the store: a
broken file is refused and the store stays as it was. Each imported file is kept under
``<home>/imports/`` with a manifest, so a later ``medcode data build`` re-applies it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcode.errors import SourceError, StoreError
from medcode.store.sources import sha256_of


@dataclass(frozen=True)
class ImportKind:
    name: str
    module: str
    loader: str
    what: str

    def load(self) -> Callable[[sqlite3.Connection, list[Path]], dict[str, Any]]:
        return getattr(importlib.import_module(self.module), self.loader)


KINDS: dict[str, ImportKind] = {k.name: k for k in (
    ImportKind("hcpcs", "medcode.store.load_procedures", "load_hcpcs",
               "CMS Alpha-Numeric HCPCS file (zip, TXT, XLSX/XLS or CSV)"),
    ImportKind("ncci-ptp", "medcode.store.load_procedures", "load_ptp",
               "CMS NCCI procedure-to-procedure edit file (tab-delimited, or the zip)"),
    ImportKind("mue", "medcode.store.load_procedures", "load_mue",
               "CMS NCCI medically unlikely edits file (CSV)"),
    ImportKind("cpt", "medcode.store.load_procedures", "load_cpt",
               "your licensed AMA CPT descriptor file (tab- or comma-delimited)"),
    ImportKind("icd11", "medcode.store.load_crosswalk", "import_icd11",
               "WHO ICD-11 MMS SimpleTabulation (zip or txt), optionally with WHO's "
               "10To11/11To10 mapping tables"),
    ImportKind("gem", "medcode.store.load_crosswalk", "import_gem",
               "CMS General Equivalence Mappings (GEM text files or CSV with flags)"),
)}


def _manifest_path(imports_dir: Path) -> Path:
    return imports_dir / "manifest.json"


def read_manifest(imports_dir: Path) -> list[dict[str, Any]]:
    path = _manifest_path(imports_dir)
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path} is unreadable ({exc}); remove it and import again") from exc


def _write_manifest(imports_dir: Path, entries: list[dict[str, Any]]) -> None:
    path = _manifest_path(imports_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def apply(conn: sqlite3.Connection, kind: str, paths: list[Path], origin: str) -> dict[str, Any]:
    """Load the files of ``kind`` into an open, writable store connection."""
    spec = KINDS.get(kind)
    if spec is None:
        raise SourceError(f"unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}")
    counts = spec.load()(conn, paths)
    conn.execute("DELETE FROM sources WHERE kind = ?", (kind,))
    rows = sum(v for v in counts.values() if isinstance(v, int))
    for path in paths:
        conn.execute("INSERT INTO sources VALUES (?,?,?,?,?,?)",
                     (kind, path.name, sha256_of(path), f"{origin} {path}",
                      str(counts.get("release", "")), rows))
    return counts


def import_files(store_path: Path, kind: str, srcs: list[Path]) -> dict[str, Any]:
    """Import ``srcs`` (one or more files of one kind) into the store (copy, load, swap)."""
    srcs = [Path(s) for s in srcs]
    if kind not in KINDS:
        raise SourceError(f"unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}")
    for src in srcs:
        if not src.is_file():
            raise SourceError(f"{src}: no such file")
    if not store_path.exists():
        raise StoreError(f"no store at {store_path}; run `medcode data build` first")
    imports_dir = store_path.parent / "imports"
    tmp = store_path.with_name(f".{store_path.name}.{os.getpid()}.import")
    shutil.copyfile(store_path, tmp)
    try:
        conn = sqlite3.connect(tmp)
        try:
            with conn:
                counts = apply(conn, kind, srcs, "import")
                from medcode.textsearch import build_index
                build_index(conn)
        finally:
            conn.close()
        kept_dir = imports_dir / kind
        if kept_dir.exists():
            shutil.rmtree(kept_dir)
        kept_dir.mkdir(parents=True)
        kept = []
        for src in srcs:
            target = kept_dir / src.name
            shutil.copyfile(src, target)
            kept.append(target)
        os.replace(tmp, store_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    entries = [e for e in read_manifest(imports_dir) if e["kind"] != kind]
    entries.append({"kind": kind, "files": [str(k) for k in kept],
                    "sha256": [sha256_of(k) for k in kept],
                    "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "counts": counts})
    _write_manifest(imports_dir, entries)
    return counts


def reapply_all(conn: sqlite3.Connection, imports_dir: Path) -> dict[str, dict[str, Any]]:
    """During a full build: load every kept import again."""
    out: dict[str, dict[str, Any]] = {}
    for entry in read_manifest(imports_dir):
        paths = [Path(p) for p in entry["files"]]
        for path in paths:
            if not path.is_file():
                raise SourceError(f"imported file {path} is gone; import it again or remove "
                                  f"it from {_manifest_path(imports_dir)}")
        out["import " + entry["kind"]] = apply(conn, entry["kind"], paths, "import")
    return out
