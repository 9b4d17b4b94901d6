"""What the edits see of one claim: :class:`ClaimContext`, built for one claim, computes
once what several edits need (dates, releases, each diagnosis's status, each line's kind)
from the per-store facts (:mod:`.facts`) and is dropped after the claim.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from medcode.models import Finding

from . import data
from .facts import _CM, ICD10_START, DxFact, StoreFacts, _dx_code, facts_for

if TYPE_CHECKING:
    from medcode._release import Release
    from medcode.models import Claim, ClaimLine

__all__ = ["ICD10_START", "IDLE_WHEN", "ClaimContext", "Dx", "DxFact", "Ln", "StoreFacts",
           "facts_for"]

#: ``ClaimContext.idle`` bits: what a claim lacks, so that some edits cannot find anything
#: on it and the engine does not run them (answers do not change).
#: PLAIN: every diagnosis valid on the date (no ICD-9-CM), every checked line CPT, HCPCS or
#: PCS, no line of another system, every date after ICD-10 began and in a loaded release.
PLAIN = 1
NO_AGE = 2          # no valid diagnosis in the MCE age lists
NO_SEX = 4          # no valid diagnosis in the MCE sex lists
NO_CODE_FIRST = 8   # no valid diagnosis with a "code first" note (own or inherited)
NO_ADDITIONAL = 16  # no valid diagnosis with a "use additional code" note that counts
IN_NCCI = 32        # no date of service outside the quarters of the NCCI files loaded
#: every line dated 1900-01-01 to today, a positive number of units, a charge that is absent
#: or not negative, nothing kept as given because it did not read (LINE-DATE, LINE-UNITS,
#: LINE-CHARGE have nothing to say)
LINES_OK = 64
#: every line points to 1 to 4 distinct listed diagnoses, each pointer read (PTR-MISSING,
#: PTR-RANGE)
PTRS_OK = 128
#: every diagnosis (the first 12) has a line pointing to it (PTR-UNUSED)
ALL_POINTED = 256
#: every line's modifiers well formed (at most 4, 2 letters or digits, none twice) and no
#: 59 (MOD-FORMAT, MOD-59X)
MODS_OK = 512
#: at most 12 diagnoses, no code twice, a first diagnosis that is neither an external
#: cause (V00-Y99), nor B95-B97, nor a manifestation, and no Z code after the first
#: (DX-DUP, DX-MAX, DX-EXTCAUSE-FIRST, DX-SUPPLEMENTARY-FIRST, DX-MANIF-FIRST,
#: DX-Z-FIRST-ONLY)
DX_LIST_OK = 1024
#: no claim-level extra field (CLAIM-TOTAL: no total charge to compare)
NO_TOTAL = 2048
#: the patient's sex F, M, U or absent, nothing kept as given, and a birth date absent or
#: not after today, the first date of service or 124 calendar years before it (DEMO)
DEMO_OK = 4096
_SEX_OK = ("F", "M", "U", None)
_BY_CODE = NO_AGE | NO_SEX | NO_CODE_FIRST | NO_ADDITIONAL

#: the edits that return no finding on a claim with one of these bits (each edit's first
#: test: see its code)
IDLE_WHEN = {"SYS-MIXUP": PLAIN, "DX-FORMAT": PLAIN, "DX-INVALID": PLAIN, "DX-HEADER": PLAIN,
             "DX-7TH": PLAIN, "DX-RELEASE": PLAIN, "DX-ICD9-AFTER-2015": PLAIN,
             "PX-FORMAT": PLAIN, "PX-OTHER-SYSTEM": PLAIN, "DX-AGE": NO_AGE,
             "DX-SEX": NO_SEX, "DX-ETIOLOGY": NO_CODE_FIRST,
             "DX-USE-ADDITIONAL": NO_ADDITIONAL, "NCCI-RELEASE": IN_NCCI,
             "LINE-DATE": LINES_OK, "LINE-UNITS": LINES_OK, "LINE-CHARGE": LINES_OK,
             "PTR-MISSING": PTRS_OK, "PTR-RANGE": PTRS_OK, "PTR-UNUSED": ALL_POINTED,
             "MOD-FORMAT": MODS_OK, "MOD-59X": MODS_OK,
             "DX-DUP": DX_LIST_OK, "DX-MAX": DX_LIST_OK, "DX-EXTCAUSE-FIRST": DX_LIST_OK,
             "DX-SUPPLEMENTARY-FIRST": DX_LIST_OK, "DX-MANIF-FIRST": DX_LIST_OK,
             "DX-Z-FIRST-ONLY": DX_LIST_OK, "CLAIM-TOTAL": NO_TOTAL, "DEMO": DEMO_OK}
#: ``Dx.lst`` bits: 1 the code may not be listed first (an external cause V00-Y99, B95-B97,
#: a valid manifestation code), 2 a Z code (may not be listed after the first, for some)
_NOT_FIRST, _Z = 1, 2
_EXTERNAL = ("V", "W", "X", "Y")
_SUPPLEMENTARY = ("B95", "B96", "B97")
_CHECKED_KINDS = frozenset(("cpt", "hcpcs", "pcs"))
MAX_DX = 12         # CMS-1500 item 21 A-L; X12 837P HI segments of loop 2300
MAX_POINTERS = 4    # CMS-1500 item 24E; X12 SV107
MAX_MODIFIERS = 4   # X12 837P SV101-3..6; CMS-1500 item 24D
_OLDEST = dt.date(1900, 1, 1)   # an earlier date of service is not plausible (LINE-DATE)
_MOD = re.compile(r"^[0-9A-Z]{2}$")
_DATE = dt.date
_new = object.__new__
_set = object.__setattr__

_CPT = re.compile(r"^(?:\d{5}|\d{4}[FTUAM])$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")


class Dx:
    """One diagnosis of the claim, as checked."""

    __slots__ = (
        "code",
        "extra",
        "fact",
        "icd9",
        "lst",
        "message",
        "need",
        "pos",
        "raw",
        "release",
        "shown",
        "status",
        "suggestions",
    )

    def __init__(self, pos: int, raw: str, code: str = "", shown: str | None = None,
                 release: Release | None = None, fact: DxFact | None = None) -> None:
        self.pos = pos                  # 1-based
        self.raw = raw
        self.code = code                # dotless upper case; '' when malformed
        self.shown = raw if shown is None else shown
        self.status = "valid"
        self.message = ""
        self.suggestions: tuple[str, ...] = ()
        self.fact = fact
        self.release = release
        self.icd9 = False
        self.extra: dict[str, Any] = {}
        #: the ``_BY_CODE`` bits this diagnosis needs, -1 when it is not a valid ICD-10-CM
        #: code (the claim is not PLAIN); worked out by the first claim that reads it
        self.need: int | None = None
        #: the ``_NOT_FIRST`` and ``_Z`` bits of the code, worked out like ``need``
        self.lst: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "valid" and self.fact is not None


def _list_bits(d: Dx) -> int:
    """The ``Dx.lst`` bits of a diagnosis (set whenever DX-EXTCAUSE-FIRST,
    DX-SUPPLEMENTARY-FIRST, DX-MANIF-FIRST or DX-Z-FIRST-ONLY might report the code)."""
    code = d.code
    bits = 0
    if (code[:1] in _EXTERNAL and code[1:3].isdigit()) or code.startswith(_SUPPLEMENTARY) \
            or (d.status == "valid" and d.fact is not None and d.fact.manifestation):
        bits |= _NOT_FIRST
    if code.startswith("Z"):
        bits |= _Z
    return bits


class Ln:
    """One service line, as read for the edits."""

    __slots__ = ("cls", "code", "date", "kind", "line", "mods", "number", "system")

    def __init__(self, line: ClaimLine) -> None:
        self.number = line.number
        self.line = line
        self.code, self.kind, self.cls = _line_code(line.code)
        self.mods = _mods(line.modifiers)[0] if line.modifiers else ()
        self.date = line.date
        #: the name of the code system the line says its code is from, when medcode does
        #: not check that system (SNOMED CT, CVX, NDC, a local system); else ""
        self.system = other_system(line) if line.extra else ""
        if self.system:
            self.kind, self.cls = "other-system", None


@lru_cache(maxsize=4096)
def _mods(modifiers: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """A line's modifiers as the edits compare them (stripped, no leading '-', upper case),
    and whether MOD-FORMAT and MOD-59X have nothing to say about them."""
    mods = tuple(m.strip().lstrip("-").upper() for m in modifiers)
    return mods, "59" not in mods and well_formed(mods)


def well_formed(mods: tuple[str, ...]) -> bool:
    """Whether MOD-FORMAT has nothing to say about a line's modifiers: at most 4, each
    2 letters or digits, none twice."""
    return len(mods) <= MAX_MODIFIERS and len(set(mods)) == len(mods) and all(
        _MOD.match(m) for m in mods)


@lru_cache(maxsize=4096)
def numbers_fine(ptrs: tuple[int, ...], n_dx: int) -> bool:
    """Whether PTR-RANGE has nothing to say about a line's pointers (all read): at most 4,
    each to a listed diagnosis, none twice (remembered: lines repeat a few pointer lists)."""
    return len(ptrs) <= MAX_POINTERS and (not ptrs or max(ptrs) <= n_dx) and \
        len(set(ptrs)) == len(ptrs)


def line_bits(lines: tuple[ClaimLine, ...], n_dx: int, today: dt.date) -> int:
    """The ``LINES_OK``, ``PTRS_OK``, ``ALL_POINTED`` and ``MODS_OK`` bits of a claim's
    lines: each set only when the edits it names surely have nothing to say (a value of an
    unexpected type leaves the bit unset, and the edits look)."""
    lines_ok = ptrs_ok = mods_ok = True
    used: set[int] = set()
    for line in lines:
        if lines_ok:
            d, u, c = line.date, line.units, line.charge
            if not (type(d) is _DATE and _OLDEST <= d <= today
                    and (type(u) is int or type(u) is float) and u > 0
                    and (c is None or ((type(c) is int or type(c) is float) and c >= 0))):
                lines_ok = False
            elif line.extra and (line.extra.get("raw_units") is not None
                                 or line.extra.get("raw_charge") is not None):
                lines_ok = False
        p = line.pointers
        if ptrs_ok and (line.raw_pointers or not p or not numbers_fine(p, n_dx)):
            ptrs_ok = False
        used.update(p)
        if mods_ok and line.modifiers and not _mods(line.modifiers)[1]:
            mods_ok = False
    bits = (LINES_OK if lines_ok else 0) | (PTRS_OK if ptrs_ok else 0) | (
        MODS_OK if mods_ok else 0)
    if used.issuperset(range(1, min(n_dx, MAX_DX) + 1)):
        bits |= ALL_POINTED
    return bits


def other_system(line: ClaimLine) -> str:
    """The name of the line's code system when the claim names one medcode does not check
    (FHIR ``productOrService.coding.system``, X12 procedure code qualifier), else ""."""
    extra = line.extra
    if not extra:
        return ""
    for key, table, unknown in _NAMED_SYSTEMS:
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            known = data.code_system(table, value)
            if known is None:
                return unknown + value.strip()
            return known[0] if not known[1] else ""
    return ""


#: where a claim line names its code system: (extra key, claims_code_systems table, what an
#: unknown one is called), FHIR's system first
_NAMED_SYSTEMS = (("code_system", "fhir", "the code system "),
                  ("code_qualifier", "x12", "the code system of X12 qualifier "))


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


@lru_cache(maxsize=4096)
def _is_pcs(code: str) -> bool:
    """Whether a 7-character code has the structure of an ICD-10-PCS code."""
    if len(code) != 7:
        return False
    from medcode.errors import InvalidCode
    from medcode.systems.formats import format_candidates
    try:
        cands = format_candidates(code, icd9_listed=lambda kind, c: False)
    except InvalidCode:
        return False
    return any(c.system == "ICD-10-PCS" for c in cands)


class ClaimContext:
    """One claim as the edits see it."""

    def __init__(self, claim: Claim, facts: StoreFacts, today: dt.date | None = None) -> None:
        self.claim = claim
        self.facts = facts
        #: FHIR Claim.type (professional when not said): institutional claims bill
        #: ICD-10-PCS procedures and carry no diagnosis pointers; pharmacy claims no pointers
        extra = claim.extra
        self.claim_type = str(extra.get("claim_type") or "professional").lower() if extra \
            else "professional"
        every = [Ln(ln) for ln in claim.lines]
        if self.claim_type == "institutional":
            for ln in every:
                if ln.kind in ("other", "dx-shape") and _is_pcs(ln.code):
                    ln.kind = "pcs"
        for ln in every:
            if ln.system:
                #: the lines whose code medcode checks (CPT, HCPCS, or no system named)
                self.lines = [ln for ln in every if not ln.system]
                #: the lines whose code comes from a system medcode does not check
                #: (PX-OTHER-SYSTEM)
                self.other_lines = [ln for ln in every if ln.system]
                break
        else:
            self.lines = every
            self.other_lines = []
        self.dates: list[dt.date] = sorted({ln.date for ln in claim.lines if ln.date})
        self.dos = self.dates[0] if self.dates else None
        # the releases of the dates, remembered per set of dates (claims repeat their dates)
        days = tuple(self.dates)
        known = facts.releases_memo.get(days)
        if known is None:
            checks, inexact = self._release_checks()
            # the releases every diagnosis is checked in, when all are ICD-10-CM releases: a
            # code billable in each is valid at once (the common case; no ICD-9 reading, no
            # validation)
            rels = [rel for rel, _day, _exact in checks]
            whole = bool(rels) and all(r is not None for r in rels)
            known = (checks, inexact, rels if whole else None,
                     tuple(r.name for r in rels) if whole else None)  # type: ignore[union-attr]
            if len(facts.releases_memo) >= 4096:
                facts.releases_memo.clear()
            facts.releases_memo[days] = known
        checks, inexact, self._rels, self._rkey = known
        self.checks, self.inexact = checks, inexact     # shared: read only
        # the diagnoses, and what their codes need of the edits (for ``idle``)
        dx: list[Dx] = []
        self.dx = dx
        plain = True
        need = 0
        later = 0       # the Dx.lst bits of the diagnoses after the first
        make = self._dx
        for i, raw in enumerate(claim.diagnoses, 1):
            d = make(i, raw)
            dx.append(d)
            n = d.need
            if n is None:
                n = d.need = (-1 if d.status != "valid" or d.icd9 else
                              facts.dx_bits(d.code, d.fact) if d.fact is not None else 0)
            if n < 0:
                plain = False
            else:
                need |= n
            lst = d.lst
            if lst is None:
                lst = d.lst = _list_bits(d)
            if i > 1:
                later |= lst
        self._valid: list[Dx] | None = None
        self.today = today or facts.today
        self.idle = self._idle(plain, need) | line_bits(claim.lines, len(claim.diagnoses),
                                                        self.today)
        if (not dx or not (dx[0].lst or 0) & _NOT_FIRST) and not later & _Z and len(dx) <= MAX_DX \
                and len({d.code for d in dx}) == len(dx):
            self.idle |= DX_LIST_OK
        if not extra:
            self.idle |= NO_TOTAL
        p = claim.patient
        if not p.extra and p.sex in _SEX_OK:
            birth = p.birth_date
            dates = self.dates
            if birth is None or (type(birth) is _DATE and birth <= self.today and (
                    not dates or (birth <= dates[0] and dates[0].year - birth.year <= 124))):
                self.idle |= DEMO_OK

    def _idle(self, plain: bool, need: int) -> int:
        """The ``IDLE_WHEN`` bits of this claim (``plain``: every diagnosis valid on the
        date; ``need``: the bits its valid diagnoses need)."""
        idle = _BY_CODE & ~need
        dates = self.dates
        if not dates or (self.facts.ncci_span[0] <= dates[0]
                         and dates[-1] <= self.facts.ncci_span[1]):
            idle |= IN_NCCI
        if plain and not self.inexact and not self.other_lines and (
                not self.dates or self.dates[0] >= ICD10_START):
            kinds = _CHECKED_KINDS
            for ln in self.lines:
                if ln.kind not in kinds:
                    return idle
            idle |= PLAIN
        return idle

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
        quals = self.claim.diagnosis_qualifiers
        icd9 = bool(quals) and pos <= len(quals) and quals[pos - 1].upper() in ("BK", "BF")
        if not icd9 and self._rkey is not None:
            # the common case, remembered per (diagnosis as written, releases): a code
            # billable in every release of the claim's dates (the path below, first branch)
            # the Dx itself is shared by the claims with the same diagnosis at the same place
            # on the same releases (no edit changes a Dx)
            memo = self.facts.dx_memo
            key = (pos, raw, self._rkey)
            shared = memo.get(key)
            if shared is not None:
                return shared
            hit = self.facts.billable_dx(raw, self._rkey, self._rels)  # type: ignore[arg-type]
            if hit is not None:
                shared = Dx(pos, raw, hit[0], hit[1], self._rels[-1], hit[2])  # type: ignore[index]
                if len(memo) >= 65536:
                    memo.clear()
                memo[key] = shared
                return shared
        d = Dx(pos, raw)
        if icd9:
            d.icd9 = True
        d.code, d.shown, error = _dx_code(raw)
        if error:
            d.status, d.message = "malformed", error
            return d
        if d.icd9:
            from medcode.systems.icd9cm import display_dx
            d.status = "icd9"
            d.shown = raw.strip().upper() if "." in raw else display_dx(d.code)
            return d
        rels = self._rels
        if rels is not None:
            facts, code = self.facts, d.code
            if all(code in facts.billable(rel) for rel in rels):
                d.release = rels[-1]
                d.fact = facts.dx_fact(code)
                return d
        if self._icd9_reading(d):
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

    def _icd9_reading(self, d: Dx) -> bool:
        """A diagnosis that is not ICD-10-CM on the claim's dates but is a valid ICD-9-CM code
        (250.00, 25000, V58.67), with or without the BK/BF qualifier, is read as ICD-9-CM:
        marked ``icd9`` for DX-ICD9-AFTER-2015 (never as the CPT code 25000)."""
        from medcode.systems import icd9cm
        raw = d.raw.strip().upper()
        if not self.facts.has_icd9 or not icd9cm.dx_kind(raw):
            return False
        rels = [rel for rel, _day, _exact in self.checks if rel is not None]
        if rels and all(d.code in self.facts.billable(rel) for rel in rels):
            return False                    # a valid ICD-10-CM code on the date: E88.09
        if "." in raw and self.facts.dx_fact(d.code) is not None and raw.index(".") == 3 \
                and not raw[0].isdigit():
            return False                    # an ICD-10-CM heading written dotted: V20.2
        shown = raw if "." in raw else icd9cm.display_dx(raw)
        if not self.facts.icd9_known(shown):
            return False
        d.icd9, d.status, d.shown = True, "icd9", shown
        return True

    # -- helpers for the edits -----------------------------------------------------------
    def finding(self, edit_id: str, message: str, *, line: int | None = None,
                codes: tuple[str, ...] | list[str] = (), fix: str | None = None,
                severity: str | None = None, reference: str | None = None) -> Finding:
        spec = self.facts.edits[edit_id]
        ref = reference or spec.reference
        if spec.denial and (severity or spec.severity) != "info":
            ref = f"{ref}; payers deny with {spec.denial}"
        found = _new(Finding)   # Finding(...) without its frozen __init__ (same record)
        _set(found, "__dict__", {"edit": edit_id, "severity": severity or spec.severity,
                                 "claim": self.claim.id, "line": line, "codes": tuple(codes),
                                 "message": message, "reference": ref, "fix": fix})
        return found

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
