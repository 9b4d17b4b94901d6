"""Load the relevance set and score a search function on it (shared by tests and bench)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

RELEVANCE = Path(__file__).with_name("relevance.tsv")


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]   # display codes; a trailing "-" means "this code or below"
    line: int

    def matches(self, code: str) -> bool:
        flat = code.replace(".", "").upper()
        for e in self.expected:
            want = e.rstrip("-").replace(".", "").upper()
            if flat == want or (e.endswith("-") and flat.startswith(want)):
                return True
        return False


def load(path: Path = RELEVANCE) -> list[Case]:
    cases = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        query, _, codes = raw.partition("\t")
        expected = tuple(c.strip() for c in codes.split(",") if c.strip())
        if not query.strip() or not expected:
            raise ValueError(f"{path.name} line {n}: expected 'query<TAB>code[, code...]'")
        cases.append(Case(query, expected, n))
    return cases


@dataclass
class Result:
    n: int
    hit1: float
    hit5: float
    mrr: float
    misses: list[tuple[Case, list[str]]]   # (case, top-5 codes) for hit@5 failures
    not_first: list[tuple[Case, list[str]]]


def evaluate(cases: Sequence[Case], run: Callable[[str], list[str]]) -> Result:
    """``run(query)`` returns codes best first; rank counts within the first 10."""
    h1 = h5 = 0
    rr = 0.0
    misses: list[tuple[Case, list[str]]] = []
    not_first: list[tuple[Case, list[str]]] = []
    for case in cases:
        codes = run(case.query)[:10]
        rank = next((i for i, c in enumerate(codes, 1) if case.matches(c)), None)
        if rank == 1:
            h1 += 1
        elif codes[:5]:
            not_first.append((case, codes[:5]))
        if rank is not None and rank <= 5:
            h5 += 1
        else:
            misses.append((case, codes[:5]))
        if rank is not None:
            rr += 1.0 / rank
    n = len(cases)
    return Result(n, h1 / n, h5 / n, rr / n, misses, not_first)
