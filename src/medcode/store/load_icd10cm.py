"""Write ICD-10-CM releases into the store: the full FY2026 tabular plus older code lists."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from medcode.errors import SourceError
from medcode.store.sources import ReleaseSpec
from medcode.systems import icd10cm, icd10cm_files
from medcode.systems.icd10cm import display

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


# -- later releases: addenda, order files, tabular XML (embedded FY2027 and user imports) --

def _seven_chr_codes(conn: sqlite3.Connection) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for code, chr_ in conn.execute("SELECT code, chr FROM seven_chr WHERE system = ?",
                                   (SYSTEM,)):
        out.setdefault(code, set()).add(chr_)
    return out


def place_category(code: str, existing: dict) -> str | None:
    """The block a new category belongs in: the one whose range holds it, else the block of
    the category just before it."""
    blocks = sorted(c for c, r in existing.items() if r[1] == "block")
    for b in blocks:
        lo, _, hi = b.partition("-")
        if lo <= code[:3] <= hi:
            return b
    before = [c for c, r in existing.items() if r[1] == "category" and c < code]
    return existing[max(before)][2] if before else None


def billable_in(conn: sqlite3.Connection, release: str) -> dict[str, str]:
    """code -> title (of that release) of every billable code of a loaded release."""
    row = conn.execute("SELECT bit FROM releases WHERE system = ? AND name = ?",
                       (SYSTEM, release)).fetchone()
    if row is None:
        raise SourceError(f"ICD-10-CM {release} is not in the store: the addenda apply to it")
    own = dict(conn.execute("SELECT code, title FROM titles WHERE system = ? AND release = ?",
                            (SYSTEM, release)))
    return {c: own.get(c, t) for c, t in conn.execute(
        "SELECT code, title FROM codes WHERE system = ? AND billable_mask & ?",
        (SYSTEM, row[0]))}


def load_addenda_release(conn: sqlite3.Connection, name: str, start: dt.date,
                         end: dt.date | None, addenda: Path, base: str,
                         source: str, bit: int | None = None) -> dict[str, int]:
    """A release made of the official addenda applied to the ``base`` release's codes."""
    from medcode.store.release_apply import NewRelease, add_release
    add = icd10cm_files.parse_addenda(addenda)
    before = billable_in(conn, base)
    problems = [f"deleted {display(c)} is not billable in {base}" for c in add.deleted
                if c not in before]
    problems += [f"revised {display(c)} is not billable in {base}" for c in add.revised
                 if c not in before]
    problems += [f"added {display(c)} is already billable in {base}" for c in add.added
                 if c in before]
    if problems:
        raise SourceError(f"{addenda}: does not apply to ICD-10-CM {base}: "
                          + "; ".join(problems[:5])
                          + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    billable: dict[str, str | None] = {c: None for c in before if c not in add.deleted}
    for code, (_old, new) in add.revised.items():
        billable[code] = new
    billable.update(add.added)
    for key, count in add.footer.items():
        if key.startswith("codes:") and str(add.year or "") in key and count != len(billable):
            raise SourceError(f"{addenda}: its footer counts {count} codes in the new release, "
                              f"but {base} with these changes has {len(billable)}")
    rel = NewRelease(SYSTEM, name, start, end, source, billable, tabular=2, bit=bit)
    counts = add_release(conn, rel, _seven_chr_codes(conn), place_category)
    return {**counts, "added": len(add.added), "deleted": len(add.deleted),
            "revised": len(add.revised)}


def load_order_release(conn: sqlite3.Connection, name: str, start: dt.date,
                       end: dt.date | None, items: list, source: str,
                       tabular: Path | None = None) -> dict[str, int]:
    """A release from its order file (every item, headers with their titles) and, when
    given, its tabular XML (hierarchy and instructional notes of that release)."""
    from medcode.store.release_apply import NewRelease, add_release
    billable = {i.code: i.title for i in items if i.billable}
    headers = {i.code: i.title for i in items if not i.billable}
    parents: dict[str, str] = {}
    nodes = None
    if tabular is not None:
        nodes = icd10cm_files.parse_tabular(tabular)
        for n in nodes:
            if n.kind not in ("chapter", "block"):
                headers.setdefault(n.code, n.title)
                if n.parent:
                    parents[n.code] = n.parent
    if not billable:
        raise SourceError(f"ICD-10-CM {name}: the files list no billable code")
    rel = NewRelease(SYSTEM, name, start, end, source, billable, headers,
                     {c: p for c, p in parents.items() if c in billable or c in headers},
                     tabular=1 if nodes else 2)
    counts = add_release(conn, rel, _seven_chr_codes(conn), place_category)
    if nodes is not None:
        newest = conn.execute("SELECT max(effective_from) FROM releases WHERE system = ?",
                              (SYSTEM,)).fetchone()[0]
        if newest == start.isoformat():  # the newest release's notes are the ones shown
            conn.execute("DELETE FROM notes WHERE system = ?", (SYSTEM,))
            conn.execute("DELETE FROM seven_chr WHERE system = ?", (SYSTEM,))
            conn.executemany("INSERT OR IGNORE INTO notes VALUES (?,?,?,?,?)", [
                (SYSTEM, n.code, key, seq, text) for n in nodes
                for key, texts in n.notes.items() for seq, text in enumerate(texts)])
            conn.executemany("INSERT OR IGNORE INTO seven_chr VALUES (?,?,?,?)", [
                (SYSTEM, n.code, c, m) for n in nodes for c, m in n.seven_chr_def.items()])
            counts["notes_from"] = 1
    return counts
