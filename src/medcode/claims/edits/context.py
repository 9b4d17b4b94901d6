"""What the edits know: per-store facts behind bounded caches, and a per-claim view.

:class:`StoreFacts` (one per store, ``facts_for(store)``) answers per-code questions from the
store through LRU caches of fixed size, so that memory does not grow with the number of
claims checked. :class:`ClaimContext` is built for one claim, computes once what several
edits need (dates, releases, each diagnosis's status, each line's kind) and is dropped after
the claim.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from medcode.errors import InvalidCode, NoRelease
from medcode.models import Finding
from medcode.systems.icd10cm import display
from medcode.systems.normalize import clean_code

from . import data
from .registry import registry

if TYPE_CHECKING:
    from medcode._release import Release
    from medcode.claims.excludes import NoteRef
    from medcode.models import Claim, ClaimLine
    from medcode.store.db import Store

__all__ = ["ICD10_START", "ClaimContext", "Dx", "DxFact", "Ln", "StoreFacts", "facts_for"]

ICD10_START = dt.date(2015, 10, 1)
SYSTEM = "ICD-10-CM"
_MANIF = re.compile(r"\bin\b.*\bclassified elsewhere\b", re.IGNORECASE)
_CPT = re.compile(r"^(?:\d{5}|\d{4}[FTUAM])$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_CM = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_PLAIN = re.compile(r"^[A-Za-z0-9]{1,8}(?:\.[A-Za-z0-9]{0,5})?$")


@dataclass(frozen=True, slots=True)
class DxFact:
    """What the edits need to know about one node of the ICD-10-CM tabular. The note
    tuples hold the node's own notes, then its ancestors' (each pair: defining node, note);
    a node without notes of its own shares its parent's tuples (no copy)."""

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


_NO_SPAN = ("~", "")        # an empty span: nothing is >= "~" and <= ""
#: words that make a "use additional code" note conditional: it names companions to add only
#: when the condition exists, so their absence is not reported (DX-USE-ADDITIONAL)
_CONDITIONAL = ("if applicable", "where applicable", "if known", "if present", "if desired",
                "any associated", "such as")


def _conditional(notes: tuple[NoteRef, ...]) -> bool:
    return any(w in r.text.lower() for r in notes for w in _CONDITIONAL)


class StoreFacts:
    """Per-code facts of one store, behind bounded caches.

    ``size`` bounds the DxFact cache: the default holds every node of the ICD-10-CM
    tabular (98,520 for FY2026, about 35 MB when all are cached), so a long stream of
    claims with a long tail of codes does not thrash it; memory stays flat whatever the
    number of claims. Pair caches (Excludes1, use-additional) hold 65,536 pairs each."""

    def __init__(self, store: Store, size: int = 131072) -> None:
        from medcode.claims.excludes import NoteIndex
        self.store = store
        self.conn = store.conn
        # node rows and own notes are read once per DxFact miss: small caches do
        self.notes = NoteIndex(store, size=4096, preload=True)
        self.edits = registry()
        self.icd10_releases: list[Release] = store.releases(SYSTEM)
        self._billable: dict[str, frozenset[str]] = {}
        self.has_hcpcs = self._count("SELECT count(*) FROM hcpcs_code") > 0
        self.hcpcs_year = self._hcpcs_year()
        self.has_ptp = self._count("SELECT count(*) FROM ncci_ptp") > 0
        self.has_mue = self._count("SELECT count(*) FROM ncci_mue") > 0
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
        self.cpt_section = lru_cache(maxsize=8192)(self._cpt_section)
        self.mue = lru_cache(maxsize=8192)(self._mue)
        self.ptp_rows = lru_cache(maxsize=8192)(self._ptp_rows)
        self.excl1_pair = lru_cache(maxsize=65536)(self._excl1_pair)
        self.additional_met = lru_cache(maxsize=65536)(self._additional_met)
        self.lock = threading.Lock()
        self.today = dt.date.today()      # a Checker passes its own day to ClaimContext

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
        """medcode.validity's full answer for a code not billable in the release (cached
        without the date, so its messages say "in FY2026")."""
        from medcode.validity import _explain
        rel = next(r for r in self.icd10_releases if r.name == rel_name)
        return _explain(self.store, raw, code, rel, None)

    def _dx_fact(self, code: str) -> DxFact | None:
        """Built from the node's own row and notes and its parent's DxFact (cached), so a
        miss costs two queries."""
        node = self.notes.node(code)
        if node is None:
            return None
        title, parent_code, kind = node
        kind = sys.intern(kind)
        parent = self.dx_fact(parent_code) if parent_code else None
        own = self.notes.own(code)
        in_code = kind not in ("block", "chapter")
        manif = in_code and (bool(_MANIF.search(title)) or (
            parent is not None and parent.kind not in ("block", "chapter")
            and parent.manifestation))
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
        if "use_additional" in own and not _conditional(own["use_additional"]):
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
    def _cpt_section(code: str) -> tuple[str, str | None] | None:
        from medcode.systems.cpt import cpt_section
        return cpt_section(code)

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
        """Whether two of ``codes`` could form an NCCI PTP pair (column 1 and column 2)."""
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
        rows = [r for r in self.ptp_rows(codes) if r["effective"] <= day
                and (r["deletion"] is None or r["deletion"] > day)]
        prac = {(r["column1"], r["column2"]) for r in rows if r["setting"] == "practitioner"}
        return tuple(r for r in rows if r["setting"] == "practitioner"
                     or (r["column1"], r["column2"]) not in prac)

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


