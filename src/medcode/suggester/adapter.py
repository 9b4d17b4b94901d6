"""The one place the suggester touches medcode's text search (``medcode.textsearch``).

Everything the note reader needs from search -- the stemmer, the title reading
(required versus loosely-qualifying words) and a ranked search for a phrase -- goes
through here, so a change of the search internals is absorbed in this file alone.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from medcode.textsearch.stem import stem as _stem
from medcode.textsearch.tokens import STOPWORDS, marked_stems

__all__ = ["STOPWORDS", "search_phrase", "stem", "title_stems"]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The search index's stem of one lower-case word."""
    return _stem(word)


def title_stems(title: str, pcs: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, loose) stems of a code title: a mention must contain every required
    stem; loose ones ("unspecified", parenthesised words) only qualify."""
    req: list[str] = []
    loose: list[str] = []
    for m in marked_stems(title, pcs=pcs):
        if m[:1] in ("~", "!"):
            loose.append(m[1:])
        elif m not in req:
            req.append(m)
    return tuple(req), tuple(loose)


def search_phrase(store: Any, text: str, system: str | None, on: dt.date | None,
                  limit: int) -> list[tuple[str, str, float]]:
    """``medcode.search`` for one phrase: (stored code without dot, system, score)."""
    from medcode.textsearch import search
    return [(h.code.replace(".", ""), h.system, h.score)
            for h in search(store, text, system=system, billable=True, on=on, limit=limit)]
