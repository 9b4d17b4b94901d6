"""Load the relevance set and score a search function on it (shared by tests and bench)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

RELEVANCE = Path(__file__).with_name("relevance.tsv")
#: written before looking at medcode's output (issue 13): scored and reported apart
BLIND = Path(__file__).with_name("relevance_blind.tsv")
#: drawn blind from the official Drug/Neoplasm/External Cause tables (make_index_queries.py)
INDEX = Path(__file__).with_name("relevance_index.tsv")
#: a second blind set, written before its queries were run (issue 13, helper i13r): measures
#: whether the lexicon and query reading generalise beyond the first blind set
BLIND2 = Path(__file__).with_name("relevance_blind2.tsv")
#: a third blind set, written before its queries were run (issue 13, helper s13r)
BLIND3 = Path(__file__).with_name("relevance_blind3.tsv")
#: a fourth blind set, written before its queries were run (issue 13, helper s13d): reported
#: only (no floor until it has a first measured score)
BLIND4 = Path(__file__).with_name("relevance_blind4.tsv")
#: a fifth blind set, written before its queries were run (issue 13, helper s13h) by a helper
#: that never saw medcode's search code or answers
BLIND5 = Path(__file__).with_name("relevance_blind5.tsv")
#: a sixth blind set, written without running medcode search (issue 13, helper s13k); first
#: measured on a61b5aa, code that never saw it
BLIND6 = Path(__file__).with_name("relevance_blind6.tsv")
#: a seventh blind set, written without running medcode search (issue 13, helper s13o): reported
#: only (no floor until it has a first measured score)
BLIND7 = Path(__file__).with_name("relevance_blind7.tsv")
ALL = (RELEVANCE, BLIND, INDEX, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6, BLIND7)
SYSTEMS = {"HCPCS": "HCPCS", "PCS": "ICD-10-PCS", "CPT": "CPT", "ICD10CM": "ICD-10-CM"}


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]   # display codes; a trailing "-" means "this code or below"
    line: int
    category: str = ""
    file: str = ""

    def systems(self) -> list[tuple[str, str]]:
        """(system, code) of each accepted answer ("HCPCS:G0008" -> HCPCS)."""
        out = []
        for e in self.expected:
            prefix, sep, code = e.partition(":")
            out.append((SYSTEMS.get(prefix.upper(), prefix), code) if sep else ("ICD-10-CM", e))
        return out

    def matches(self, code: str) -> bool:
        flat = code.replace(".", "").upper()
        for e in self.expected:
            e = e.partition(":")[2] or e
            want = e.rstrip("-").replace(".", "").upper()
            if flat == want or (e.endswith("-") and flat.startswith(want)):
                return True
        return False


def load(path: Path = RELEVANCE) -> list[Case]:
    cases = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        query, _, rest = raw.partition("\t")
        codes, _, category = rest.partition("\t")
        expected = tuple(c.strip() for c in codes.split(",") if c.strip())
        if not query.strip() or not expected:
            raise ValueError(f"{path.name} line {n}: expected 'query<TAB>code[, code...]'")
        cases.append(Case(query, expected, n, category.strip() or _section(path, n),
                          path.name))
    return cases


def _section(path: Path, line: int) -> str:
    """The category of a line without one: its "# section" comment above."""
    last = ""
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if n >= line:
            break
        if raw.startswith("# ---"):
            last = "mixed (later batches)"
        elif raw.startswith("# ") and "\t" not in raw and len(raw) < 60 \
                and not raw.startswith(("# (", "# ---")):
            last = raw[2:].strip()
    return last


def load_all() -> list[Case]:
    return [c for p in ALL if p.is_file() for c in load(p)]


def by_category(cases: Sequence[Case], run: Callable[[str], list[str]]) -> dict[str, Result]:
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.category or "other", []).append(c)
    return {k: evaluate(v, run) for k, v in sorted(groups.items())}


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
