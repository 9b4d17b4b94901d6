"""Check claims against the edits of the catalog (``/work/shared/RULES.md``), streaming.

    >>> for result in check_claims(read_claims("claims.jsonl"), store):
    ...     print(result.claim, result.status, len(result.findings))

``check_claims`` is a generator: it holds one claim at a time, so memory does not grow
with the number of claims. The per-code facts it needs come from the store through bounded
LRU caches shared by every call on the same store (``edits.context.facts_for``). A
``ClaimFormatError`` in the input (a record a reader could not read) becomes a failed
result with one ``CLAIM-FORMAT`` finding naming the place, so the good claims of the same
file are still checked.

Status: ``fail`` when any finding is an error, ``warn`` when any is a warning, else
``pass`` (info findings do not change the status).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from medcode.errors import ClaimFormatError
from medcode.models import Claim, Finding
from medcode.store.freshness import today as _today

if TYPE_CHECKING:
    from medcode.store.db import Store

__all__ = [
    "FORMAT_EDIT",
    "Checker",
    "ClaimResult",
    "check_claim",
    "check_claims",
    "edit_catalog",
]

FORMAT_EDIT = "CLAIM-FORMAT"
_RANK = {"error": 0, "warning": 1, "info": 2}


class ClaimResult:
    """The outcome for one claim: ``claim`` (its id), ``status`` (pass/warn/fail),
    ``findings`` (a tuple of Finding, errors first), ``source`` (where it came from)."""

    __slots__ = ("claim", "findings", "lines", "source", "status")

    def __init__(self, claim: str, findings: tuple[Finding, ...], source: str | None = None,
                 lines: int = 0) -> None:
        self.claim = claim
        self.findings = findings
        self.source = source
        self.lines = lines
        if findings:
            sev = {f.severity for f in findings}
            self.status = "fail" if "error" in sev else "warn" if "warning" in sev else "pass"
        else:
            self.status = "pass"

    def __repr__(self) -> str:
        return f"ClaimResult({self.claim!r}, {self.status!r}, {len(self.findings)} findings)"

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The contract: {"claim", "status", "findings": [Finding.as_dict(), ...]}."""
        return {"claim": self.claim, "status": self.status,
                "findings": [f.as_dict() for f in self.findings]}

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict()


def _format_result(err: ClaimFormatError, n: int) -> ClaimResult:
    where = err.where or f"record {n}"
    claim_id = f"#{n}"
    finding = Finding(FORMAT_EDIT, "error", claim_id, None, (),
                      f"This claim could not be read ({where}): {err.reason}",
                      "medcode claim readers (JSON, CSV, X12 837P, FHIR)",
                      "correct the record so that it can be read, then check it again")
    return ClaimResult(claim_id, (finding,), where)


def _order(f: Finding) -> tuple[int, int]:
    return _RANK.get(f.severity, 3), f.line if f.line is not None else 0


class Checker:
    """Runs the selected edits on claims of one store; reusable and cheap to keep."""

    def __init__(self, store: Store, edits: Iterable[str] | None = None, *,
                 preload: bool = False) -> None:
        """``preload``: read the per-code facts every claim may need at once (for a batch of
        many claims; see ``StoreFacts.preload``)."""
        from medcode.claims.edits import select
        from medcode.claims.edits.context import facts_for
        self.store = store
        self.facts = facts_for(store)
        if preload:
            self.facts.preload()
        # edits whose data the store lacks could never find anything: not run
        from medcode.claims.edits.addon import has_aoc
        from medcode.claims.edits.context import IDLE_WHEN, ClaimContext
        self._context = ClaimContext
        self._idle_when = IDLE_WHEN
        idle = {"NCCI-PTP": not self.facts.has_ptp, "NCCI-MUE": not self.facts.has_mue,
                "NCCI-RELEASE": not (self.facts.has_ptp or self.facts.has_mue),
                "ADDON-NO-PRIMARY": not has_aoc(self.facts)}
        self.edits = [(e.id, e.func) for e in select(edits) if not idle.get(e.id)]
        self._funcs = tuple(func for _id, func in self.edits)
        #: the edits to run per ``ClaimContext.idle`` value (those that could find something)
        self._by_idle: dict[int, tuple[Any, ...]] = {0: self._funcs}
        self.today = _today()      # "in the future" is judged against the run's day

    def check(self, claim: Claim) -> ClaimResult:
        ctx = self._context(claim, self.facts, self.today)
        found: list[Finding] = []
        funcs = self._by_idle.get(ctx.idle)
        if funcs is None:
            when = self._idle_when
            funcs = self._by_idle[ctx.idle] = tuple(
                func for eid, func in self.edits if not when.get(eid, 0) & ctx.idle)
        for func in funcs:
            got = func(claim, ctx)      # a list (empty for most edits on most claims)
            if got:
                found += got
        if len(found) > 1:
            found.sort(key=_order)
        return ClaimResult(claim.id, tuple(found), claim.source, len(claim.lines))


def check_claims(claims: Iterable[Claim | ClaimFormatError], store: Store | None = None, *,
                 edits: set[str] | Iterable[str] | None = None, preload: bool = False
                 ) -> Iterator[ClaimResult]:
    """Check each claim, in order, yielding one ClaimResult per input item (streaming).

    ``store`` None opens the default store. ``edits`` narrows the run to these edit IDs
    (ValueError for an unknown ID, raised before the first claim is read). An input item
    that is a ClaimFormatError yields a failed result with a CLAIM-FORMAT finding.
    ``preload`` (for many claims) reads the per-code facts at once; answers do not change.
    """
    if store is None:
        from medcode.store.open import open_store
        store = open_store()
    checker = Checker(store, edits, preload=preload)
    return _run(checker, claims)


def _run(checker: Checker, claims: Iterable[Claim | ClaimFormatError]) -> Iterator[ClaimResult]:
    for n, item in enumerate(claims, 1):
        if isinstance(item, ClaimFormatError):
            yield _format_result(item, n)
        else:
            yield checker.check(item)


def check_claim(claim: Claim, store: Store | None = None, *,
                edits: Iterable[str] | None = None) -> ClaimResult:
    """Check one claim."""
    return next(iter(check_claims([claim], store, edits=edits)))


def edit_catalog() -> list[dict[str, str]]:
    """Every edit medcode runs, and the catalog edits it does not: id, severity, family,
    summary, reference (or, for the missing ones, why)."""
    from medcode.claims.edits import NOT_IMPLEMENTED, registry
    out = [{"id": e.id, "severity": e.severity, "family": e.family, "summary": e.summary,
            "reference": e.reference, "denial": e.denial, "implemented": "yes"}
           for e in registry().values()]
    out.append({"id": FORMAT_EDIT, "severity": "error", "family": "engine",
                "summary": "a claim record that could not be read",
                "reference": "medcode claim readers", "denial": "", "implemented": "yes"})
    out.extend({"id": k, "severity": "error", "family": "", "summary": v, "reference": "",
                "denial": "", "implemented": "no"} for k, v in NOT_IMPLEMENTED.items())
    return out
