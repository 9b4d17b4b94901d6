"""Which code system(s) a string belongs to, and why: shape first, then the loaded data.

The policy for strings of more than one shape (README, "Codes of more than one shape"):
every plausible reading is listed, most likely first, and ``ambiguous`` is true whenever
more than one reading is plausible. A reading is plausible when the loaded data has the code,
or when its system's data is not loaded (CPT without a licensed file, HCPCS not imported) and
the shape fits (a CPT Category I number must fall in a CPT section). Readings of systems
medcode never loads (WHO ICD-10, ICD-11) are listed but not counted. Without context a
letter and four digits with no dot (J1100) is first a HCPCS code; in a diagnosis position
(``context="diagnosis"``: claims write diagnoses without dots) it is first ICD-10-CM.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import FrozenInstanceError
from operator import itemgetter
from typing import Any, NamedTuple

from medcode.errors import InvalidCode
from medcode.store.db import Store
from medcode.systems.cpt import section_range  # formats imports cpt: no cold-start cost
from medcode.systems.formats import _PLAIN, FormatCandidate, normalize_input, shapes_of

#: systems whose code list may be absent from a store until the user imports it
_IMPORTED = {"CPT": "cpt", "HCPCS": "hcpcs"}
_NEVER_LOADED = {"ICD-10": "WHO ICD-10 is not loaded (format only)",
                 "ICD-11": "ICD-11 is not loaded (format only)"}
_LOADABLE = ("ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "CPT", "HCPCS", "ICD-10", "ICD-11")
#: systems whose store keys keep their dot (WHO's own code forms)
_DOTTED = frozenset({"ICD-9-CM", "ICD-10", "ICD-11"})
_DIAGNOSIS = frozenset({"ICD-10-CM", "ICD-9-CM", "ICD-10", "ICD-11"})
CONTEXTS = (None, "diagnosis", "procedure")


class Candidate(NamedTuple):
    """One reading of a string (immutable; a named tuple, as batches make millions)."""

    system: str
    kind: str
    code: str                 # display form in that system
    valid: bool               # found in the loaded data
    loaded: bool              # the system's data is in the store
    reason: str
    releases: tuple[str, ...] = ()
    title: str | None = None
    score: float = 0.0
    plausible: bool = False   # found, or its system is not loaded and the shape fits

    def as_dict(self) -> dict[str, Any]:
        return {"system": self.system, "kind": self.kind, "code": self.code,
                "valid": self.valid, "loaded": self.loaded, "plausible": self.plausible,
                "reason": self.reason, "releases": list(self.releases), "title": self.title}


#: Candidate from a full 10-tuple without the keyword-handling constructor (hot paths)
_cand = tuple.__new__


class Identification:
    """The readings of one input, most likely first (immutable: batches share answers)."""

    __slots__ = ("_d", "_extra")
    _d: tuple[str, tuple[Candidate, ...], str | None]
    _extra: dict[str, Any] | None

    def __init__(self, input: str, candidates: tuple[Candidate, ...], error: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        _set_d(self, (input, tuple(candidates), error))
        _set_extra(self, extra)

    @property
    def input(self) -> str:
        """The input as written, trimmed."""
        return self._d[0]

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """Every reading, most likely first."""
        return self._d[1]

    @property
    def error(self) -> str | None:
        """Why the input cannot be a code at all, or None."""
        return self._d[2]

    @property
    def extra(self) -> dict[str, Any]:
        try:
            found = self._extra
        except AttributeError:      # the batch paths leave the slot unset (no extras)
            found = None
        if found is None:
            found = {}
            _set_extra(self, found)
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Identification:
            return NotImplemented
        return self._d == other._d  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._d)

    def __repr__(self) -> str:
        return (f"Identification(input={self.input!r}, candidates={self.candidates!r}, "
                f"error={self.error!r})")

    @property
    def best(self) -> Candidate | None:
        cands = self._d[1]
        return cands[0] if cands else None

    @property
    def plausible(self) -> tuple[Candidate, ...]:
        """The readings that count, most likely first."""
        return tuple(c for c in self._d[1] if c.plausible)

    @property
    def ambiguous(self) -> bool:
        n = 0
        for c in self._d[1]:
            if c.plausible:
                n += 1
        return n > 1

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"input": self.input,
                             "candidates": [c.as_dict() for c in self.candidates],
                             "ambiguous": self.ambiguous}
        if self.error:
            d["error"] = self.error
        elif not self.candidates:
            d["error"] = "no code system has codes of this shape"
        return d


_set_d = Identification.__dict__["_d"].__set__          # the slots' own setters
_set_extra = Identification.__dict__["_extra"].__set__
_new_ident = object.__new__


def _ident(input: str, candidates: tuple[Candidate, ...], error: str | None = None
           ) -> Identification:
    """Identification without its checking constructor (hot paths)."""
    obj = _new_ident(Identification)
    _set_d(obj, (input, candidates, error))      # ``_extra`` unset: ``extra`` makes it
    return obj


class _Facts:
    """Per-store answers identify needs, cached so that batches stay fast. ``bulk()`` loads
    every code of the loaded systems into memory (for long batches: one indexed query per
    code would cost more than the rest of identify)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.releases = {s: store.releases(s) for s in _LOADABLE}
        self._names: dict[tuple[str, int], tuple[str, ...]] = {}
        self._found: dict[tuple[str, str, int], str] = {}
        self._hits: dict[str, dict[str, tuple[str, str, str, int]]] | None = None
        self.is_loaded = {s: bool(self.releases.get(s)) for s in _LOADABLE}
        self._unloaded: dict[tuple[str, str], str] = {}
        #: (reason, system, node mask) -> (reason when found, releases)
        self.found: dict[tuple[str, str, int], tuple[str, tuple[str, ...]]] = {}

    def loaded(self, system: str) -> bool:
        return bool(self.releases.get(system))

    def hit(self, system: str, key: str) -> tuple[str, str, str, int] | None:
        """(code, title, kind, node mask) of ``key`` in ``system``, or None."""
        if self._hits is not None:
            return self._hits[system].get(key)
        row = self.store.row(system, key)
        return None if row is None else (row[0], row[1], row[2], row[6])

    def bulk(self) -> None:
        if self._hits is not None:
            return
        first = itemgetter(0)
        hits: dict[str, dict[str, tuple[str, str, str, int]]] = {s: {} for s in _LOADABLE}
        for system in _LOADABLE:
            if self.loaded(system):
                rows = self.store.conn.execute(
                    "SELECT code, title, kind, node_mask FROM codes WHERE system = ?",
                    (system,)).fetchall()
                hits[system] = dict(zip(map(first, rows), rows))
        self._hits = hits

    def in_releases(self, system: str, mask: int) -> tuple[str, ...]:
        key = (system, mask)
        names = self._names.get(key)
        if names is None:
            names = self._names[key] = tuple(r.name for r in self.releases.get(system, [])
                                             if r.bit & mask)
        return names

    def found_reason(self, reason: str, system: str, mask: int) -> str:
        key = (reason, system, mask)
        text = self._found.get(key)
        if text is None:
            names = self.in_releases(system, mask)
            where = f" ({', '.join(names)})" if names else ""
            text = self._found[key] = f"{reason}; found in {system}{where}"
        return text

    def icd9_listed(self, kind: str, code: str) -> bool:
        from medcode.systems.icd9cm import display
        return self.hit("ICD-9-CM", display(code, kind)) is not None


