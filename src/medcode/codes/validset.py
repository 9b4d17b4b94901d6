"""validate_many: ``validate(code).valid`` for long lists, in one pass over precomputed sets.

The sets follow the policy of :mod:`medcode.codes.readings` exactly: for the date, every
string that is valid in each of its plausible readings (J1100 only when HCPCS is loaded and
J1100 is active, as J11.00 is billable; 25000 in 2014 as CPT and as ICD-9-CM 250.00). They
are built once per store and date (about a second) and then answer at set speed; the few
inputs not found as written are normalised (case, blanks, dots) and looked at again.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from itertools import compress, repeat
from operator import not_
from typing import TYPE_CHECKING

from medcode.codes.readings import CM, ICD10_START, day_of, pcs_release, validate_in
from medcode.errors import NoRelease
from medcode.systems.formats import HCPCS_LETTERS
from medcode.systems.icd10cm import display

if TYPE_CHECKING:
    from medcode.store.db import Store

PCS = "ICD-10-PCS"
_CPT_LAST = frozenset("FTUAM")


class _Sets:
    """The policy's answer for one store and date, as sets of strings."""

    __slots__ = ("bad", "cm_dotless", "cpt_file", "day", "ok", "remembered")

    def __init__(self, ok: set[str], cm_dotless: frozenset[str], day: dt.date,
                 cpt_file: frozenset[str] | None) -> None:
        #: valid as written (display and dotless forms); validate_many adds the strings it
        #: found valid only once normalised (" e11.9"), up to MEMO_MAX of them
        self.ok = ok
        #: strings validate_many found invalid (up to MEMO_MAX, with those added to ``ok``)
        self.bad: set[str] = set()
        self.remembered = 0
        self.cm_dotless = cm_dotless    # ICD-10-CM billable, for dotted input (never HCPCS)
        self.day = day
        self.cpt_file = cpt_file        # the imported CPT codes, or None (judge by section)


#: strings not valid as written whose answers (second looks) one day's sets remember, and
#: how long such a string may be: claim files repeat their lower-case, blank-padded and
#: invalid codes from batch to batch. About 100 bytes each (20 MB at most)
MEMO_MAX = 200_000
MEMO_LEN = 20
#: bytes of 0 and 1 (a list of bools as bytes) turned into their negation
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def _hcpcs_shape(code: str) -> bool:
    return len(code) == 5 and code[0] in HCPCS_LETTERS and code[1:].isdigit()


def _cpt_shape(code: str) -> bool:
    return len(code) == 5 and code[:4].isdigit() and (code[4].isdigit() or code[4] in _CPT_LAST)


def _cpt_valid(code: str, day: dt.date, cpt_file: frozenset[str] | None) -> bool:
    if cpt_file is not None:
        return code in cpt_file
    if not code.isdigit():
        return True
    from medcode.systems.cpt import section_range
    rng = section_range(code)
    return rng is not None and rng.in_force(day)


def _cpt_plausible(code: str, cpt_file: frozenset[str] | None) -> bool:
    if cpt_file is not None:
        return code in cpt_file
    if not code.isdigit():
        return True
    from medcode.systems.cpt import section_range
    return section_range(code) is not None


def _codes(store: Store, sql: str, *args: object) -> frozenset[str]:
    return frozenset(c for (c,) in store.conn.execute(sql, args))


def _all_keys(store: Store, system: str) -> frozenset[str]:
    key = (system + "#all", "")
    found = store._sets.get(key)
    if found is None:
        found = store._sets[key] = _codes(store, "SELECT code FROM codes WHERE system = ?",
                                          system)
    return found


def _hcpcs_sets(store: Store, day: dt.date) -> tuple[frozenset[str], frozenset[str]] | None:
    """(every HCPCS code, those active on ``day``), or None when HCPCS is not loaded."""
    if not store.releases("HCPCS"):
        return None
    every = _all_keys(store, "HCPCS")
    if not any(r.covers(day) for r in store.releases("HCPCS")):
        return every, frozenset()   # the loaded file's period does not hold the day
    iso = day.isoformat()
    try:
        active = _codes(store, "SELECT code FROM hcpcs_code WHERE coalesce(add_date, "
                        "effective_date, '') <= ? AND (termination_date IS NULL OR "
                        "termination_date = '' OR ? <= termination_date)", iso, iso)
    except Exception:       # noqa: BLE001 - the HCPCS table of an older store
        active = frozenset()
    return every, active & every


