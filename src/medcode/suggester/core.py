"""suggest(): a note in, ranked codes out, each with the words that justify it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from medcode.errors import InvalidCode, NoRelease
from medcode.suggester.lexicon import CM, PCS, Lexicon, lexicon
from medcode.suggester.match import Mention, sentence_mentions
from medcode.suggester.model import FEATURES, Model, crossed, key, packaged
from medcode.suggester.text import PRESENT, Tok, tokenize

MAX_CHARS = 200_000
ASSOC_PAIRS = 2         # notes a (gram, code) pair is counted in before it is kept
ASSOC_MIN = 0.15        # a learned phrase proposes a code when P(code | phrase) reaches this
_SMOOTH = 2.0


@dataclass
class Suggestion:
    code: str                 # display form: E11.40, S72.001A, 0DTJ4ZZ, BN20
    system: str
    title: str
    score: float
    evidence: list[dict[str, Any]]
    assertion: str = PRESENT  # present | negated | uncertain | family | history
    billable: bool = True
    undetermined: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    #: the tabular's pairing notes on the code or its headers: {kind, code (where), text}
    instructions: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "system": self.system, "title": self.title,
                "score": self.score, "evidence": self.evidence, "assertion": self.assertion,
                "billable": self.billable, "undetermined": self.undetermined, "why": self.why,
                "instructions": self.instructions}


@dataclass
class _Cand:
    system: str
    code: str
    mentions: list[Mention] = field(default_factory=list)
    assoc: list[tuple[float, str, tuple[int, ...]]] = field(default_factory=list)
    search: float = 0.0
    knn: float = 0.0          # share of the nearest training notes coded with it
    knn_n: int = 0
    sibs: int = 0             # other candidates of the same category (3 characters)
    best_in_cat: bool = True  # the strongest learned association of its category
    #: its strongest learned phrase: notes it was counted in with the code, and whether
    #: every place of it in this note is negated ("no adenopathies")
    assoc_p: float = -1.0
    assoc_n: int = 0
    assoc_neg: bool = False


def grams(toks: list[Tok]) -> dict[str, list[tuple[int, ...]]]:
    """Word stems and adjacent stem pairs of a note (within sentences) -> where they are."""
    out: dict[str, list[tuple[int, ...]]] = {}
    prev: int | None = None
    for i, t in enumerate(toks):
        if t.stop or len(t.stem) < 2 or t.stem.isdigit():
            continue
        out.setdefault(t.stem, []).append((i,))
        if prev is not None and toks[prev].sent == t.sent and i - prev <= 2:
            out.setdefault(toks[prev].stem + " " + t.stem, []).append((prev, i))
        prev = i
    return out


def stem_counts(toks: list[Tok]) -> dict[str, int]:
    """How often each content stem is in a note (what the nearest notes are found by)."""
    out: dict[str, int] = {}
    for t in toks:
        if not t.stop and len(t.stem) >= 2 and not t.stem.isdigit():
            out[t.stem] = out.get(t.stem, 0) + 1
    return out


def display(system: str, code: str) -> str:
    if system == CM and len(code) > 3:
        return code[:3] + "." + code[3:]
    return code


def _systems(store: Any, system: str | None, on: dt.date | None) -> dict[str, int]:
    """system -> bit of its release in force on ``on`` (the newest without a date)."""
    if system is not None:
        from medcode.models import CodeSystem
        try:
            name = CodeSystem.parse(str(system)).value
        except ValueError as exc:
            raise InvalidCode(str(exc)) from None
        if name not in (CM, PCS):
            raise InvalidCode(f"suggest proposes ICD-10-CM and ICD-10-PCS codes, not {name}")
        wanted = [name]
    else:
        wanted = [CM, PCS]
    out: dict[str, int] = {}
    for s in wanted:
        try:
            out[s] = store.resolve(s, on=on).bit or -1
        except NoRelease:
            if system is not None:
                raise
    return out


def analyse(store: Any, text: str, systems: dict[str, int], model: Model,
            loo: tuple[set[str], set[str]] | None = None, use_search: bool = False,
            skip: int = -1) -> tuple[list[Tok], dict[tuple[str, str], _Cand], list[float] | None]:
    """Candidates of a note (``loo``: this note's grams and gold keys, left out of the
    counts when the note is itself a training note; ``skip``: its place among the model's
    nearest-neighbour notes)."""
    lex = lexicon(store)
    toks, sents = tokenize(text)
    cands: dict[tuple[str, str], _Cand] = {}
    lo = 0
    for n in range(len(sents)):
        hi = lo
        while hi < len(toks) and toks[hi].sent == n:
            hi += 1
        for m in sentence_mentions(lex, toks, lo, hi):
            e = lex.entries[m.entry]
            if e.system in systems and e.billable_mask & systems[e.system]:
                c = cands.setdefault((e.system, e.code), _Cand(e.system, e.code))
                c.mentions.append(m)
        lo = hi
    if model.assoc and loo is None:     # the fast path: pairs above the threshold only
        fast = _fast_assoc(model)
        for g, places in grams(toks).items():
            for system, code, p, n_gc in fast.get(g, ()):
                if system in systems and _valid(store, lex, system, code, systems[system]):
                    c = cands.setdefault((system, code), _Cand(system, code))
                    _add_assoc(c, toks, p, n_gc, g, places)
    elif model.assoc and loo is not None:
        g_in, gold = loo
        for g, places in grams(toks).items():
            pairs = model.assoc.get(g)
            if not pairs:
                continue
            df = model.df.get(g, 0) - (g in g_in)
            for k, n_gc in pairs:
                n_gc -= k in gold
                if n_gc < ASSOC_PAIRS:   # as for an unseen note: the pair needs other notes
                    continue
                p = n_gc / (df + _SMOOTH)
                if p < ASSOC_MIN:
                    continue
                system, _, code = k.partition(":")
                system = CM if system == "CM" else PCS
                if system not in systems or not _valid(store, lex, system, code,
                                                       systems[system]):
                    continue
                c = cands.setdefault((system, code), _Cand(system, code))
                _add_assoc(c, toks, p, n_gc, g, places)
    for k, (share, n) in model.neighbours(stem_counts(toks), skip=skip).items():
        system, _, code = k.partition(":")
        system = CM if system == "CM" else PCS
        voted = cands.get((system, code))
        if voted is not None:  # a vote, never a proposal: every suggestion has words behind it
            voted.knn, voted.knn_n = share, n
    cat: dict[tuple[str, str], list[_Cand]] = {}
    for c in cands.values():
        cat.setdefault((c.system, c.code[:3]), []).append(c)
    for group in cat.values():
        top = max(max((p for p, _, _ in c.assoc), default=0.0) for c in group)
        for c in group:
            c.sibs = len(group) - 1
            c.best_in_cat = max((p for p, _, _ in c.assoc), default=0.0) >= top
    if use_search:
        for a, b in sents:
            for code, system, sc in _search_sentence(store, text[a:b], systems):
                hit = cands.get((system, code))
                if hit is not None:
                    hit.search = max(hit.search, sc)
    return toks, cands, None


def _add_assoc(c: _Cand, toks: list[Tok], p: float, n_gc: int, g: str,
               places: list[tuple[int, ...]]) -> None:
    if p > c.assoc_p:
        c.assoc_p, c.assoc_n = p, n_gc
        c.assoc_neg = all(toks[i].assertion == "negated" for pl in places for i in pl)
    c.assoc.append((p, g, places[0]))


_FAST: dict[int, tuple[Model, dict[str, list[tuple[str, str, float, int]]]]] = {}


def _fast_assoc(model: Model) -> dict[str, list[tuple[str, str, float, int]]]:
    """gram -> (system, code, P(code | gram), notes of the pair) for the pairs that reach
    ASSOC_MIN."""
    hit = _FAST.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    out: dict[str, list[tuple[str, str, float, int]]] = {}
    for g, pairs in model.assoc.items():
        df = model.df.get(g, 0)
        for k, n_gc in pairs:
            p = n_gc / (df + _SMOOTH)
            if p >= ASSOC_MIN:
                system, _, code = k.partition(":")
                out.setdefault(g, []).append((CM if system == "CM" else PCS, code, p, n_gc))
    _FAST[id(model)] = (model, out)
    return out


def _valid(store: Any, lex: Lexicon, system: str, code: str, bit: int) -> bool:
    mask = lex.masks.get((system, code))
    if mask is None:
        row = store.row(system, code)
        mask = lex.masks[(system, code)] = row[5] if row else 0
    return bool(mask & bit)


def _search_sentence(store: Any, sentence: str, systems: dict[str, int]):
    from medcode.suggester.adapter import search_phrase
    for system in systems:
        yield from search_phrase(store, sentence, system, None, 5)


def features(lex: Lexicon, c: _Cand, toks: list[Tok], model: Model,
             gold: set[str] | None = None) -> list[float]:
    k = key(c.system, c.code)
    n_c = model.prior.get(k, 0) - (1 if gold and k in gold else 0)
    docs = max(1, model.docs - (1 if gold is not None else 0))
    log_prior = math.log((n_c + 0.5) / (docs + 1))
    live = [m for m in c.mentions if m.subsumed < 0]
    ms = live or c.mentions
    lex_f = 1.0 if live else 0.0
    spec = max((len(lex.entries[m.entry].req) for m in ms), default=0) / 3
    by_title = 1.0 if any(lex.entries[m.entry].source == "title" for m in ms) else 0.0
    tight = max((len(lex.entries[m.entry].req) / (m.last - m.first + 1) for m in ms), default=0)
    amax = max((p for p, _, _ in c.assoc), default=0.0)
    asum = math.log1p(sum(p for p, _, _ in c.assoc))
    nm = len(ms) or 1
    frac = {a: sum(1 for m in ms if m.assertion == a) / nm
            for a in ("negated", "uncertain", "family", "history")}
    first = min([m.first for m in ms] + [t[0] for _, _, t in c.assoc], default=0)
    pos = first / max(1, len(toks))
    sents = len({toks[m.first].sent for m in ms})
    x = [1.0, lex_f, 1.0 if c.mentions and not live else 0.0, math.log1p(len(ms)), spec,
         by_title, tight, amax, asum, log_prior, 1.0 if n_c > 0 else 0.0, frac["negated"],
         frac["uncertain"], frac["family"], frac["history"], pos, lex_f * log_prior,
         math.log1p(sents), c.search / 10, 1.0 if _other(lex, c) else 0.0]
    hit_gold, hit_cand = model.hits.get(k, (0, 0))
    if gold is not None and hit_cand:   # a training note: leave itself out
        hit_cand -= 1
        hit_gold -= k in gold
    x += [(hit_gold + 0.2) / (hit_cand + 1), math.log1p(hit_cand), amax * lex_f,
          c.knn, math.log1p(c.knn_n), c.knn * lex_f, math.log1p(c.sibs),
          1.0 if c.best_in_cat else 0.0,
          1.0 if "unspecified" in lex.titles.get((c.system, c.code), "").lower() else 0.0,
          1.0 if ms and all(lex.entries[m.entry].source in ("part", "neoplasm")
                            for m in ms) else 0.0,
          len(c.code) / 7, math.log1p(c.assoc_n), 1.0 if c.assoc_neg else 0.0]
    x += crossed(x)
    assert len(x) == len(FEATURES)
    return x


def _other(lex: Lexicon, c: _Cand) -> bool:
    """An "Other ..." title: a sibling of the default code, chosen only when the note
    names what the "other" is."""
    t = lex.titles.get((c.system, c.code), "").lower()
    return t.startswith("other") or "other specified" in t


#: a code only mentioned negated ("no fever") or about a relative is not the patient's:
#: its score is multiplied by this (CodiEsp's coders coded such mentions too, so the
#: learned weights alone would rank them as if present; a coder should not)
DEMOTE = 0.4


def suggest(store: Any, text: str, system: str | None = None, limit: int = 20,
            on: dt.date | str | None = None, model: Model | None = None,
            min_score: float = 0.0, demote: float = DEMOTE) -> list[Suggestion]:
    """Codes for a clinical note, best first, each with the spans of ``text`` behind it.
    ``demote``: factor on the score of codes mentioned only negated or about a relative."""
    if not isinstance(text, str):
        raise InvalidCode("suggest reads text (a str)")
    if len(text) > MAX_CHARS:
        raise InvalidCode(f"the note is {len(text):,} characters; suggest reads at most "
                          f"{MAX_CHARS:,} at a time")
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise InvalidCode(f"{on!r} is not a date: use YYYY-MM-DD") from None
    if not isinstance(limit, int) or limit <= 0:
        return []
    model = model or packaged()
    systems = _systems(store, system, on)
    if not systems:
        return []
    lex = lexicon(store)
    toks, cands, _ = analyse(store, text, systems, model)
    scored = {k: model.score(c.system, features(lex, c, toks, model))
              for k, c in cands.items()}
    _combine(lex, cands, scored)
    if demote != 1.0:
        for k, c in cands.items():
            live = [m for m in c.mentions if m.subsumed < 0] or c.mentions
            if live and all(m.assertion in ("negated", "family") for m in live):
                scored[k] *= demote
    best = sorted((k for k in cands if scored[k] >= min_score),
                  key=lambda k: (-round(scored[k], 4), k))[:limit]
    return [_suggestion(store, lex, cands[k], toks, text, round(scored[k], 4), systems)
            for k in best]


def _combine(lex: Lexicon, cands: dict[tuple[str, str], _Cand],
             scored: dict[tuple[str, str], float]) -> None:
    """A code whose every mention lies inside a mention of a combination code ranks below
    it ("diabetic neuropathy": E11.40 before E11.9)."""
    for k, c in cands.items():
        if not c.mentions or any(m.subsumed < 0 for m in c.mentions):
            continue
        tops = [scored.get((lex.entries[m.subsumed].system, lex.entries[m.subsumed].code), 0.0)
                for m in c.mentions]
        cap = max(tops) * 0.95
        if scored[k] > cap:
            scored[k] = cap


def _suggestion(store: Any, lex: Lexicon, c: _Cand, toks: list[Tok], text: str, score: float,
                systems: dict[str, int]) -> Suggestion:
    spans: dict[tuple[int, int], None] = {}
    why: list[str] = []
    live = [m for m in c.mentions if m.subsumed < 0] or c.mentions
    for m in live:
        spans[(toks[m.first].start, toks[m.last].end)] = None
        e = lex.entries[m.entry]
        label = f"{e.source}: {' '.join(e.req)}"
        if label not in why:
            why.append(label)
    for n, (p, g, where) in enumerate(sorted(c.assoc, reverse=True)[:3]):
        # a learned phrase is evidence when strong, or when nothing else names the code
        if p >= 0.5 or (not spans and n == 0):
            spans.setdefault((toks[where[0]].start, toks[where[-1]].end), None)
        why.append(f"learned: '{g}' (P={p:.2f} in training notes)")
    if c.knn_n:
        why.append(f"coded in {c.knn_n} of the most similar training notes")
    ordered = sorted(spans)
    merged: list[list[int]] = []
    for a, b in ordered:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    evidence = [{"text": text[a:b], "start": a, "end": b} for a, b in merged]
    marks = [m.assertion for m in live]
    assertion = PRESENT if not marks or PRESENT in marks else marks[0]
    title = lex.titles.get((c.system, c.code)) or _title(store, c.system, c.code)
    undetermined: list[str] = []
    billable = True
    if c.system == PCS and len(c.code) == 4:
        billable = False
        undetermined = ["approach (5th character)", "device (6th)", "qualifier (7th)"]
    elif c.system == CM and len(c.code) == 7 and c.code[-1] == "A" and (
            store.row(CM, c.code) or ("", "", ""))[2] == "extension":
        undetermined = ["7th character: A (initial encounter) assumed; D or S for later ones"]
    return Suggestion(display(c.system, c.code), c.system, title, score, evidence, assertion,
                      billable, undetermined, why, _instructions(store, c.system, c.code))


_PAIRING = ("use_additional", "code_also", "code_first")


def _instructions(store: Any, system: str, code: str) -> list[dict[str, str]]:
    """"Use additional code", "code also" and "code first" notes of the code and of the
    headers above it (they apply downward), nearest first."""
    if system != CM:
        return []
    out: list[dict[str, str]] = []
    node: str | None = code
    for _ in range(8):
        if not node:
            break
        row = store.row(system, node)
        if row is None:
            break
        notes = store.notes(system, node)
        for kind in _PAIRING:
            for text in notes.get(kind, ()):
                out.append({"kind": kind, "code": display(system, node), "text": text})
        node = row[3]
    return out


def _title(store: Any, system: str, code: str) -> str:
    row = store.row(system, code)
    return row[1] if row else ""