class Dx:
    """One diagnosis of the claim, as checked."""

    __slots__ = (
        "code",
        "extra",
        "fact",
        "icd9",
        "message",
        "pos",
        "raw",
        "release",
        "shown",
        "status",
        "suggestions",
    )

    def __init__(self, pos: int, raw: str) -> None:
        self.pos = pos                  # 1-based
        self.raw = raw
        self.code = ""                  # dotless upper case; '' when malformed
        self.shown = raw
        self.status = "valid"
        self.message = ""
        self.suggestions: tuple[str, ...] = ()
        self.fact: DxFact | None = None
        self.release: Release | None = None
        self.icd9 = False
        self.extra: dict[str, Any] = {}

    @property
    def ok(self) -> bool:
        return self.status == "valid" and self.fact is not None


class Ln:
    """One service line, as read for the edits."""

    __slots__ = ("cls", "code", "date", "kind", "line", "mods", "number")

    def __init__(self, line: ClaimLine) -> None:
        self.number = line.number
        self.line = line
        self.code, self.kind, self.cls = _line_code(line.code)
        self.mods = tuple(m.strip().lstrip("-").upper() for m in line.modifiers) \
            if line.modifiers else ()
        self.date = line.date


@lru_cache(maxsize=4096)
def _line_code(text: str) -> tuple[str, str, str | None]:
    """(code, kind, class) of a service line's code as written: kind cpt / hcpcs /
    dx-shape / other; class em / procedure / None (claims_code_classes.csv)."""
    raw = text.strip().upper()
    code = raw.replace(".", "") if "." in raw else raw
    if _CPT.match(raw):
        return code, "cpt", data.code_class(raw)
    if _HCPCS.match(raw):
        return code, "hcpcs", None
    if _CM.match(code) and ("." in raw or code[1:3].isdigit()):
        return code, "dx-shape", None
    return code, "other", None


@lru_cache(maxsize=65536)
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


class ClaimContext:
    """One claim as the edits see it."""

    def __init__(self, claim: Claim, facts: StoreFacts, today: dt.date | None = None) -> None:
        self.claim = claim
        self.facts = facts
        self.lines = [Ln(ln) for ln in claim.lines]
        self.dates: list[dt.date] = sorted({ln.date for ln in claim.lines if ln.date})
        self.dos = self.dates[0] if self.dates else None
        self.checks, self.inexact = self._release_checks()
        self.dx = [self._dx(i, raw) for i, raw in enumerate(claim.diagnoses, 1)]
        self._valid: list[Dx] | None = None
        self.today = today or facts.today

    # -- building ------------------------------------------------------------------------
    def _release_checks(self) -> tuple[list[tuple[Release | None, dt.date | None, bool]],
                                       list[tuple[Release, dt.date | None]]]:
        """(release, first date, exact) for each distinct ICD-10-CM release the line dates
        fall in (the newest when no line has a date), and (release, date) for each date no
        loaded release covers."""
        out: list[tuple[Release | None, dt.date | None, bool]] = []
        inexact: list[tuple[Release, dt.date | None]] = []
        seen: set[str | None] = set()
        days: list[dt.date | None] = list(self.dates) or [None]
        for day in days:
            rel, exact = self.facts.release_for(day)
            key = rel.name if rel is not None else None
            if rel is not None and not exact and all(r is not rel for r, _ in inexact):
                inexact.append((rel, day))
            if key not in seen:
                seen.add(key)
                out.append((rel, day, exact))
        return out, inexact

    def _dx(self, pos: int, raw: str) -> Dx:
        d = Dx(pos, raw)
        quals = self.claim.diagnosis_qualifiers
        if pos <= len(quals) and quals[pos - 1].upper() in ("BK", "BF"):
            d.icd9 = True
        d.code, d.shown, error = _dx_code(raw)
        if error:
            d.status, d.message = "malformed", error
            return d
        if d.icd9:
            d.status = "icd9"
            return d
        for rel, _day, _exact in self.checks:
            if rel is None:             # before ICD-10: an ICD-9 era date
                d.status = "before-icd10"
                return d
            d.release = rel
            if d.code in self.facts.billable(rel):
                continue
            v = self.facts.validation(raw.strip(), d.code, rel.name)
            d.status, d.message, d.suggestions, d.extra = (v.status, v.message,
                                                           v.suggestions, v.extra)
            break
        if d.status == "valid":
            d.fact = self.facts.dx_fact(d.code)
        return d

    # -- helpers for the edits -----------------------------------------------------------
    def finding(self, edit_id: str, message: str, *, line: int | None = None,
                codes: tuple[str, ...] | list[str] = (), fix: str | None = None,
                severity: str | None = None, reference: str | None = None) -> Finding:
        spec = self.facts.edits[edit_id]
        ref = reference or spec.reference
        if spec.denial and (severity or spec.severity) != "info":
            ref = f"{ref}; payers deny with {spec.denial}"
        return Finding(edit_id, severity or spec.severity, self.claim.id, line, tuple(codes),
                       message, ref, fix)

    def age(self) -> int | None:
        """Age in whole years on the first date of service (None when unknown)."""
        birth = self.claim.patient.birth_date
        if birth is None or self.dos is None or birth > self.dos:
            return None
        d = self.dos
        return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))

    def valid_dx(self) -> list[Dx]:
        """The diagnoses that are valid ICD-10-CM codes on the date (computed once)."""
        found = self._valid
        if found is None:
            found = self._valid = [d for d in self.dx if d.ok]
        return found

    def dx_label(self, d: Dx) -> str:
        return f"{d.shown} (diagnosis {d.pos})"