def _facts(store: Store) -> _Facts:
    cached = getattr(store, "_identify_facts", None)
    if cached is None:
        cached = _Facts(store)
        store._identify_facts = cached  # type: ignore[attr-defined]
    return cached


def _store_key(system: str, shown: str) -> str:
    if system in _DOTTED:
        return shown                       # ICD-9-CM rows are keyed dotted (250.00, 01.01)
    return shown.replace(".", "") if "." in shown else shown


def _format_plausible(c: FormatCandidate) -> bool:
    """A reading of a system whose data is not loaded: does its shape alone make it a code?"""
    if c.system == "CPT" and c.normalized.isdigit():
        return section_range(c.normalized) is not None
    return c.system in _IMPORTED


def _judge(f: _Facts, c: FormatCandidate) -> Candidate:
    system, kind, code, reason, score = c
    loaded = f.is_loaded.get(system)
    if loaded:
        if kind == "modifier":
            return _modifier(f, c)
        key = code if system in _DOTTED or "." not in code else code.replace(".", "")
        table = f._hits
        hit = table[system].get(key) if table is not None else f.hit(system, key)
        if system in _NEVER_LOADED:         # WHO systems: found in data, never on US claims
            if hit is None:
                return _cand(Candidate, (system, kind, code, False, True,
                                         f"{reason}, but {code} is not in {system} "
                                         f"{'/'.join(f.in_releases(system, -1))}", (), None,
                                         score - 0.4, False))
            _, title, found_kind, mask = hit
            return _cand(Candidate, (system, found_kind, code, True, True,
                                     f.found_reason(reason, system, mask),
                                     f.in_releases(system, mask), title, score - 0.1, False))
        if hit is None:
            return _cand(Candidate, (system, kind, code, False, True,
                                     f"{reason}, but {code} is not in the loaded {system} data",
                                     (), None, score - 0.4, False))
        _, title, found_kind, mask = hit
        if system == "ICD-10-CM" or system == "ICD-10-PCS":
            kind = found_kind
        why = f.found.get((reason, system, mask))
        if why is None:
            why = f.found[(reason, system, mask)] = (f.found_reason(reason, system, mask),
                                                     f.in_releases(system, mask))
        return _cand(Candidate, (system, kind, code, True, True, why[0], why[1], title,
                                 score + 0.3, True))
    if system in _NEVER_LOADED:
        return _cand(Candidate, (system, kind, code, False, False,
                                 f"{reason}; {_NEVER_LOADED[system]}", (), None, score - 0.2,
                                 False))
    if kind == "modifier":
        return _modifier(f, c)
    ukey = (reason, system)
    text = f._unloaded.get(ukey)
    if text is None:
        how = f" (`medcode data import {_IMPORTED[system]} FILE`)" if system in _IMPORTED else ""
        note = ("CPT descriptors are licensed by the AMA and not loaded" if system == "CPT"
                else f"{system} data is not loaded")
        text = f._unloaded[ukey] = f"{reason}; {note}{how}: judged by format only"
    return _cand(Candidate, (system, kind, code, False, False, text, (), None, score,
                             _format_plausible(c)))