def build_sets(store: Store, on: dt.date | None, release: str | None) -> _Sets:
    day = day_of(store, on, release)
    cpt_file = _all_keys(store, "CPT") if store.releases("CPT") else None
    hcpcs = _hcpcs_sets(store, day)
    ok: set[str] = set()
    cm_bill: frozenset[str] = frozenset()
    if day >= ICD10_START:
        try:
            rel = store.resolve(CM, on=on, release=release)
        except NoRelease:
            if on is not None or release:
                raise
            rel = store.resolve(CM)
        cm_bill = store.billable_set(CM, rel)
        cm_all = _all_keys(store, CM)
        pcs_all = _all_keys(store, PCS) if store.releases(PCS) else frozenset()
        try:
            pcs_ok: frozenset[str] | None = store.billable_set(PCS, pcs_release(store, on,
                                                                                release))
        except NoRelease:
            pcs_ok = None           # no PCS release covers the day: that reading is not checked
        for b in cm_bill:
            ok.add(display(b))
            if _hcpcs_shape(b):
                if hcpcs is None:
                    continue                        # HCPCS reading not known: they disagree
                if b in hcpcs[0] and b not in hcpcs[1]:
                    continue
            elif len(b) == 7 and b in pcs_all and pcs_ok is not None and b not in pcs_ok:
                continue
            ok.add(b)
        for p in pcs_ok or ():
            if p not in cm_all or p in cm_bill:
                ok.add(p)
        if hcpcs is not None:
            ok.update(h for h in hcpcs[1] if h not in cm_all or h in cm_bill)
    else:
        for (shown,) in store.conn.execute("SELECT code FROM codes WHERE system = 'ICD-9-CM'"):
            ok.add(shown)
            d = shown.replace(".", "")
            if _cpt_shape(d) and _cpt_plausible(d, cpt_file) and not _cpt_valid(d, day,
                                                                                 cpt_file):
                continue
            if _hcpcs_shape(d) and (hcpcs is None or (d in hcpcs[0] and d not in hcpcs[1])):
                continue
            ok.add(d)
        if hcpcs is not None:
            ok.update(hcpcs[1])
    sets = _Sets(ok, cm_bill, day, cpt_file)
    if day >= ICD10_START:
        # the store's ICD-10-CM codes not valid as written (headers, codes of other
        # releases), both forms, answered now by the second look validate_many would give
        # them, so that a batch finds them with one lookup (about 50,000 strings)
        forms = {f for c in _all_keys(store, CM) for f in (c, display(c)) if f not in ok}
        good = _second_looks(forms, sets)
        ok.update(good)
        sets.bad.update(forms - good)
    return sets


def _sets(store: Store, on: dt.date | None, release: str | None) -> _Sets:
    day = day_of(store, on, release)
    cache: dict[str, _Sets] | None = getattr(store, "_policy_sets", None)
    if cache is None:
        cache = {}
        store._policy_sets = cache  # type: ignore[attr-defined]
    key = f"{day}|{release or ''}|{on is None}"
    found = cache.get(key)
    if found is None:
        if len(cache) >= 8:         # a few dates at a time (each set is a few MB)
            cache.clear()
        found = cache[key] = build_sets(store, on, release)
    return found


