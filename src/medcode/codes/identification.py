"""Which code system(s) a string belongs to, and why: shape first, then the loaded data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from medcode.errors import InvalidCode
from medcode.store.db import Store
from medcode.systems.formats import FormatCandidate, format_candidates

#: systems whose code list may be absent from a store until the user imports it
_IMPORTED = {"CPT": "cpt", "HCPCS": "hcpcs"}
_NEVER_LOADED = {"ICD-10": "WHO ICD-10 is not loaded (format only)",
                 "ICD-11": "ICD-11 is not loaded (format only)"}


@dataclass(frozen=True)
class Candidate:
    system: str
    kind: str
    code: str                 # display form in that system
    valid: bool               # found in the loaded data
    loaded: bool              # the system's data is in the store
    reason: str
    releases: tuple[str, ...] = ()
    title: str | None = None
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"system": self.system, "kind": self.kind, "code": self.code,
                "valid": self.valid, "loaded": self.loaded, "reason": self.reason,
                "releases": list(self.releases), "title": self.title}


@dataclass(frozen=True)
class Identification:
    input: str
    candidates: tuple[Candidate, ...]
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def ambiguous(self) -> bool:
        return sum(1 for c in self.candidates if c.valid) > 1

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"input": self.input,
                             "candidates": [c.as_dict() for c in self.candidates],
                             "ambiguous": self.ambiguous}
        if self.error:
            d["error"] = self.error
        elif not self.candidates:
            d["error"] = "no code system has codes of this shape"
        return d


class _Facts:
    """Per-store answers identify needs: cached so that batches stay fast."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.releases = {s: [r for r in store.releases(s)] for s in
                         ("ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "CPT", "HCPCS")}

    def loaded(self, system: str) -> bool:
        return bool(self.releases.get(system))

    def row(self, system: str, key: str) -> tuple | None:
        return self.store.row(system, key)

    def in_releases(self, system: str, mask: int) -> tuple[str, ...]:
        return tuple(r.name for r in self.releases.get(system, []) if r.bit & mask)


def _facts(store: Store) -> _Facts:
    cached = getattr(store, "_identify_facts", None)
    if cached is None:
        cached = _Facts(store)
        store._identify_facts = cached  # type: ignore[attr-defined]
    return cached


def _store_key(system: str, shown: str) -> str:
    if system == "ICD-9-CM":
        return shown                       # ICD-9-CM rows are keyed dotted (250.00, 01.01)
    return shown.replace(".", "")


def _judge(f: _Facts, c: FormatCandidate) -> Candidate:
    system = c.system
    if system in _NEVER_LOADED:
        return Candidate(system, c.kind, c.normalized, False, False,
                         f"{c.reason}; {_NEVER_LOADED[system]}", score=c.score - 0.2)
    if c.kind == "modifier":
        return _modifier(f, c)
    if not f.loaded(system):
        how = f" (`medcode data import {_IMPORTED[system]} FILE`)" if system in _IMPORTED else ""
        note = ("CPT descriptors are licensed by the AMA and not loaded" if system == "CPT"
                else f"{system} data is not loaded")
        return Candidate(system, c.kind, c.normalized, False, False,
                         f"{c.reason}; {note}{how}: judged by format only", score=c.score)
    row = f.row(system, _store_key(system, c.normalized))
    if row is None:
        return Candidate(system, c.kind, c.normalized, False, True,
                         f"{c.reason}, but {c.normalized} is not in the loaded {system} data",
                         score=c.score - 0.4)
    releases = f.in_releases(system, row[6])
    kind = row[2] if system in ("ICD-10-CM", "ICD-10-PCS") else c.kind
    where = f" ({', '.join(releases)})" if releases else ""
    return Candidate(system, kind, c.normalized, True, True,
                     f"{c.reason}; found in {system}{where}", releases, row[1], c.score + 0.3)


def _modifier(f: _Facts, c: FormatCandidate) -> Candidate:
    if c.system == "CPT":
        from medcode.systems.cpt import cpt_modifier
        found = cpt_modifier(c.normalized)
        if found:
            return Candidate("CPT", "modifier", c.normalized, True, True,
                             f"{c.reason}; a CPT modifier", title=str(found["name"]),
                             score=c.score + 0.3)
        return Candidate("CPT", "modifier", c.normalized, False, True,
                         f"{c.reason}, but not a CPT modifier", score=c.score - 0.4)
    row = f.store.conn.execute("SELECT long_description FROM hcpcs_modifier WHERE code = ?",
                               (c.normalized,)).fetchone()
    if row:
        return Candidate("HCPCS", "modifier", c.normalized, True, True,
                         f"{c.reason}; found in the HCPCS modifiers", title=row[0],
                         score=c.score + 0.3)
    loaded = f.loaded("HCPCS")
    return Candidate("HCPCS", "modifier", c.normalized, False, loaded,
                     f"{c.reason}; " + ("not among the loaded HCPCS modifiers" if loaded else
                                        "HCPCS modifiers are not loaded"),
                     score=c.score - (0.4 if loaded else 0))


def identify(store: Store, raw: str) -> Identification:
    """Every system ``raw`` can belong to, most likely first, each with its reason."""
    shown = str(raw).strip()[:40] if not isinstance(raw, bytes) else repr(raw[:40])
    f = _facts(store)

    def listed(kind: str, code: str) -> bool:
        from medcode.systems.icd9cm import display
        return f.row("ICD-9-CM", display(code, kind)) is not None

    try:
        shapes = format_candidates(raw, icd9_listed=listed)
    except InvalidCode as exc:
        return Identification(shown, (), str(exc))
    judged = sorted((_judge(f, c) for c in shapes), key=lambda c: -c.score)
    return Identification(shown, tuple(judged))


def identify_many(store: Store, codes: Iterable[str],
                  memo_size: int = 200_000) -> Iterator[Identification]:
    """identify() over a stream of codes. Claim data repeats the same codes over and over:
    answers are remembered per input string (up to ``memo_size`` distinct ones), so a
    batch costs one full identification per distinct code."""
    memo: dict[str, Identification] = {}
    get = memo.get
    for raw in codes:
        hit = get(raw)
        if hit is None:
            hit = identify(store, raw)
            if len(memo) < memo_size:
                memo[raw] = hit
        yield hit
