"""Mentions: where in a note an entry of the lexicon (or a learned phrase) is found."""

from __future__ import annotations

from dataclasses import dataclass

from medcode.suggester.lexicon import Lexicon
from medcode.suggester.text import PRESENT, Tok

#: extra words allowed between the words of one mention ("pain in the right renal fossa")
SLACK = 4


@dataclass(slots=True)
class Mention:
    entry: int             # index into the lexicon's entries
    first: int             # token indexes (into the note's token list), inclusive
    last: int
    toks: tuple[int, ...]  # the matched tokens
    assertion: str
    subsumed: int = -1      # entry of a longer mention of the same words (a combination)


def sentence_mentions(lex: Lexicon, toks: list[Tok], lo: int, hi: int) -> list[Mention]:
    """Mentions inside tokens[lo:hi] (one sentence)."""
    where: dict[str, list[int]] = {}
    for i in range(lo, hi):
        if not toks[i].stop:
            where.setdefault(toks[i].stem, []).append(i)
    out: list[Mention] = []
    for key, places in where.items():
        for ei in lex.by_key.get(key, ()):
            req = lex.entries[ei].req
            if not all(s in where for s in req):
                continue
            best: tuple[int, ...] | None = None
            for p in places:
                pick = [_nearest(where[s], p) for s in req]
                if best is None or max(pick) - min(pick) < max(best) - min(best):
                    best = tuple(pick)
            assert best is not None
            words = sum(1 for i in range(min(best), max(best) + 1) if not toks[i].stop)
            if words > len(req) + SLACK:
                continue
            out.append(Mention(ei, min(best), max(best), best, _assertion(toks, best)))
    _subsume(lex, out)
    return out


def _nearest(places: list[int], p: int) -> int:
    return min(places, key=lambda q: abs(q - p))


def _assertion(toks: list[Tok], picked: tuple[int, ...]) -> str:
    marks = {toks[i].assertion for i in picked}
    for what in ("negated", "family", "uncertain", "history"):
        if what in marks:
            return what
    return PRESENT


def _subsume(lex: Lexicon, ms: list[Mention]) -> None:
    """A mention whose words all belong to a longer mention is part of that one:
    "diabetic neuropathy" is E11.40, not E11.9 plus a neuropathy."""
    sets = [set(m.toks) for m in ms]
    for a, ma in enumerate(ms):
        for b, mb in enumerate(ms):
            if a != b and sets[a] < sets[b] and lex.entries[ma.entry].system == \
                    lex.entries[mb.entry].system:
                ma.subsumed = mb.entry
                break
