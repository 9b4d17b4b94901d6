"""Write ICD-10-CM releases into the store: the full FY2026 tabular plus older code lists."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from medcode.store.sources import ReleaseSpec
from medcode.systems import icd10cm, icd10cm_files

SYSTEM = icd10cm.SYSTEM


def load_tabular_release(conn: sqlite3.Connection, spec: ReleaseSpec, xml: Path,
                         code_list: Path) -> dict[str, int]:
    """The newest release: hierarchy, notes, 7th characters; validity from the code list."""
    nodes = icd10cm_files.parse_tabular(xml)
    items = icd10cm_files.read_code_list(code_list)
    listed = set(items)
    billable = icd10cm_files.billable_codes(items)
    tabular_codes = {n.code for n in nodes if n.kind not in ("chapter", "block")}
    strays = sorted(listed - tabular_codes - {i for i in listed if "-" in i or i.isdigit()}
                    - {c for c in listed if len(c) == 7})
    if strays:
        from medcode.errors import SourceError
        raise SourceError(f"{code_list}: {len(strays)} listed codes are not in the tabular "
                          f"{xml.name} (first: {icd10cm.display(strays[0])}); the two files "
                          "are not of the same release")
    bit = spec.bit
    code_rows = []
    note_rows = []
    seven_rows = []
    for n in nodes:
        is_code = n.code in billable
        kind = n.kind if not is_code else "code"
        code_rows.append((SYSTEM, n.code, n.title, kind, n.parent, n.depth,
                          bit if is_code else 0, bit))
        for key, texts in n.notes.items():
            for seq, text in enumerate(texts):
                note_rows.append((SYSTEM, n.code, key, seq, text))
        for chr_, meaning in n.seven_chr_def.items():
            seven_rows.append((SYSTEM, n.code, chr_, meaning))
    depth = {n.code: n.depth for n in nodes}
    ext_count = 0
    for code, parent, title, _chr in icd10cm_files.iter_extensions(nodes, listed):
        code_rows.append((SYSTEM, code, title, "extension", parent, depth[parent] + 1, bit, bit))
        ext_count += 1
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", code_rows)
    conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?)", note_rows)
    conn.executemany("INSERT INTO seven_chr VALUES (?,?,?,?)", seven_rows)
    _add_release(conn, spec, len(code_rows), len(billable), tabular=True)
    return {"nodes": len(code_rows), "billable": len(billable), "extensions": ext_count,
            "notes": len(note_rows), "seven_chr_def": len(seven_rows)}


def load_list_release(conn: sqlite3.Connection, spec: ReleaseSpec, path: Path) -> dict[str, int]:
    """An older release known by its billable-code list (code + title)."""
    pairs = icd10cm_files.read_titled_list(path)
    billable = icd10cm_files.billable_codes(code for code, _ in pairs)
    bit = spec.bit
    existing = {code: (title, kind, depth) for code, title, kind, depth in conn.execute(
        "SELECT code, title, kind, depth FROM codes WHERE system = ?", (SYSTEM,))}
    header_bits: set[str] = set()
    new_rows = []
    title_rows = []
    for code, title in pairs:
        if code not in billable:
            continue
        for i in range(3, len(code)):
            header_bits.add(code[:i])
        if code in existing:
            if title and title != existing[code][0]:
                title_rows.append((SYSTEM, code, spec.name, title))
            continue
        parent = _nearest_parent(code, existing)
        pdepth = existing[parent][2] if parent else 1
        new_rows.append((SYSTEM, code, title or code, "code", parent, pdepth + 1, 0, 0))
        existing[code] = (title, "code", pdepth + 1)
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", new_rows)
    conn.executemany("INSERT OR REPLACE INTO titles VALUES (?,?,?,?)", title_rows)
    conn.executemany(
        "UPDATE codes SET billable_mask = billable_mask | ?, node_mask = node_mask | ? "
        "WHERE system = ? AND code = ?", [(bit, bit, SYSTEM, c) for c in billable])
    conn.executemany("UPDATE codes SET node_mask = node_mask | ? WHERE system = ? AND code = ?",
                     [(bit, SYSTEM, c) for c in header_bits - billable])
    # chapters and blocks exist in every release
    conn.execute("UPDATE codes SET node_mask = node_mask | ? WHERE system = ? AND kind IN "
                 "('chapter', 'block')", (bit, SYSTEM))
    items = conn.execute("SELECT count(*) FROM codes WHERE system = ? AND node_mask & ?",
                         (SYSTEM, bit)).fetchone()[0]
    _add_release(conn, spec, items, len(billable), tabular=False)
    return {"billable": len(billable), "added_rows": len(new_rows), "titles": len(title_rows)}


def _nearest_parent(code: str, existing: dict[str, tuple[str, str, int]]) -> str | None:
    stem = code.rstrip("X") if len(code) == 7 else code
    for i in range(min(len(stem), len(code) - 1), 2, -1):
        if code[:i] in existing:
            return code[:i]
    return None


def _add_release(conn: sqlite3.Connection, spec: ReleaseSpec, codes: int, billable: int,
                 tabular: bool) -> None:
    conn.execute(
        "INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?)",
        (spec.system, spec.name, spec.bit, spec.effective_from.isoformat(),
         spec.effective_to.isoformat() if spec.effective_to else None, spec.note, codes,
         billable, int(tabular)))