def _modifier(f: _Facts, c: FormatCandidate) -> Candidate:
    if c.system == "CPT":
        from medcode.systems.cpt import cpt_modifier
        found = cpt_modifier(c.normalized)
        if found:
            return Candidate("CPT", "modifier", c.normalized, True, True,
                             f"{c.reason}; a CPT modifier", title=str(found["name"]),
                             score=c.score + 0.3, plausible=True)
        return Candidate("CPT", "modifier", c.normalized, False, True,
                         f"{c.reason}, but not a CPT modifier", score=c.score - 0.4)
    row = f.store.conn.execute("SELECT long_description FROM hcpcs_modifier WHERE code = ?",
                               (c.normalized,)).fetchone()
    if row:
        return Candidate("HCPCS", "modifier", c.normalized, True, True,
                         f"{c.reason}; found in the HCPCS modifiers", title=row[0],
                         score=c.score + 0.3, plausible=True)
    loaded = f.loaded("HCPCS")
    return Candidate("HCPCS", "modifier", c.normalized, False, loaded,
                     f"{c.reason}; " + ("not among the loaded HCPCS modifiers" if loaded else
                                        "HCPCS modifiers are not loaded"),
                     score=c.score - (0.4 if loaded else 0), plausible=not loaded)


def _rank(context: str | None) -> Any:
    """Sort key of (candidate, shape score): plausible readings first; then, in a diagnosis
    position, diagnosis systems first; then the shape's own order (HCPCS before ICD-10-CM
    for J1100), whatever the data says."""
    if context == "diagnosis":
        return lambda p: (not p[0].plausible, p[0].system not in _DIAGNOSIS, -p[1])
    if context == "procedure":
        return lambda p: (not p[0].plausible, p[0].system in _DIAGNOSIS, -p[1])
    return lambda p: (not p[0].plausible, -p[1])


_RANKS = {ctx: _rank(ctx) for ctx in CONTEXTS}


def _check_context(context: str | None) -> None:
    if context not in _RANKS:
        raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")


