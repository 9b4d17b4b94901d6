"""The coders' synonym file (``medcode/data/synonyms.tsv``): abbreviation TAB expansion(s).

Keys and expansions are compared as stems with stopwords removed, so "kidney stones"
finds the entry "kidney stone". Expansions are separated by ``|``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from medcode.errors import SourceError
from medcode.textsearch.tokens import stems

FILE = "synonyms.tsv"


@dataclass(frozen=True)
class Synonym:
    phrase: str                          # as written in the file
    expansions: tuple[str, ...]          # as written
    key: tuple[str, ...]                 # stems of the phrase
    stems: tuple[tuple[str, ...], ...]   # stems of each expansion (non-empty)
    line: int


def parse(text: str, where: str = FILE) -> list[Synonym]:
    out: list[Synonym] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "\t" not in raw:
            raise SourceError(f"{where} line {n}: expected 'phrase<TAB>expansion', got {raw!r}")
        phrase, _, rest = raw.partition("\t")
        expansions = tuple(e.strip() for e in rest.split("|") if e.strip())
        key = tuple(stems(phrase))
        exp_stems = tuple(tuple(stems(e)) for e in expansions)
        if not key or not expansions or not all(exp_stems):
            raise SourceError(f"{where} line {n}: {raw.strip()!r} has an empty phrase or "
                              "expansion (stopwords alone do not count)")
        out.append(Synonym(phrase.strip(), expansions, key, exp_stems, n))
    return out


@lru_cache(maxsize=1)
def load() -> dict[tuple[str, ...], Synonym]:
    """The packaged synonyms by key (later lines extend earlier ones with the same key)."""
    text = resources.files("medcode").joinpath("data", FILE).read_text(encoding="utf-8")
    table: dict[tuple[str, ...], Synonym] = {}
    for syn in parse(text):
        prev = table.get(syn.key)
        if prev is not None:
            syn = Synonym(prev.phrase, prev.expansions + syn.expansions, syn.key,
                          prev.stems + syn.stems, prev.line)
        table[syn.key] = syn
    return table


@lru_cache(maxsize=1)
def by_head() -> dict[tuple[str, ...], list[tuple[str, Synonym]]]:
    """Phrases of 2+ words by the stems of all but their last word, with that last word
    as written: "heart att" (typing) can already mean "heart attack"."""
    from medcode.textsearch.tokens import content_words
    out: dict[tuple[str, ...], list[tuple[str, Synonym]]] = {}
    for syn in load().values():
        words = content_words(syn.phrase)
        if len(syn.key) >= 2 and len(words) == len(syn.key):
            out.setdefault(syn.key[:-1], []).append((words[-1], syn))
    return out


@lru_cache(maxsize=1)
def longest_key() -> int:
    return max((len(k) for k in load()), default=1)