def validate_many(store: Store, codes: Iterable[str], on: dt.date | None = None,
                  release: str | None = None, system: str | None = None) -> list[bool]:
    """Valid or not, for each input, by the policy of ``validate`` (same answers)."""
    if not isinstance(codes, (list, tuple)):
        codes = list(codes)
    if system is not None and system != CM:
        memo: dict[str, bool] = {}
        out: list[bool] = []
        for c in codes:
            if not isinstance(c, str):
                out.append(False)
                continue
            hit = memo.get(c)
            if hit is None:
                hit = memo[c] = validate_in(store, c, system, on, release).valid
            out.append(hit)
        return out
    if system == CM:
        return _icd10cm_only(store, codes, on, release)
    sets = _sets(store, on, release)
    ok = sets.ok
    # one pass over the list at set speed; then each distinct string not found as written,
    # nor among those already known to be invalid, gets a second look (case, blanks, dots)
    found = list(map(ok.__contains__, codes))
    if False not in found:
        return found
    # the selectors of the misses as bytes (1 where not found): no call per input
    misses = bytes(found).translate(_FLIP)
    missed = list(compress(codes, misses))
    bad = sets.bad
    if all(map(bad.__contains__, missed)):
        return found            # every one already known to be invalid
    strings = set(compress(missed, bytes(map(bad.__contains__, missed)).translate(_FLIP)))
    good = _second_looks(strings, sets)
    if good:        # found[i] = True where the second look passed, in C-level loops
        where = list(compress(range(len(found)), misses))
        deque(map(found.__setitem__, compress(where, map(good.__contains__, missed)),
                  repeat(True)), 0)
    _remember(sets, strings, good)
    return found


def _remember(sets: _Sets, strings: set[str], good: set[str]) -> None:
    """Keep the answers for ``strings`` (second looks: ``good`` passed) for later batches,
    up to MEMO_MAX strings of at most MEMO_LEN characters."""
    room = MEMO_MAX - sets.remembered
    if room <= 0:
        return
    try:
        short = max(map(len, strings)) <= MEMO_LEN
    except TypeError:           # not every input has a length (None, numbers)
        short = False
    if short and len(strings) <= room:
        # anything else with a length (bytes) is never valid: it may join ``bad`` as well
        sets.remembered += len(strings)
        sets.ok.update(good)
        sets.bad.update(strings - good)
        return
    keep = [s for s in strings if type(s) is str and len(s) <= MEMO_LEN][:room]
    sets.remembered += len(keep)
    sets.ok.update(compress(keep, map(good.__contains__, keep)))
    sets.bad.update(compress(keep, map(not_, map(good.__contains__, keep))))


def _second_looks(strings: set[str], sets: _Sets) -> set[str]:
    """Those of ``strings`` (not valid as written) that are valid once normalised: case and
    surrounding blanks; dots of ICD-10-CM codes; CPT codes judged by section. Anything that
    is not a string is not valid."""
    texts = list(strings)
    try:
        norm = list(map(str.upper, map(str.strip, texts)))
    except TypeError:           # not every input is a string
        texts = [c for c in texts if isinstance(c, str)]
        norm = list(map(str.upper, map(str.strip, texts)))
    seen = list(map(sets.ok.__contains__, norm))
    good = set(compress(texts, seen))
    dotless = sets.cm_dotless
    for raw, s in compress(zip(texts, norm), map(not_, seen)):
        if "." in s:
            # dotted: never CPT/HCPCS. An ICD-9-CM shape (E880.9) is read as ICD-9-CM (the
            # valid ones are in ``ok``); anything else is ICD-10-CM with a stray dot (E1.19)
            if s.replace(".", "") in dotless and not _icd9_shape(s):
                good.add(raw)
        elif len(s) == 5 and _cpt_shape(s) and _cpt_valid(s, sets.day, sets.cpt_file):
            good.add(raw)
    return good


def _icd9_shape(s: str) -> bool:
    from medcode.systems import icd9cm
    return bool(icd9cm.dx_kind(s) or icd9cm.is_procedure_format(s))


def _icd10cm_only(store: Store, codes: list[str] | tuple[str, ...], on: dt.date | None,
                  release: str | None) -> list[bool]:
    """The ICD-10-CM reading only (``system="ICD-10-CM"``)."""
    rel = store.resolve(CM, on=on, release=release)
    valid = store.billable_set(CM, rel)
    key = (CM + "#forms", rel.name)
    forms = store._sets.get(key)
    if forms is None:
        forms = store._sets[key] = frozenset(valid | {display(c) for c in valid})
    contains = forms.__contains__
    out = [contains(c) for c in codes]
    for i, hit in enumerate(out):
        if not hit:
            c = codes[i]
            if isinstance(c, str):
                out[i] = c.strip().upper().replace(".", "") in valid
    return out
