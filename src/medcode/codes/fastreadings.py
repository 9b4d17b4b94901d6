"""identify_many's short path: the judged readings of the commonest shapes in one step.

``_readings`` (identification) lists a string's shapes (``formats.shapes_of``), judges each
against the loaded data (``_judge``) and sorts them. For the shapes that make up nearly all
real input, written with or without the dot (ICD-10-CM, ICD-10-PCS, HCPCS Level II, CPT), the
function made here does the same in one pass, with the constant parts (reasons, release
lists, the order of two readings) worked out once per store. Anything else, or a store whose
ICD-10-CM/PCS lists are not loaded, it leaves to ``_readings`` by answering None.

The answers are the same, field for field: tests/test_batch_equivalence.py compares both over
every loaded code and the shapes around them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from medcode.codes.identification import (
    _IMPORTED,
    _RANKS,
    Candidate,
    _cand,
    _Facts,
    )
from medcode.systems import cpt, icd10pcs
from medcode.systems.formats import (
    _CM_REASON,
    _DIGITS,
    _PLAIN_LETTERS,
    _WHO_REASON,
    HCPCS_LETTERS,
    _cpt_reason,
    _hcpcs_reading,
    _icd9_reason,
    _pcs_reason,
)

CM, PCS, HCPCS, CPT, ICD9, WHO = ("ICD-10-CM", "ICD-10-PCS", "HCPCS", "CPT", "ICD-9-CM",
                                  "ICD-10")
Readings = tuple[Candidate, ...]


def _swaps(rank: Any, first: tuple[str, float], second: tuple[str, float]
           ) -> dict[tuple[bool, bool], bool]:
    """For two readings listed in this order by shape, whether ``rank`` (a stable sort) puts
    the second one first, for each (plausible, plausible) pair."""
    def key(system: str, score: float, plausible: bool) -> Any:
        dummy = _cand(Candidate, (system, "", "", False, False, "", (), None, 0.0, plausible))
        return rank((dummy, score))
    return {(p, q): key(*second, q) < key(*first, p)
            for p in (False, True) for q in (False, True)}


def fast_readings(f: _Facts, context: str | None) -> Callable[[str], Readings | None] | None:
    """A function giving ``_readings(f, s, _RANKS[context])`` for a normalised ``s``, or
    None where it does not know the shape. None when the store's lists are not in memory
    (``_Facts.bulk``) or ICD-10-CM/PCS are not loaded."""
    hits = f._hits
    if hits is None or not (f.is_loaded[CM] and f.is_loaded[PCS]):
        return None
    rank = _RANKS[context]
    cm_get = hits[CM].get
    pcs_get = hits[PCS].get
    icd9_get = hits[ICD9].get           # {} when ICD-9-CM is not loaded: nothing listed
    hcpcs_loaded = f.is_loaded[HCPCS]
    hcpcs_get = hits[HCPCS].get
    cpt_loaded = f.is_loaded[CPT]
    who_loaded = f.is_loaded[WHO]
    found = f.found
    looks_like_pcs = icd10pcs.looks_like_pcs
    cuts, owners = cpt._segments()
    categories = cpt.CATEGORIES

    def why(reason: str, system: str, mask: int) -> tuple[str, tuple[str, ...]]:
        key = (reason, system, mask)
        w = found.get(key)
        if w is None:
            w = found[key] = (f.found_reason(reason, system, mask), f.in_releases(system, mask))
        return w

    cm_why: dict[int, tuple[str, tuple[str, ...]]] = {}
    cm_miss = f"{_CM_REASON}, but "

    def cm(d: str, shown: str, score: float) -> Candidate:
        """The ICD-10-CM reading (_judge on a loaded system, keyed without the dot)."""
        hit = cm_get(d)
        if hit is None:
            return _cand(Candidate, (CM, "diagnosis", shown, False, True,
                                     f"{cm_miss}{shown} is not in the loaded ICD-10-CM data",
                                     (), None, score - 0.4, False))
        mask = hit[3]
        w = cm_why.get(mask)
        if w is None:
            w = cm_why[mask] = why(_CM_REASON, CM, mask)
        return _cand(Candidate, (CM, hit[2], shown, True, True, w[0], w[1], hit[1],
                                 score + 0.3, True))

    def loaded(get: Any, system: str, kind: str, code: str, reason: str, score: float,
               keep_kind: bool) -> Candidate:
        """_judge of a reading whose system is loaded (store key == ``code``)."""
        hit = get(code)
        if hit is None:
            return _cand(Candidate, (system, kind, code, False, True,
                                     f"{reason}, but {code} is not in the loaded {system} data",
                                     (), None, score - 0.4, False))
        w = why(reason, system, hit[3])
        return _cand(Candidate, (system, kind if keep_kind else hit[2], code, True, True,
                                 w[0], w[1], hit[1], score + 0.3, True))

    who_text = f"{_WHO_REASON}; WHO ICD-10 is not loaded (format only)"
    who_score = 0.3 - 0.2
    who_get = hits[WHO].get
    who_miss = f" is not in {WHO} {'/'.join(f.in_releases(WHO, -1))}"
    who_why: dict[int, tuple[str, tuple[str, ...]]] = {}

    def who(shown: str) -> Candidate:
        """The WHO ICD-10 reading (never plausible: not a US code), keyed with its dot."""
        if not who_loaded:
            return _cand(Candidate, (WHO, "diagnosis", shown, False, False, who_text, (),
                                     None, who_score, False))
        hit = who_get(shown)
        if hit is None:
            return _cand(Candidate, (WHO, "diagnosis", shown, False, True,
                                     f"{_WHO_REASON}, but {shown}{who_miss}", (), None,
                                     0.3 - 0.4, False))
        mask = hit[3]
        w = who_why.get(mask)
        if w is None:
            w = who_why[mask] = (f.found_reason(_WHO_REASON, WHO, mask),
                                 f.in_releases(WHO, mask))
        return _cand(Candidate, (WHO, hit[2], shown, True, True, w[0], w[1], hit[1],
                                 0.3 - 0.1, False))

    def unloaded_text(reason: str, system: str) -> str:
        """_judge's reason for a reading of an imported system that is not loaded."""
        text = f._unloaded.get((reason, system))
        if text is None:
            how = f" (`medcode data import {_IMPORTED[system]} FILE`)"
            note = ("CPT descriptors are licensed by the AMA and not loaded" if system == CPT
                    else f"{system} data is not loaded")
            text = f._unloaded[(reason, system)] = f"{reason}; {note}{how}: judged by format only"
        return text

    # the order of two readings, by which of them are plausible
    sw_hcpcs = _swaps(rank, (HCPCS, 0.7), (CM, 0.6))
    sw_pcs = _swaps(rank, (PCS, 0.7), (CM, 0.5))
    sw_who = _swaps(rank, (CM, 0.8), (WHO, 0.3)), _swaps(rank, (CM, 0.95), (WHO, 0.3))
    sw_cpt9 = _swaps(rank, (CPT, 0.9), (ICD9, 0.4))
    icd9_reason = _icd9_reason("numeric", True)
    #: CPT Category I (not loaded) per section segment: (reason text, plausible)
    cpt_digit: dict[int, tuple[str, bool]] = {}
    #: CPT Category II/III/PLA... (not loaded) per last character: Candidate fields
    cpt_letter: dict[str, tuple[str, str]] = {}

    def pair(a: Candidate, b: Candidate, swaps: dict[tuple[bool, bool], bool]) -> Readings:
        return (b, a) if swaps[a[9], b[9]] else (a, b)

    def readings(s: str) -> Readings | None:
        n = len(s)
        if n < 3:
            return None
        c0 = s[0]
        if s[1] in _DIGITS and (c0 in _PLAIN_LETTERS or (c0 == "E" and "." in s)):
            if "." in s:
                if n < 5 or s[3] != "." or s.count(".") != 1:
                    return None
                d = s[:3] + s[4:]
                dotted = True
            else:
                d = s
                dotted = False
            m = len(d)
            if not (3 <= m <= 7 and d.isascii() and d.isalnum()):
                return None
            if m == 5:
                shown = s if dotted else f"{d[:3]}.{d[3:]}"
                if c0 in HCPCS_LETTERS and d[1:].isdigit():
                    if dotted:
                        return (cm(d, shown, 0.6),)
                    reason, score = _hcpcs_reading(c0)
                    if hcpcs_loaded:
                        h = loaded(hcpcs_get, HCPCS, "Level II", d, reason, score, True)
                    else:
                        h = _cand(Candidate, (HCPCS, "Level II", d, False, False,
                                              unloaded_text(reason, HCPCS), (), None, score,
                                              True))
                    return pair(h, cm(d, shown, 0.6), sw_hcpcs)
                return (cm(d, shown, 0.95 if dotted else 0.8),)
            if m == 7:
                shown = s if dotted else f"{d[:3]}.{d[3:]}"
                if looks_like_pcs(d):
                    if dotted:
                        return (cm(d, shown, 0.5),)
                    p = loaded(pcs_get, PCS, "procedure", d, _pcs_reason(c0), 0.7, False)
                    return pair(p, cm(d, shown, 0.5), sw_pcs)
                return (cm(d, shown, 0.95 if dotted else 0.8),)
            if m == 6:
                return (cm(d, s if dotted else f"{d[:3]}.{d[3:]}", 0.95 if dotted else 0.8),)
            shown = d if m == 3 else (s if dotted else f"{d[:3]}.{d[3:]}")
            score = 0.95 if dotted else 0.8
            if s[2] in _DIGITS and (m == 3 or d[3] in _DIGITS):
                return pair(cm(d, shown, score), who(shown), sw_who[dotted])
            return (cm(d, shown, score),)
        if c0 not in _DIGITS or "." in s:
            return None
        if n == 5 and s[1:4].isdigit():
            last = s[4]
            if last in _DIGITS:
                if cpt_loaded:
                    return None
                i = bisect_right(cuts, int(s)) - 1
                known = cpt_digit.get(i)
                if known is None:
                    rng = owners[i] if i >= 0 else None
                    known = cpt_digit[i] = (unloaded_text(_cpt_reason("digit", rng), CPT),
                                            rng is not None)
                c = _cand(Candidate, (CPT, "Category I", s, False, False, known[0], (), None,
                                      0.9, known[1]))
                key9 = f"{s[:3]}.{s[3:]}"
                hit = icd9_get(key9)
                if hit is None:
                    return (c,)
                w = why(icd9_reason, ICD9, hit[3])
                return pair(c, _cand(Candidate, (ICD9, "diagnosis", key9, True, True, w[0],
                                                 w[1], hit[1], 0.4 + 0.3, True)), sw_cpt9)
            if last in categories:
                if cpt_loaded:
                    return None
                known2 = cpt_letter.get(last)
                if known2 is None:
                    known2 = cpt_letter[last] = (categories[last],
                                                 unloaded_text(_cpt_reason(last, None), CPT))
                return (_cand(Candidate, (CPT, known2[0], s, False, False, known2[1], (), None,
                                          0.95, True)),)
            return None
        if n == 7 and looks_like_pcs(s):
            # a letter second (0DTJ4ZZ) is also what an ICD-11 stem code starts with, but
            # seven characters without a dot or cluster mark are never ICD-11 (formats._icd11)
            return (loaded(pcs_get, PCS, "procedure", s, _pcs_reason(c0), 0.85, False),)
        return None

    return readings
