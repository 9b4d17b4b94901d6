"""Per-store facts of the claim edits, behind bounded caches.

:class:`StoreFacts` (one per store, ``facts_for(store)``) answers per-code questions from the
store through LRU caches of fixed size, so that memory does not grow with the number of
claims checked: :class:`DxFact` per ICD-10-CM node, HCPCS codes and modifiers, NCCI PTP rows
per code set and MUEs, Excludes1 and use-additional answers per pair of codes.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from medcode.errors import InvalidCode, NoRelease
from medcode.store.freshness import today as _today
from medcode.systems.icd10cm import display
from medcode.systems.normalize import clean_code

from . import data
from .registry import registry

if TYPE_CHECKING:
    from medcode._release import Release
    from medcode.claims.excludes import NoteRef
    from medcode.store.db import Store

__all__ = ["ICD10_START", "DxFact", "StoreFacts", "facts_for"]

ICD10_START = dt.date(2015, 10, 1)
SYSTEM = "ICD-10-CM"
_MANIF = re.compile(r"\bin\b.*\bclassified elsewhere\b", re.IGNORECASE)


class DxFact(NamedTuple):
    """What the edits need to know about one node of the ICD-10-CM tabular. The note
    tuples hold the node's own notes, then its ancestors' (each pair: defining node, note);
    a node without notes of its own shares its parent's tuples (no copy). Immutable (a named
    tuple: about five times cheaper to make than a frozen dataclass, and one is made per
    code a batch meets)."""

    code: str
    title: str
    kind: str
    manifestation: bool                     # "in ... classified elsewhere" (own or category)
    excludes1: tuple[tuple[str, NoteRef], ...]
    excl_span: tuple[str, str]              # lowest and highest category those notes name
    code_first: tuple[tuple[str, NoteRef], ...]
    first_patterns: tuple[Any, ...]         # every pattern of the code-first notes
    first_exhaustive: bool                  # the code-first notes list codes, no "such as"
    first_texts: tuple[str, ...]
    additional: tuple[tuple[str, tuple[Any, ...], tuple[str, ...]], ...]  # per defining node
    additional_span: tuple[str, str]        # lowest and highest category those notes name
    sex: tuple[str, str] | None             # (F|M, basis)
    age: tuple[str, str] | None             # (newborn|maternity, basis)


_CM = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_PLAIN = re.compile(r"^[A-Za-z0-9]{1,8}(?:\.[A-Za-z0-9]{0,5})?$")


@lru_cache(maxsize=32768)
def _dx_code(raw: str) -> tuple[str, str, str]:
    """(dotless code, display form, error) of a diagnosis as written; error '' when it is
    a code at all."""
    quick = raw.strip()
    if _PLAIN.match(quick):
        code = quick.upper().replace(".", "")
    else:
        try:
            code = clean_code(raw)
        except InvalidCode as exc:
            return "", raw, str(exc)
    return code, display(code) if _CM.match(code) else code, ""


_NO_SPAN = ("~", "")        # an empty span: nothing is >= "~" and <= ""
_NO_NOTES: dict[str, Any] = {}
_OUTSIDE = ("block", "chapter")


def _manifestation_title(title: str) -> bool:
    """Whether a title reads "in ... classified elsewhere" (``_MANIF``); an ASCII title
    without the words "classified elsewhere" (any case) is settled without the pattern."""
    if title.isascii() and "classified elsewhere" not in title.lower():
        return False
    return bool(_MANIF.search(title))


def _conditional(code: str) -> bool:
    """Whether the "use additional code" note of ``code`` only applies in some cases: it is
    not in the catalog of notes DX-USE-ADDITIONAL reports (medcode/data/
    claims_use_additional.csv, generated with the phrases of claims_use_additional_words.csv)."""
    return code not in data.use_additional_nodes()


class StoreFacts:
    """Per-code facts of one store, behind bounded caches.

    ``size`` bounds the DxFact cache: the default holds every node of the ICD-10-CM
    tabular (98,520 for FY2026, about 35 MB when all are cached), so a long stream of
    claims with a long tail of codes does not thrash it; memory stays flat whatever the
    number of claims. Pair caches (Excludes1, use-additional) hold 32,768 pairs each."""

    def __init__(self, store: Store, size: int = 131072) -> None:
        from medcode.claims.excludes import NoteIndex
        self.store = store
        self.conn = store.conn
        # node rows and own notes are read once per DxFact miss: small caches do
        self.notes = NoteIndex(store, size=4096, preload=True)
        self.edits = registry()
        self.icd10_releases: list[Release] = store.releases(SYSTEM)
        self._billable: dict[str, frozenset[str]] = {}
        self._billable_dx: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._billable_dx_max = 65536
        #: ClaimContext's memo of the releases of a set of dates (bounded: cleared when full)
        self.releases_memo: dict[tuple[dt.date, ...], Any] = {}
        self._preloaded = False
        self._ptp_cand: dict[tuple[str, ...], bool] = {}
        self._ptp_steady: dict[tuple[str, ...], Any] = {}
        #: ``dx_bits`` per valid code (bounded by the ICD-10-CM codes)
        self._dx_bits: dict[str, int] = {}
        #: ClaimContext's Dx of a diagnosis billable on the claim's releases, per (place,
        #: diagnosis as written, releases): bounded, cleared when full
        self.dx_memo: dict[tuple[int, str, tuple[str, ...]], Any] = {}
        #: answers the edits remember (``remember``), bounded: cleared when full
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.has_hcpcs = self._count("SELECT count(*) FROM hcpcs_code") > 0
        self.hcpcs_year = self._hcpcs_year()
        self.has_ptp = self._count("SELECT count(*) FROM ncci_ptp") > 0
        self.has_mue = self._count("SELECT count(*) FROM ncci_mue") > 0
        from medcode.systems.ncci import mue_period, ptp_period
        # the quarters the loaded NCCI files were published for (NCCI-RELEASE)
        self.ptp_period = ptp_period(self.conn) if self.has_ptp else None
        self.mue_period = mue_period(self.conn) if self.has_mue else None
        #: the dates of service no NCCI-RELEASE finding can be about: from the first day of
        #: the MUEs loaded to the last day of the PTP edits and of the MUEs loaded
        self.ncci_span = (self.mue_period[0] if self.mue_period else dt.date.min,
                          min([p[1] for p in (self.ptp_period, self.mue_period) if p],
                              default=dt.date.max))
        # the codes the NCCI files name (bounded by the data, read once): a claim whose
        # codes are not among them needs no query
        self._ptp_col1: frozenset[str] | None = None
        self._ptp_col2: frozenset[str] | None = None
        self._mue_codes: frozenset[str] | None = None
        self.has_cpt = self._count("SELECT count(*) FROM codes WHERE system = 'CPT'") > 0
        self.has_icd9 = bool(store.releases("ICD-9-CM"))
        self.dx_fact = lru_cache(maxsize=size)(self._dx_fact)
        self.validation = lru_cache(maxsize=4096)(self._validation)
        self.release_for = lru_cache(maxsize=4096)(self._release_for)
        self.hcpcs = lru_cache(maxsize=8192)(self._hcpcs)
        self.hcpcs_mod = lru_cache(maxsize=2048)(self._hcpcs_mod)
        self.cpt_known = lru_cache(maxsize=8192)(self._cpt_known)
        self.cpt_range = lru_cache(maxsize=8192)(self._cpt_range)
        self.mue = lru_cache(maxsize=8192)(self._mue)
        self.ptp_rows = lru_cache(maxsize=8192)(self._ptp_rows)
        self.excl1_pair = lru_cache(maxsize=32768)(self._excl1_pair)
        self.additional_met = lru_cache(maxsize=32768)(self._additional_met)
        self.lock = threading.Lock()
        self.today = _today()      # a Checker passes its own day to ClaimContext

    def remember(self, key: tuple[Any, ...], value: Any) -> Any:
        """Keep ``value`` in ``memo`` under ``key`` (the memo is emptied when it holds 65,536
        answers, so memory stays flat) and return it."""
        if len(self.memo) >= 65536:
            self.memo.clear()
        self.memo[key] = value
        return value

    def preload(self) -> None:
        """Read the (title, parent, kind) of every ICD-10-CM tabular node at once (98,762
        rows for the bundled releases, about 20 MB, bounded by the data) instead of one query
        per node met: worth it for a batch of many claims, whose long tail of codes would
        otherwise cost a query each, in each worker process. Answers do not change."""
        if self._preloaded:
            return
        rows = {code: (title, parent, kind) for code, title, parent, kind in self.conn.execute(
            "SELECT code, title, parent, kind FROM codes WHERE system = ?", (SYSTEM,))}
        self.notes.node = rows.get          # type: ignore[method-assign]
        self._preloaded = True

    def _count(self, sql: str) -> int:
        try:
            return int(self.conn.execute(sql).fetchone()[0])
        except Exception:       # noqa: BLE001 - table absent in an older store
            return 0

    def _hcpcs_year(self) -> int | None:
        if not self.has_hcpcs:
            return None
        try:
            row = self.conn.execute("SELECT value FROM hcpcs_source WHERE key = 'year'"
                                    ).fetchone()
            return int(str(row[0])[:4]) if row else None
        except Exception:       # noqa: BLE001
            return None

    # -- ICD-10-CM -------------------------------------------------------------------------
    def billable(self, rel: Release) -> frozenset[str]:
        found = self._billable.get(rel.name)
        if found is None:
            found = self._billable[rel.name] = self.store.billable_set(SYSTEM, rel)
        return found

    def billable_dx(self, raw: str, key: tuple[str, ...], rels: list[Release]
                    ) -> tuple[str, str, DxFact | None] | None:
        """(code, display form, DxFact) of a diagnosis as written that is a well-formed code
        billable in every release of ``rels`` (``key``: their names); None otherwise.
        Remembered (a bounded memo): claims repeat their diagnoses."""
        memo = (raw, key)
        found = self._billable_dx.get(memo, False)
        if found is False:
            code, shown, error = _dx_code(raw)
            found = None
            if not error:
                billable = self.billable
                for rel in rels:
                    if code not in billable(rel):
                        break
                else:
                    found = (code, shown, self.dx_fact(code))
            if len(self._billable_dx) >= self._billable_dx_max:
                self._billable_dx.clear()
            self._billable_dx[memo] = found
        return found

    def dx_bits(self, code: str, fact: DxFact) -> int:
        """The edits ``code`` (a valid diagnosis, ``fact`` its DxFact) may need, as the
        ``context.NO_*`` bits: 2 MCE age list, 4 MCE sex list, 8 a code-first note,
        16 a use-additional note."""
        found = self._dx_bits.get(code)
        if found is None:
            found = ((2 if code in data.mce_codes("age") else 0)
                     | (4 if code in data.mce_codes("sex") else 0)
                     | (8 if fact.code_first else 0) | (16 if fact.additional else 0))
            self._dx_bits[code] = found
        return found

    def _release_for(self, day: dt.date | None) -> tuple[Release | None, bool]:
        """(release, exact): the ICD-10-CM release in force on ``day``; else the nearest
        loaded one with exact False; (None, True) before ICD-10 (2015-10-01)."""
        rels = self.icd10_releases
        if not rels:
            return None, False
        if day is None:
            return rels[-1], False
        if day < ICD10_START:
            return None, True
        try:
            return self.store.resolve(SYSTEM, on=day), True
        except NoRelease:
            return (rels[0] if day < rels[0].effective_from else rels[-1]), False

    def _validation(self, raw: str, code: str, rel_name: str) -> Any:
        """medcode.codes.validity's full answer for a code not billable in the release (cached
        without the date, so its messages say "in FY2026")."""
        from medcode.codes.validity import _explain
        rel = next(r for r in self.icd10_releases if r.name == rel_name)
        return _explain(self.store, raw, code, rel, None)

    def _dx_fact(self, code: str) -> DxFact | None:
        """Built from the node's own row and notes and its parent's DxFact (cached), so a
        miss costs two queries."""
        index = self.notes
        node = index.node(code)
        if node is None:
            return None
        title, parent_code, kind = node
        kind = sys.intern(kind)
        parent = self.dx_fact(parent_code) if parent_code else None
        own = index.own(code) if index.may_have_notes(code) else _NO_NOTES
        in_code = kind not in _OUTSIDE
        in_category = parent is not None and parent.kind not in _OUTSIDE
        manif = in_code and ((in_category and parent.manifestation)  # type: ignore[union-attr]
                             or _manifestation_title(title))
        if not own and in_category:
            # no notes of its own under a category or code (most codes): the parent's note
            # tuples, and the age and sex answers of its own rows or its parent's
            table = data.age_sex().codes
            return DxFact(code, title, kind, manif, parent.excludes1,  # type: ignore[union-attr]
                          parent.excl_span, parent.code_first,  # type: ignore[union-attr]
                          parent.first_patterns, parent.first_exhaustive,  # type: ignore
                          parent.first_texts, parent.additional,  # type: ignore[union-attr]
                          parent.additional_span,  # type: ignore[union-attr]
                          (table.get((code, "sex")) or parent.sex) if in_code  # type: ignore
                          else None,
                          (table.get((code, "age")) or parent.age) if in_code  # type: ignore
                          else None)
        excl = parent.excludes1 if parent else ()
        span = parent.excl_span if parent else _NO_SPAN
        if "excludes1" in own:
            mine = own["excludes1"]
            excl = tuple((code, r) for r in mine) + excl
            los = [p.lo[:3] for r in mine for p in r.patterns]
            his = [p.hi[:3] for r in mine for p in r.patterns]
            if los:
                span = (min(span[0], *los), max(span[1], *his))
        if "code_first" in own or parent is None:
            first = tuple((code, r) for r in own.get("code_first", ())) + (
                parent.code_first if parent else ())
            patterns = tuple(p for _, r in first for p in r.patterns)
            exhaustive = bool(patterns) and not any(
                not r.patterns or "such as" in r.text.lower() or "e.g." in r.text.lower()
                for _, r in first)
            texts = tuple(r.text for _, r in first)
        else:
            first, patterns = parent.code_first, parent.first_patterns
            exhaustive, texts = parent.first_exhaustive, parent.first_texts
        additional = parent.additional if parent else ()
        add_span = parent.additional_span if parent else _NO_SPAN
        if "use_additional" in own and not _conditional(code):
            notes = own["use_additional"]
            pats = tuple(p for r in notes for p in r.patterns)
            additional = ((code, pats, tuple(r.text for r in notes)),) + additional
            if pats:
                add_span = (min(add_span[0], *(p.lo[:3] for p in pats)),
                            max(add_span[1], *(p.hi[:3] for p in pats)))
        if not in_code:
            sex = age = None
        elif parent is not None and parent.kind not in ("block", "chapter"):
            # the lists are prefixes: a code has its own row or its parent's answer
            table = data.age_sex().codes
            sex = table.get((code, "sex")) or parent.sex
            age = table.get((code, "age")) or parent.age
        else:
            sex, age = data.lookup_age_sex(code, "sex"), data.lookup_age_sex(code, "age")
        return DxFact(code, title, kind, manif, excl, span, first, patterns, exhaustive,
                      texts, additional, add_span, sex, age)

    # -- procedures ------------------------------------------------------------------------
    def _hcpcs(self, code: str, on: dt.date | None) -> dict[str, Any] | None:
        from medcode.systems.hcpcs import hcpcs_get
        return hcpcs_get(self.conn, code, on)

    def _hcpcs_mod(self, mod: str, on: dt.date | None) -> dict[str, Any] | None:
        from medcode.systems.hcpcs import hcpcs_modifier
        return hcpcs_modifier(self.conn, mod, on) if self.has_hcpcs else None

    @staticmethod
    def _cpt_range(code: str) -> Any:
        """The CPT section range of a Category I code (with its dates), or None."""
        from medcode.systems.cpt import section_range
        return section_range(code)

    def icd9_known(self, shown: str) -> bool:
        """Whether ``shown`` (ICD-9-CM display form, 250.00) is a v32 diagnosis code."""
        return self._icd9_known(shown)

    @lru_cache(maxsize=8192)  # noqa: B019 - one StoreFacts per store, kept for its life
    def _icd9_known(self, shown: str) -> bool:
        return self.conn.execute("SELECT 1 FROM codes WHERE system = 'ICD-9-CM' AND code = ? "
                                 "AND kind = 'diagnosis'", (shown,)).fetchone() is not None

    def _cpt_known(self, code: str) -> bool:
        return self.conn.execute("SELECT 1 FROM codes WHERE system = 'CPT' AND code = ?",
                                 (code,)).fetchone() is not None

    def ptp_candidates(self, codes: tuple[str, ...]) -> bool:
        """Whether two of ``codes`` could form an NCCI PTP pair (column 1 and column 2).
        Remembered per code set (a bounded memo)."""
        found = self._ptp_cand.get(codes)
        if found is None:
            found = self._ptp_candidates(codes)
            if len(self._ptp_cand) >= 65536:
                self._ptp_cand.clear()
            self._ptp_cand[codes] = found
        return found

    def _ptp_candidates(self, codes: tuple[str, ...]) -> bool:
        if self._ptp_col1 is None:
            with self.lock:
                self._ptp_col2 = frozenset(c for (c,) in self.conn.execute(
                    "SELECT DISTINCT column2 FROM ncci_ptp"))
                self._ptp_col1 = frozenset(c for (c,) in self.conn.execute(
                    "SELECT DISTINCT column1 FROM ncci_ptp"))
        ones = {c for c in codes if c in self._ptp_col1}
        twos = {c for c in codes if c in self._ptp_col2}  # type: ignore[operator]
        return bool(ones) and bool(twos) and len(ones | twos) > 1

    def has_mue_for(self, code: str) -> bool:
        if self._mue_codes is None:
            with self.lock:
                self._mue_codes = frozenset(c for (c,) in self.conn.execute(
                    "SELECT DISTINCT code FROM ncci_mue"))
        return code in self._mue_codes

    def _excl1_pair(self, a: str, b: str) -> tuple[str, NoteRef] | None:
        """(node, note) of the Excludes1 note of ``a`` (own or inherited) naming ``b``."""
        fact = self.dx_fact(a)
        if fact is None:
            return None
        title = self.notes.title
        for node, ref in fact.excludes1:
            for p in ref.patterns:
                if p.matches(b, title) and not p.in_range(a):
                    return node, ref
        return None

    def _additional_met(self, a: str, b: str) -> frozenset[str]:
        """The defining nodes of ``a``'s "use additional code" notes that ``b`` satisfies."""
        fact = self.dx_fact(a)
        if fact is None:
            return frozenset()
        title = self.notes.title
        return frozenset(node for node, pats, _ in fact.additional
                         if any(p.matches(b, title) for p in pats))

    def _mue(self, code: str, on: dt.date) -> dict[str, Any] | None:
        from medcode.systems.ncci import mue_get
        return mue_get(self.conn, code, on, "practitioner") or mue_get(self.conn, code, on)

    def ptp(self, codes: tuple[str, ...], on: dt.date) -> tuple[dict[str, Any], ...]:
        """The NCCI PTP edits active on ``on`` between two of ``codes`` (sorted, distinct):
        the rule of ``medcode.systems.ncci.ptp_for_codes`` (effective <= date < deletion),
        applied to rows cached per code set whatever the date. A practitioner edit wins
        over an outpatient one for the same pair."""
        day = on.isoformat()
        steady = self._ptp_steady.get(codes)
        if steady is None:
            steady = self._steady(codes)
        if steady[0] is not None and day >= steady[0]:
            return steady[1]            # every edit of the set in force that day
        rows = [r for r in self.ptp_rows(codes) if r["effective"] <= day
                and (r["deletion"] is None or r["deletion"] > day)]
        return _preferred(rows)

    def _steady(self, codes: tuple[str, ...]) -> tuple[str | None, tuple[dict[str, Any], ...]]:
        """(day, answer): when no PTP edit of ``codes`` has a deletion date, the answer of
        ``ptp`` for every date from the day the last one took effect; (None, ()) otherwise.
        Remembered per code set (a bounded memo)."""
        rows = self.ptp_rows(codes)
        if any(r["deletion"] is not None for r in rows):
            found: tuple[str | None, tuple[dict[str, Any], ...]] = (None, ())
        else:
            found = (max((r["effective"] for r in rows), default=""), _preferred(list(rows)))
        if len(self._ptp_steady) >= 8192:
            self._ptp_steady.clear()
        self._ptp_steady[codes] = found
        return found

    def _ptp_rows(self, codes: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
        marks = ", ".join("?" * len(codes))
        cols = ("column1", "column2", "setting", "effective", "deletion",
                "modifier_indicator", "rationale")
        sql = (f"SELECT {', '.join(cols)} FROM ncci_ptp WHERE column1 IN ({marks}) "
               f"AND column2 IN ({marks})")
        found = tuple(dict(zip(cols, r, strict=True))
                      for r in self.conn.execute(sql, (*codes, *codes)))
        if found:
            version = self.conn.execute("SELECT value FROM ncci_ptp_source WHERE key = "
                                        "'version'").fetchone()
            for r in found:
                r["version"] = version[0] if version else None
        return found


def _preferred(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The PTP rows in force, a practitioner edit winning over an outpatient one for the
    same pair."""
    prac = {(r["column1"], r["column2"]) for r in rows if r["setting"] == "practitioner"}
    return tuple(r for r in rows if r["setting"] == "practitioner"
                 or (r["column1"], r["column2"]) not in prac)


_FACTS: dict[int, StoreFacts] = {}
_FACTS_LOCK = threading.Lock()
_MAX_STORES = 8


def facts_for(store: Store) -> StoreFacts:
    """The shared StoreFacts of ``store``, made on first use (at most a few stores are
    remembered: the oldest is dropped)."""
    with _FACTS_LOCK:
        found = _FACTS.get(id(store))
        if found is None or found.store is not store:
            if len(_FACTS) >= _MAX_STORES:
                _FACTS.pop(next(iter(_FACTS)))
            found = _FACTS[id(store)] = StoreFacts(store)
        return found