def _readings(f: _Facts, s: str, rank: Any) -> tuple[Candidate, ...]:
    """The judged readings of the normalised string ``s``, most likely first."""
    shapes = shapes_of(s, f.icd9_listed)
    if len(shapes) == 1:
        return (_judge(f, shapes[0]),)
    pairs = [(_judge(f, c), c.score) for c in shapes]
    pairs.sort(key=rank)
    return tuple([p[0] for p in pairs])


def _identify(f: _Facts, raw: str, rank: Any,
              judged: dict[str, tuple[Candidate, ...]] | None = None) -> Identification:
    """``judged``: readings already worked out for a normalised string (identify_many:
    " e11.9" and "E11.9" differ as input, not in what they are)."""
    try:
        if type(raw) is str:
            shown = raw.strip()
            s = shown.upper() if _PLAIN(shown) else normalize_input(raw)
        else:
            s = normalize_input(raw)
            shown = str(raw).strip()[:40]
    except InvalidCode as exc:
        shown = str(raw).strip()[:40] if not isinstance(raw, bytes) else repr(raw[:40])
        return _ident(shown, (), str(exc))
    if judged is None:
        return _ident(shown, _readings(f, s, rank))
    cands = judged.get(s)
    if cands is None:
        cands = _readings(f, s, rank)
        if len(judged) < JUDGED_MAX:
            judged[s] = cands
    return _ident(shown, cands)


def identify(store: Store, raw: str, context: str | None = None) -> Identification:
    """Every system ``raw`` can belong to, most likely first, each with its reason.

    ``context`` is where the string was written: None (unknown), "diagnosis" (a diagnosis
    slot of a claim) or "procedure" (a service line)."""
    _check_context(context)
    return _identify(_facts(store), raw, _RANKS[context])


#: normalised strings whose readings identify_many remembers (" e11.9" reuses "E11.9")
JUDGED_MAX = 200_000
#: distinct codes after which identify_many loads every code into memory
BULK_AFTER = 4096


def identify_many(store: Store, codes: Iterable[str], memo_size: int = 200_000,
                  context: str | None = None) -> Iterator[Identification]:
    """identify() over a stream of codes. Claim data repeats the same codes over and over:
    answers are remembered per input string (up to ``memo_size`` distinct ones), so a
    batch costs one full identification per distinct code. Past ``BULK_AFTER`` distinct
    codes the loaded code lists are read into memory once (about a second), so that a long
    batch of all-different codes needs no query per code. A list or tuple is worked through
    a slice at a time (``fastreadings.identify_slices``); any other iterable input by input,
    nothing read ahead. The answers are the same either way."""
    _check_context(context)
    f = _facts(store)
    if isinstance(codes, (list, tuple)):
        from medcode.codes.fastreadings import identify_slices
        return identify_slices(f, codes, memo_size, context)
    return _identify_each(f, codes, memo_size, context)


def _identify_each(f: _Facts, codes: Iterable[str], memo_size: int, context: str | None
                   ) -> Iterator[Identification]:
    """identify_many input by input (a stream: nothing is read ahead)."""
    rank = _RANKS[context]
    memo: dict[str, Identification] = {}
    judged: dict[str, tuple[Candidate, ...]] = {}
    get = memo.get
    seen = 0
    fast = None
    new, set_d = _new_ident, _set_d
    for raw in codes:
        hit = get(raw)
        if hit is None:
            seen += 1
            if seen == BULK_AFTER:
                f.bulk()
                from medcode.codes.fastreadings import fast_readings
                fast = fast_readings(f, context)
            if fast is not None and type(raw) is str:
                shown = raw.strip()
                # what _identify does, with the short path first (and _PLAIN's common cases
                # without the regular expression: ASCII letters and digits, maybe dots)
                if (shown.isascii() and len(shown) <= 40 and (
                        shown.isalnum() or shown.replace(".", "").isalnum())) or _PLAIN(shown):
                    s = shown.upper()
                    cands = judged.get(s)
                    if cands is None:
                        cands = fast(s) or _readings(f, s, rank)
                        if len(judged) < JUDGED_MAX:
                            judged[s] = cands
                    hit = new(Identification)
                    set_d(hit, (shown, cands, None))
                else:
                    hit = _identify(f, raw, rank, judged)
            else:
                hit = _identify(f, raw, rank, judged)
            if seen <= memo_size:
                memo[raw] = hit
        yield hit
