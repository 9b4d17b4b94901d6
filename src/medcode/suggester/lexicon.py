"""The words of the code sets, ready to be found in a note.

One entry per way a code can be named: its title, its inclusion terms ("Includes" lines
under the code), the packaged coders' synonyms that expand to its title, and for ICD-10-PCS
the table-plus-body-part rows coders use when the note does not fix the approach or device.
A mention is a sentence that holds every *required* stem of an entry close together.
Built once per store (about a second) and kept for the life of the process.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

from medcode.suggester.adapter import stem, title_stems

CM, PCS = "ICD-10-CM", "ICD-10-PCS"

#: how the notes name imaging and other PCS table words (a phrase of the title -> aliases)
PCS_ALIASES = {
    "computerized tomography": ("ct", "tomography", "ct scan", "computed tomography", "tac"),
    "magnetic resonance imaging": ("mri", "magnetic resonance", "nmr"),
    "ultrasonography": ("ultrasound", "echography", "ultrasonography", "ecography", "doppler"),
    "plain radiography": ("x ray", "radiograph", "radiography", "radiology", "rx"),
    "fluoroscopy": ("fluoroscopy",),
    "nuclear medicine": ("scintigraphy", "gammagraphy", "pet"),
}
#: how the notes name what a CM title says in other words
CM_ALIASES = {
    "neoplasm": ("tumor", "tumour", "neoplasm", "mass"),
    "malignant neoplasm": ("carcinoma", "cancer", "malignant tumor", "malignancy"),
    "calculus": ("stone", "lithiasis"),
    "secondary malignant neoplasm": ("metastasis", "metastases", "metastatic"),
}
#: how a note names a Neoplasm Table column (followed by the site's words)
NEOPLASM_COLUMNS = {
    "malignant primary": ("malignant neoplasm", "carcinoma", "cancer", "malignant tumor"),
    "malignant secondary": ("metastasis", "metastases", "metastatic"),
    "in situ": ("carcinoma in situ",),
    "benign": ("benign neoplasm", "benign tumor"),
    "unspecified behavior": ("neoplasm", "tumor"),
}


@dataclass(frozen=True, slots=True)
class Entry:
    system: str
    code: str                  # stored form: E1140, S72001A, BN20 (a PCS table + body part)
    title: str
    req: tuple[str, ...]       # required stems, in title order
    source: str                # title | inclusion | synonym | table
    billable_mask: int         # releases in which the code is billable (PCS rows: node mask)


class Lexicon:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        freq = Counter(s for e in entries for s in set(e.req))
        self.by_key: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            key = min(e.req, key=lambda s: (freq[s], s))
            self.by_key.setdefault(key, []).append(i)
        self.titles: dict[tuple[str, str], str] = {}
        self.masks: dict[tuple[str, str], int] = {}
        for e in entries:
            self.masks[(e.system, e.code)] = e.billable_mask
            if e.source in ("title", "table"):
                self.titles[(e.system, e.code)] = e.title


def _variants(title: str, aliases: dict[str, tuple[str, ...]]) -> list[str]:
    low = title.lower()
    out: list[str] = []
    for phrase, alts in aliases.items():
        if phrase in low:
            out.extend(low.replace(phrase, alt) for alt in alts if alt != phrase)
    return out


_CAUSE = " as the cause of diseases classified elsewhere"


def _parts(title: str) -> list[str]:
    """Shorter ways a note names what a CM title joins or qualifies: each side of
    "Cramp and spasm", "Syncope and collapse"; the organism of "Parvovirus as the cause of
    diseases classified elsewhere"; "left breast" for "left female breast"."""
    low = title.lower().split(", initial encounter")[0]
    out: list[str] = []
    if _CAUSE in low:
        out.append(low.replace(_CAUSE, ""))
    for sex in (" female ", " male "):
        if sex in low:
            out.append(low.replace(sex, " "))
    head = low.split(",")[0]
    for joint in (" and ", " or "):
        if head.count(joint) != 1 or head.startswith("other and"):
            continue
        left, right = head.split(joint)
        lw, rw = left.split(), right.split()
        if len(lw) <= 3 and len(rw) <= 3 and "of" not in lw and "of" not in rw:
            out += [left, right]
        elif len(rw) == 1 and len(lw) >= 3 and lw[-2] in ("of", "in"):
            out += [left, " ".join(lw[:-1] + rw)]   # "abnormalities of gait and mobility"
    return out


