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

import gc
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import is_, ne
from typing import Any

from medcode.codes.identification import (
    _IMPORTED,
    _RANKS,
    BULK_AFTER,
    JUDGED_MAX,
    Candidate,
    Identification,
    _cand,
    _Facts,
    _identify,
    _new_ident,
    _readings,
    _set_d,
)
from medcode.systems import cpt, icd10pcs
from medcode.systems.formats import (
    _CM_LETTER_SECOND,
    _CM_REASON,
    _DIGITS,
    _PLAIN_LETTERS,
    _PROC9_REASON,
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
_PCS_SECTIONS = frozenset(icd10pcs.SECTIONS)


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
            how = (f" (`medcode data import {_IMPORTED[system]} FILE`)" if system in _IMPORTED
                   else "")
            note = ("CPT descriptors are licensed by the AMA and not loaded" if system == CPT
                    else f"{system} data is not loaded")
            text = f._unloaded[(reason, system)] = f"{reason}; {note}{how}: judged by format only"
        return text

    # the order of two readings, by which of them are plausible
    sw_hcpcs = _swaps(rank, (HCPCS, 0.7), (CM, 0.6))
    sw_pcs = _swaps(rank, (PCS, 0.7), (CM, 0.5))
    sw_who = _swaps(rank, (CM, 0.8), (WHO, 0.3)), _swaps(rank, (CM, 0.95), (WHO, 0.3))
    sw_cpt9 = _swaps(rank, (CPT, 0.9), (ICD9, 0.4))
    icd9_listed_reason = _icd9_reason("numeric", True)
    icd9_dotted_reason = _icd9_reason("numeric", False)
    icd9_loaded = f.is_loaded[ICD9]
    #: CPT Category I (not loaded) per section segment: (reason text, plausible)
    cpt_digit: dict[int, tuple[str, bool]] = {}
    #: CPT Category II/III/PLA... (not loaded) per last character: (kind, reason text)
    cpt_letter: dict[str, tuple[str, str]] = {}
    #: HCPCS Level II per letter: (reason, score, reason text when HCPCS is not loaded)
    hcpcs_letter: dict[str, tuple[str, float, str]] = {}

    def hcpcs(c0: str, d: str) -> Candidate:
        known = hcpcs_letter.get(c0)
        if known is None:
            reason, score = _hcpcs_reading(c0)
            known = hcpcs_letter[c0] = (reason, score, unloaded_text(reason, HCPCS))
        if hcpcs_loaded:
            return loaded(hcpcs_get, HCPCS, "Level II", d, known[0], known[1], True)
        return _cand(Candidate, (HCPCS, "Level II", d, False, False, known[2], (), None,
                                 known[1], True))

    sw_h = ((sw_hcpcs[False, False], sw_hcpcs[False, True]),
            (sw_hcpcs[True, False], sw_hcpcs[True, True]))
    hcpcs_miss = f" is not in the loaded {HCPCS} data"
    pcs_miss = f" is not in the loaded {PCS} data"
    #: (section, node mask) -> (reason when found, releases) of a 7-digit-first PCS code
    pcs_why: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = {}
    cm_miss_end = f" is not in the loaded {CM} data"
    #: letters whose five-character codes without a dot read as HCPCS and ICD-10-CM only
    hcpcs_only = frozenset(HCPCS_LETTERS) & _PLAIN_LETTERS
    #: ICD-9-CM E and V codes: (characters before the dot, the reason when v32 lists it)
    icd9_ev = {"E": (4, _icd9_reason("E code", True)), "V": (3, _icd9_reason("V code", True))}
    v_dotted_reason = _icd9_reason("V code", False)

    def icd9_v_dotted(s: str) -> Candidate:
        """_judge of the ICD-9-CM reading of a dotted V code (V58.6, V58.67): shape score
        0.5, listed or not."""
        if icd9_loaded:
            return loaded(icd9_get, ICD9, "diagnosis", s, v_dotted_reason, 0.5, True)
        return _cand(Candidate, (ICD9, "diagnosis", s, False, False,
                                 unloaded_text(v_dotted_reason, ICD9), (), None, 0.5, False))

    def ev(c0: str, s: str, d: str, m: int, dotted: bool) -> Readings:
        """E and V codes of 3-5 characters (E8809, V5867, V58.67; not a dotted E code),
        which are also ICD-9-CM E and V codes, V and E four-digit codes also HCPCS: the
        readings of formats._general_shapes, judged and ranked as _readings does."""
        digits = d[1:].isdigit()
        shown = d if m == 3 else (s if dotted else f"{d[:3]}.{d[3:]}")
        pairs: list[tuple[Candidate, float]] = []
        if m == 5 and digits and not dotted:
            pairs.append((hcpcs(c0, d), 0.7))
        score = 0.6 if m == 5 and digits else (0.95 if dotted else 0.8)
        pairs.append((cm(d, shown, score), score))
        if m <= 4 and d[2] in _DIGITS and (m == 3 or d[3] in _DIGITS):    # _WHO10_RE
            pairs.append((who(shown), 0.3))
        if digits:          # icd9cm.dx_kind: V and 2-4 digits, E and 3-4 digits
            if dotted:      # a V code with its dot: listed or not, by shape
                pairs.append((icd9_v_dotted(s), 0.5))
            elif c0 == "V" or m >= 4:   # without the dot: only when v32 lists it
                head, reason = icd9_ev[c0]
                key9 = d if m <= head else f"{d[:head]}.{d[head:]}"
                hit = icd9_get(key9)
                if hit is not None:
                    w = why(reason, ICD9, hit[3])
                    pairs.append((_cand(Candidate, (ICD9, "diagnosis", key9, True, True, w[0],
                                                    w[1], hit[1], 0.4 + 0.3, True)), 0.4))
        if len(pairs) == 1:
            return (pairs[0][0],)
        pairs.sort(key=rank)
        return tuple([p[0] for p in pairs])

    def readings(s: str) -> Readings | None:
        n = len(s)
        if n < 3 or not s.isascii():
            return None
        c0 = s[0]
        if n == 5 and c0 in hcpcs_only and s[1:].isdigit():
            # the commonest shape of all (J1100): what the general branch below gives it
            # (hcpcs(c0, s) and cm(s, J11.00, 0.6), in the order of sw_hcpcs), inlined
            hk = hcpcs_letter.get(c0)
            if hk is None:
                reason, score = _hcpcs_reading(c0)
                hk = hcpcs_letter[c0] = (reason, score, unloaded_text(reason, HCPCS))
            if hcpcs_loaded:
                hit = hcpcs_get(s)
                if hit is None:
                    a = _cand(Candidate, (HCPCS, "Level II", s, False, True,
                                          f"{hk[0]}, but {s}{hcpcs_miss}", (), None,
                                          hk[1] - 0.4, False))
                else:
                    w = why(hk[0], HCPCS, hit[3])
                    a = _cand(Candidate, (HCPCS, "Level II", s, True, True, w[0], w[1],
                                          hit[1], hk[1] + 0.3, True))
            else:
                a = _cand(Candidate, (HCPCS, "Level II", s, False, False, hk[2], (), None,
                                      hk[1], True))
            shown = f"{s[:3]}.{s[3:]}"
            hit = cm_get(s)
            if hit is None:
                b = _cand(Candidate, (CM, "diagnosis", shown, False, True,
                                      f"{cm_miss}{shown}{cm_miss_end}", (), None, 0.6 - 0.4,
                                      False))
            else:
                wc = cm_why.get(hit[3])
                if wc is None:
                    wc = cm_why[hit[3]] = why(_CM_REASON, CM, hit[3])
                b = _cand(Candidate, (CM, hit[2], shown, True, True, wc[0], wc[1], hit[1],
                                      0.6 + 0.3, True))
            return (b, a) if sw_h[a[9]][b[9]] else (a, b)
        if "A" <= c0 <= "Z":
            if s[1] in _DIGITS:
                if "." in s:
                    if n < 5 or s[3] != "." or s.count(".") != 1:
                        return None
                    d = s[:3] + s[4:]
                    dotted = True
                else:
                    d = s
                    dotted = False
                m = len(d)
                if m > 7 or not d.isalnum():
                    return None
                # E, V and X codes of 3-5 characters may also be ICD-9-CM E and V codes (or
                # HCPCS): the general rules decide. From 6 characters on they are ICD-10-CM
                # (and ICD-10-PCS) only, as the other letters are (formats.shapes_of)
                if m < 6 and c0 not in _PLAIN_LETTERS and not (c0 == "E" and dotted):
                    return ev(c0, s, d, m, dotted) if c0 != "X" else None
                shown = d if m == 3 else (s if dotted else f"{d[:3]}.{d[3:]}")
                if m == 7:
                    # looks_like_pcs, for 7 upper-case ASCII letters or digits
                    if c0 in _PCS_SECTIONS and "I" not in d and "O" not in d:
                        if dotted:
                            return (cm(d, shown, 0.5),)
                        p = loaded(pcs_get, PCS, "procedure", d, _pcs_reason(c0), 0.7, False)
                        b = cm(d, shown, 0.5)
                        return (b, p) if sw_pcs[p[9], b[9]] else (p, b)
                    return (cm(d, shown, 0.95 if dotted else 0.8),)
                if m == 6:
                    return (cm(d, shown, 0.95 if dotted else 0.8),)
                if m == 5:
                    if c0 in HCPCS_LETTERS and d[1:].isdigit():
                        if dotted:
                            return (cm(d, shown, 0.6),)
                        a = hcpcs(c0, d)
                        b = cm(d, shown, 0.6)
                        return (b, a) if sw_hcpcs[a[9], b[9]] else (a, b)
                    return (cm(d, shown, 0.95 if dotted else 0.8),)
                if s[2] in _DIGITS and (m == 3 or d[3] in _DIGITS):
                    a = cm(d, shown, 0.95 if dotted else 0.8)
                    b = who(shown)
                    return (b, a) if sw_who[dotted][a[9], b[9]] else (a, b)
                return (cm(d, shown, 0.95 if dotted else 0.8),)
            # a letter second: ICD-10-PCS sections B-X (BW03ZZZ); seven characters without a
            # dot are never ICD-11 (formats._icd11), and only QA... is also ICD-10-CM
            if (n == 7 and c0 in _PCS_SECTIONS and s.isalnum() and "I" not in s
                    and "O" not in s and s[:2] not in _CM_LETTER_SECOND):
                return (loaded(pcs_get, PCS, "procedure", s, _pcs_reason(c0), 0.7, False),)
            return None
        if c0 not in _DIGITS:
            return None
        if "." in s:
            # ICD-9-CM as written with its dot: 250.00 (diagnosis), 36.06 (procedure)
            if not icd9_loaded or s.count(".") != 1:
                return None
            if s[3:4] == "." and (n == 5 or n == 6) and s[:3].isdigit() and s[4:].isdigit():
                return (loaded(icd9_get, ICD9, "diagnosis", s, icd9_dotted_reason, 0.9, True),)
            if s[2] == "." and (n == 4 or n == 5) and s[:2].isdigit() and s[3:].isdigit():
                return (loaded(icd9_get, ICD9, "procedure", s, _PROC9_REASON, 0.55, True),)
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
                w = why(icd9_listed_reason, ICD9, hit[3])
                b = _cand(Candidate, (ICD9, "diagnosis", key9, True, True, w[0], w[1], hit[1],
                                      0.4 + 0.3, True))
                return (b, c) if sw_cpt9[c[9], b[9]] else (c, b)
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
        if n == 7 and s.isalnum() and "I" not in s and "O" not in s:
            # ICD-10-PCS (looks_like_pcs); a letter second (0DTJ4ZZ) is also how an ICD-11
            # stem code starts, but seven characters without a dot never are one
            # loaded(pcs_get, PCS, "procedure", s, _pcs_reason(c0), 0.85, False), inlined
            hit = pcs_get(s)
            if hit is None:
                return (_cand(Candidate, (PCS, "procedure", s, False, True,
                                          f"{_pcs_reason(c0)}, but {s}{pcs_miss}", (), None,
                                          0.85 - 0.4, False)),)
            wp = pcs_why.get((c0, hit[3]))
            if wp is None:
                wp = pcs_why[c0, hit[3]] = why(_pcs_reason(c0), PCS, hit[3])
            return (_cand(Candidate, (PCS, hit[2], s, True, True, wp[0], wp[1], hit[1],
                                      0.85 + 0.3, True)),)
        return None

    return readings


#: inputs identify_many works through at once when it is given a list or tuple
SLICE = 4096
#: once the memo is full, a slice in which it answered fewer than 1 input in 20 makes the
#: next MEMO_SKIP slices skip it (a lookup that misses costs about as much as a tenth of
#: working an input out); then it is tried again. The answers are the same either way
MEMO_SKIP = 7
#: a slice of stripped inputs joined by newlines, each what formats._PLAIN accepts
_ALL_PLAIN = re.compile(r"(?:[A-Za-z0-9.\-]{1,40}\n)*[A-Za-z0-9.\-]{1,40}").fullmatch


def _slice(f: _Facts, raws: list[str] | tuple[str, ...],
           fast: Callable[[str], Readings | None], rank: Any, judged: dict[str, Readings]
           ) -> list[Identification] | None:
    """The Identifications of ``raws`` (inputs not seen before), or None unless they are all
    plain strings (letters, digits, dots, dashes; identification._identify does the rest)."""
    if set(map(type, raws)) != {str}:
        return None
    k = len(raws)
    stripped = list(map(str.strip, raws))
    joined = "\n".join(stripped)
    if joined.count("\n") != k - 1 or not _ALL_PLAIN(joined):
        return None
    norm = joined.upper().split("\n")
    # readings worked out before are looked up only for the inputs that trimming or upper
    # case changed (" e11.9" after "E11.9"): an input already in normal form was not in the
    # memo, so it is new unless another way of writing it came first; then it is worked out
    # again, with the same answer
    cands: list[Readings | None] = [None] * k
    changed = list(compress(range(k), map(ne, raws, norm)))
    if changed and judged:
        deque(map(cands.__setitem__, changed, map(judged.get, map(norm.__getitem__, changed))),
              0)
    if None not in cands:
        todo: list[int] | None = None
        strings: list[str] = []
    elif cands.count(None) == k:
        todo, strings = None, norm
    else:
        todo = list(compress(range(k), map(is_, cands, repeat(None))))
        strings = list(map(norm.__getitem__, todo))
    if strings:
        # the short path over them all in one C-level loop, the general rules for the rest
        found = list(map(fast, strings))
        for i in compress(range(len(found)), map(is_, found, repeat(None))):
            found[i] = _readings(f, strings[i], rank)
        if todo is None:
            cands = found       # type: ignore[assignment]
        else:
            deque(map(cands.__setitem__, todo, found), 0)
        room = JUDGED_MAX - len(judged)
        if room > 0:
            judged.update(zip(strings[:room], found[:room]))  # type: ignore[arg-type]
    objs = list(map(_new_ident, repeat(Identification, k)))
    deque(map(_set_d, objs, zip(stripped, cands, repeat(None))), 0)   # ``_extra`` left unset
    return objs


def identify_slices(f: _Facts, codes: list[str] | tuple[str, ...], memo_size: int,
                    context: str | None) -> Iterator[Identification]:
    """identify_many over a list, a slice at a time: the steps every input needs (the memo,
    trimming, the plain-input check, upper case, the Identification) run over the whole
    slice in C loops (map); Python code runs once per new normalised string. Same answers
    as the input-by-input loop (identification.identify_many)."""
    memo: dict[str, Identification] = {}
    judged: dict[str, Readings] = {}
    state: list[Any] = [None, 0, 0, memo_size, context]
    for start in range(0, len(codes), SLICE):
        # the answers hold no reference cycles: the cycle collector has nothing to find in
        # them, yet the slice's new objects would make it sweep every object of the process
        # over and over. It pauses while a slice is worked out, from the memo lookups to the
        # memo's update (never across a yield). The iterator over the answers is made while
        # it is paused too: made after, it was the first new object and started a sweep of
        # the whole slice, answers the caller drops as it goes included; now the next sweep
        # starts at the caller's next new object and finds only what is still alive.
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            answers = iter(_next_slice(f, codes[start:start + SLICE], memo, judged, state))
        finally:
            if paused:
                gc.enable()
        yield from answers


def _next_slice(f: _Facts, chunk: list[str] | tuple[str, ...], memo: dict[str, Identification],
                judged: dict[str, Readings], state: list[Any]) -> list[Identification]:
    """identify_slices' answers for one slice; ``state``: [fast path or None, inputs not
    in the memo so far, slices left to skip the memo's lookups, memo_size, context]."""
    fast, seen, skip, memo_size, context = state
    if skip:
        state[2] = skip - 1
        out: list[Identification | None] = [None] * len(chunk)
    else:
        out = list(map(memo.get, chunk))
        if None not in out:
            return out          # type: ignore[return-value]
        if len(memo) >= memo_size and out.count(None) * 20 > len(out) * 19:
            state[2] = MEMO_SKIP
    where = list(compress(range(len(out)), map(is_, out, repeat(None))))
    raws = chunk if len(where) == len(chunk) else list(map(chunk.__getitem__, where))
    seen = state[1] = seen + len(raws)
    if fast is None and seen >= BULK_AFTER:
        f.bulk()
        fast = state[0] = fast_readings(f, context)
    objs = _slice(f, raws, fast, _RANKS[context], judged) if fast is not None else None
    if objs is None:            # input by input: not strings, or not all plain
        rank = _RANKS[context]
        objs = [_identify(f, raw, rank, judged) for raw in raws]
    room = memo_size - len(memo)
    if room > 0:
        memo.update(zip(raws[:room], objs[:room]))
    if raws is chunk:
        return objs
    deque(map(out.__setitem__, where, objs), 0)
    return out          # type: ignore[return-value]
