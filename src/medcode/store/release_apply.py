"""Add one release of a code system to a store that already holds others.

Used by the embedded build (ICD-10-CM FY2027 from the official addenda, ICD-10-PCS FY2025 and
FY2026 from the tables XML) and by ``medcode data import icd10cm|icd10pcs`` (any later
release): the same code path, so that next October's files need no code change.

Every release gets its own bit in ``codes.billable_mask`` / ``codes.node_mask``. ``codes.title``
holds the newest release's title; the ``titles`` table keeps an older release's title where it
differs. Loaders never commit: the caller's transaction decides.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from medcode.errors import SourceError


@dataclass
class NewRelease:
    system: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    #: every billable code of the release -> its title (None: the title is unchanged)
    billable: Mapping[str, str | None]
    #: official titles of headers, when the files give them (order file, tabular XML)
    headers: Mapping[str, str] = field(default_factory=dict)
    #: parents the files state (tabular XML), code -> parent
    parents: Mapping[str, str] = field(default_factory=dict)
    tabular: int = 0           # 1 full tabular, 2 hierarchy/notes of an earlier tabular, 0 list
    bit: int | None = None     # the embedded releases keep fixed bits


def fiscal_year_period(year: int) -> tuple[dt.date, dt.date]:
    """ICD-10 fiscal year YYYY: October 1 of YYYY-1 to September 30 of YYYY."""
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


#: bits the embedded releases take (some are loaded after the later ones)
RESERVED_BITS = {"ICD-10-CM": 0b1111, "ICD-10-PCS": 0b111, "ICD-9-CM": 0b1}


def _free_bit(conn: sqlite3.Connection, system: str, name: str) -> int:
    used = {b for (b,) in conn.execute("SELECT bit FROM releases WHERE system = ?", (system,))}
    reserved = RESERVED_BITS.get(system, 0)
    used |= {1 << i for i in range(62) if reserved & (1 << i)}
    row = conn.execute("SELECT bit FROM releases WHERE system = ? AND name = ?",
                       (system, name)).fetchone()
    if row:  # the same release again: replace it in place
        return int(row[0])
    for i in range(62):
        if (1 << i) not in used:
            return 1 << i
    raise SourceError(f"{system}: too many releases in one store (62); rebuild the store")


def _drop(conn: sqlite3.Connection, system: str, name: str, bit: int) -> None:
    conn.execute("UPDATE codes SET billable_mask = billable_mask & ?, node_mask = node_mask & ? "
                 "WHERE system = ? AND node_mask & ?", (~bit, ~bit, system, bit))
    conn.execute("DELETE FROM titles WHERE system = ? AND release = ?", (system, name))
    conn.execute("DELETE FROM releases WHERE system = ? AND name = ?", (system, name))
    conn.execute("DELETE FROM codes WHERE system = ? AND node_mask = 0 AND kind NOT IN "
                 "('chapter', 'block')", (system,))


def _common_title(titles: list[str]) -> str:
    """The words every title shares at its start, cut at a comma or a word boundary."""
    if not titles:
        return ""
    if len(titles) == 1:
        head = titles[0]
        return head.rsplit(", ", 1)[0] if ", " in head else ""
    first = titles[0]
    n = 0
    while all(len(t) > n and t[n] == first[n] for t in titles):
        n += 1
    head = first[:n]
    if n < len(first):
        head = head.rsplit(",", 1)[0] if "," in head else head.rsplit(" ", 1)[0]
    return head.strip().rstrip(",").strip()


def add_release(conn: sqlite3.Connection, rel: NewRelease,
                seven_chr_codes: Mapping[str, set[str]] | None = None,
                place_category=None) -> dict[str, int]:
    """Write ``rel`` into the store. Returns counts (billable, added nodes, titles changed).

    ``seven_chr_codes``: code -> 7th characters it defines (ICD-10-CM), to tell a 7-character
    code that takes a 7th character (an extension under its 6-character stem) from one that
    is a plain code. ``place_category``: callable giving the parent of a new top-level item
    (ICD-10-CM: the block; ICD-10-PCS: the body system).
    """
    system = rel.system
    bit = rel.bit or _free_bit(conn, system, rel.name)
    _drop(conn, system, rel.name, bit)
    others = conn.execute("SELECT name, bit, effective_from, effective_to FROM releases "
                          "WHERE system = ?", (system,)).fetchall()
    newest = all(dt.date.fromisoformat(f) < rel.effective_from for _, _, f, _ in others)
    existing: dict[str, list] = {r[0]: list(r[1:]) for r in conn.execute(
        "SELECT code, title, kind, parent, depth, billable_mask, node_mask FROM codes "
        "WHERE system = ?", (system,))}
    sevens = seven_chr_codes or {}
    new_rows: dict[str, list] = {}
    titled = {c: t for c, t in rel.billable.items() if t}

    def is_extension(code: str) -> bool:
        if len(code) != 7 or system != "ICD-10-CM":
            return False
        return any(code[6] in sevens.get(code[:i], ()) for i in range(3, 7))

    def ensure(code: str) -> str:
        """Make sure header ``code`` exists; return it."""
        if code in existing or code in new_rows:
            return code
        parent = ensure(rel.parents[code]) if code in rel.parents else _parent_of(code)
        depth = _depth(parent) + 1
        title = rel.headers.get(code) or _common_title(
            sorted(t for c, t in titled.items() if c.startswith(code) and c != code))
        if not title:
            title = (f"{code} (a header the {rel.name} files imply; they give no title for "
                     "it)")
        if system == "ICD-10-CM":
            kind = "category" if len(code) == 3 else "subcategory"
        else:
            kind = {1: "section", 2: "body system"}.get(len(code), "table")
        new_rows[code] = [title, kind, parent, depth, 0, 0]
        return code

    def _depth(code: str | None) -> int:
        if code is None:
            return -1
        row = existing.get(code) or new_rows.get(code)
        return int(row[3]) if row else 0

    def _parent_of(code: str) -> str | None:
        if len(code) <= 3 or system != "ICD-10-CM":
            return place_category(code, existing) if place_category else None
        up = code[:-1]
        if system == "ICD-10-CM" and up.endswith("X") and up not in existing \
                and up not in rel.headers and up.rstrip("X") in existing:
            up = up.rstrip("X")
        return ensure(up)

    for code in sorted(rel.billable, key=lambda c: (len(c), c)):
        if code in existing:
            continue
        if code in rel.parents:
            parent: str | None = ensure(rel.parents[code])
        elif is_extension(code):
            stem = code[:6]
            parent = ensure(stem if stem in existing or stem in rel.headers
                            or stem.rstrip("X") not in existing else stem.rstrip("X"))
        else:
            parent = _parent_of(code)
        kind = "extension" if is_extension(code) else "code"
        new_rows[code] = [rel.billable[code] or code, kind, parent, _depth(parent) + 1, 0, 0]
    for code in rel.headers:
        if code not in existing and code not in new_rows and any(
                c.startswith(code) for c in rel.billable):
            ensure(code)
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)",
                     [(system, c, *row) for c, row in new_rows.items()])
    allrows = {**existing, **new_rows}

    # which nodes exist in this release: the billable codes and everything above them
    present: set[str] = set()
    for code in rel.billable:
        cur: str | None = code
        while cur is not None and cur not in present:
            present.add(cur)
            cur = allrows[cur][2] if cur in allrows else None
    if system == "ICD-10-CM":
        present |= {c for c, r in allrows.items() if r[1] in ("chapter", "block")}
    conn.executemany("UPDATE codes SET billable_mask = billable_mask | ? WHERE system = ? AND "
                     "code = ?", [(bit, system, c) for c in rel.billable])
    conn.executemany("UPDATE codes SET node_mask = node_mask | ? WHERE system = ? AND code = ?",
                     [(bit, system, c) for c in present])

    # titles: the newest release's title goes into codes.title, older ones into `titles`
    changed = 0
    official = {**{c: t for c, t in rel.headers.items() if c in present}, **titled}
    for code, title in official.items():
        old = existing.get(code)
        if old is None or old[0] == title:
            continue
        changed += 1
        if newest:
            keep = [(system, code, name, old[0]) for name, obit, _, _ in others
                    if old[5] & obit and conn.execute(
                        "SELECT 1 FROM titles WHERE system = ? AND code = ? AND release = ?",
                        (system, code, name)).fetchone() is None]
            conn.executemany("INSERT OR REPLACE INTO titles VALUES (?,?,?,?)", keep)
            conn.execute("UPDATE codes SET title = ? WHERE system = ? AND code = ?",
                         (title, system, code))
        else:
            conn.execute("INSERT OR REPLACE INTO titles VALUES (?,?,?,?)",
                         (system, code, rel.name, title))
    # a code that became a header in the newest release is shown as one
    if newest and system == "ICD-10-CM":
        became = [c for c in present if c not in rel.billable and allrows[c][1] == "code"]
        conn.executemany("UPDATE codes SET kind = ? WHERE system = ? AND code = ?",
                         [("category" if len(c) == 3 else "subcategory", system, c)
                          for c in became])
    # an earlier release that runs into this one ends the day before it starts
    for name, _obit, start, end in others:
        s = dt.date.fromisoformat(start)
        e = dt.date.fromisoformat(end) if end else None
        if s < rel.effective_from and (e is None or e >= rel.effective_from):
            conn.execute("UPDATE releases SET effective_to = ? WHERE system = ? AND name = ?",
                         ((rel.effective_from - dt.timedelta(days=1)).isoformat(), system, name))
    conn.execute("INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?)",
                 (system, rel.name, bit, rel.effective_from.isoformat(),
                  rel.effective_to.isoformat() if rel.effective_to else None, rel.source,
                  len(present), len(rel.billable), rel.tabular))
    return {"billable": len(rel.billable), "nodes": len(present), "new_nodes": len(new_rows),
            "titles_changed": changed, "bit": bit}