def build(store: Any) -> Lexicon:
    conn = store.conn
    entries: list[Entry] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()

    def add(system: str, code: str, title: str, text: str, source: str, mask: int,
            pcs: bool = False) -> None:
        req, _loose = title_stems(text, pcs=pcs)
        if not req or len(req) > 8:
            return
        key = (system, code, tuple(sorted(req)))
        if key in seen:
            return
        seen.add(key)
        entries.append(Entry(system, code, title, req, source, mask))

    cm_rows = conn.execute(
        "SELECT code, title, kind, billable_mask FROM codes WHERE system = ? AND billable_mask "
        "!= 0", (CM,)).fetchall()
    billable = {}
    for code, title, kind, mask in cm_rows:
        if kind == "extension" and code[-1] not in "A0":
            continue  # one encounter per injury: the initial one; the 7th is reported open
        billable[code] = (title, mask)
        # the 7th character's words ("initial encounter for closed fracture") are not the note's
        add(CM, code, title, title.split(", initial encounter")[0], "title", mask)
        for alt in _variants(title, CM_ALIASES):
            add(CM, code, title, alt, "synonym", mask)
        for part in _parts(title):
            add(CM, code, title, part, "part", mask)
    for code, text in conn.execute(
            "SELECT code, text FROM notes WHERE system = ? AND kind = 'inclusion_terms'", (CM,)):
        if code in billable:
            title, mask = billable[code]
            add(CM, code, title, text, "inclusion", mask)
    _add_neoplasm_table(conn, billable, add)
    _add_synonyms(entries, add)
    if conn.execute("SELECT 1 FROM codes WHERE system = ? LIMIT 1", (PCS,)).fetchone():
        tables = dict(conn.execute(
            "SELECT code, title FROM codes WHERE system = ? AND kind = 'table'", (PCS,)))
        masks = dict(conn.execute(
            "SELECT substr(code, 1, 4), max(node_mask) FROM codes WHERE system = ? AND "
            "kind = 'code' GROUP BY 1", (PCS,)))
        for prefix, value, meaning in conn.execute(
                "SELECT prefix, value, meaning FROM pcs_axes WHERE position = 4 AND "
                "length(prefix) = 3"):
            table = tables.get(prefix)
            code = prefix + value
            if table is None or code not in masks:
                continue
            title = f"{table} of {meaning}"
            for text in (title, *_variants(title, PCS_ALIASES)):
                add(PCS, code, title, text, "table", masks[code], pcs=True)
    return Lexicon(entries)


def _billable_under(conn: Any, billable: dict[str, tuple[str, int]], code: str) -> str | None:
    """``code`` if billable, else its default child: the one whose title says "unspecified"
    most, then the one ending in 9, then 0 (the index prints "C50.9-": a character to add)."""
    for _ in range(4):
        if code in billable:
            return code
        kids = conn.execute("SELECT code, title FROM codes WHERE system = ? AND parent = ?",
                            (CM, code)).fetchall()
        if not kids:
            return None
        code = max(kids, key=lambda kt: (kt[1].lower().count("unspecified"), kt[0][-1] == "9",
                                         kt[0][-1] == "0", kt[0]))[0]
    return code if code in billable else None


def _add_neoplasm_table(conn: Any, billable: dict[str, tuple[str, int]], add: Any) -> None:
    """The Neoplasm Table: "liver metastases" is C78.7, "carcinoma of the renal pelvis" C65.9
    -- sites the tabular titles do not spell out."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'index_entries'").fetchone() \
            is None:
        return
    seen: dict[str, str | None] = {}
    for path, col, target in conn.execute(
            "SELECT path, col, target FROM index_entries WHERE tbl = 'neoplasm' AND target IS "
            "NOT NULL AND col IS NOT NULL ORDER BY id"):
        names = NEOPLASM_COLUMNS.get(col)
        levels = path.split(" > ")[1:]
        if not names or not levels:
            continue
        if target not in seen:
            seen[target] = _billable_under(conn, billable, target)
        code = seen[target]
        if code is None:
            continue
        title, mask = billable[code]
        site = " ".join(lv.split(",")[0].replace(" NEC", "") for lv in levels)
        for name in names:
            add(CM, code, title, f"{name} of {site}", "neoplasm", mask)


def _add_synonyms(entries: list[Entry], add: Any) -> None:
    """A packaged synonym ("htn" -> hypertension) names every code whose title it expands to."""
    from medcode.textsearch.synonyms import load
    by_req: dict[tuple[str, ...], list[Entry]] = {}
    for e in entries:
        if e.source == "title":
            by_req.setdefault(tuple(sorted(e.req)), []).append(e)
    for syn in load().values():
        for exp in syn.stems:
            for e in by_req.get(tuple(sorted(set(exp))), ()):
                add(e.system, e.code, e.title, syn.phrase, "synonym", e.billable_mask)


_cache: weakref.WeakKeyDictionary[Any, Lexicon] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def lexicon(store: Any) -> Lexicon:
    """The store's lexicon, built on first use."""
    lex = _cache.get(store)
    if lex is None:
        with _lock:
            lex = _cache.get(store)
            if lex is None:
                lex = _cache[store] = build(store)
    return lex


__all__ = ["CM", "PCS", "Entry", "Lexicon", "lexicon", "stem"]
