"""Code references in the free text of ICD-10-CM notes: parse them, match codes against them.

The tabular's Excludes1, "code first" and "use additional code" notes name codes in prose::

    type 1 diabetes mellitus (E10.-)                      a category and everything below
    (E00-E07, E15-E16, E20-E34)                           ranges of categories, a list
    diabetes mellitus (E08-E13 with .42)                  a range narrowed by characters 4-5
    (B27.0-B27.9 with fifth character 1)                  ... by the 5th character
    (T36-T65 with fifth or sixth character 1-4)           ... by the intent character
    (I69. with final characters -23)                      ... by the last characters
    (S52.- with open fracture 7th character)              ... by words of the code's title
    (M84.4.-)                                             a typo in the official data = M84.4-
    code from category O08 to identify ...                references outside parentheses too

``parse_refs(text)`` returns the :class:`CodePattern` s of one note; a pattern matches a
dotless code (``matches``). A range ``A-B`` matches a code when the code cut to the length of
``A`` is >= A and cut to the length of ``B`` is <= B, so ``E08-E13`` holds E11.9 and
``B50.0-B54`` holds B54. A single reference is a prefix (it names the code and everything
below it). The "fifth or sixth character N" of the poisoning chapter is the intent
character: the 6th character unless it is the placeholder X, else the 5th (T36.0X1A,
T36.91XA). A qualifier in words ("with ketoacidosis") matches codes whose title holds those
words (``title`` callback); without a title the pattern does not match.

``NoteIndex(store)`` reads a code's notes, own and inherited (walking the parents up to the
chapter), parses them once (bounded caches) and answers ``excludes(code_a, code_b)``:
does an Excludes1 note of ``code_a`` name ``code_b``? ``measure(store)`` reports the share of
notes whose every code-looking token was understood.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medcode.store.db import Store

__all__ = [
    "CodePattern",
    "NoteIndex",
    "NoteRef",
    "excludes",
    "intent_char",
    "measure",
    "parse_note",
    "parse_refs",
]

SYSTEM = "ICD-10-CM"
# a code-looking token: letter, digit, letter-or-digit, then optional .xxxx, an optional
# trailing "." (I69.), and an optional "-" / ".-" / ".-" after a typo'd dot (M84.4.-)
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9/])([A-Z][0-9][0-9A-Z])(?:\.([0-9A-Z]{1,4}))?(\.(?!\d))?(\.?-)?(?![A-Za-z0-9])")
_RANGE_GAPS = {"-", "--", "to", "-to", "through", "-through", "\u2013", "-\u2013"}
_LIST_GAP = re.compile(r"^[\s,;]*(?:(?:and|or|and/or)\s+)?[\s,]*$")
_WITH = re.compile(r"^\s*,?\s*with\s+([^();]*?)\s*(?:[);]|,\s*(?=[A-Z][0-9])|$)")
_ORD = {"fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "seventh": 6, "7th": 6}
_Q_DOTS = re.compile(r"^\.([0-9A-Z]+)-?(?:\s*-\s*\.([0-9A-Z]+)-?)?$")
_Q_POS = re.compile(r"^(fifth|sixth|seventh|5th|6th|7th)[- ]characters?\s+\.?([0-9a-z])"
                    r"(?:\s*-\s*([0-9a-z]))?$")
_Q_INTENT = re.compile(r"^fifth or six(?:th)? character\s+([0-9])(?:\s*-\s*([0-9]))?$")
_Q_ANY_INTENT = re.compile(r"^fifth or sixth character to indicate intent$")
_Q_SPAN = re.compile(r"^fifth to sixth characters\s+([0-9A-Z]{2})$")
_Q_FINAL = re.compile(r"^final characters\s+-?([0-9A-Z]+)$")
_Q_WORDS = re.compile(r"^(?:the\s+|an?\s+)?([a-z][a-z '\-]*?)(?:\s+(?:7th|seventh) character)?$")


def intent_char(code: str) -> str:
    """The intent character of a poisoning code: the 6th unless it is the placeholder X,
    else the 5th ('' when the code is shorter)."""
    if len(code) > 5 and code[5] != "X":
        return code[5]
    return code[4] if len(code) > 4 else ""


@dataclass(frozen=True)
class CodePattern:
    """Codes from ``lo`` to ``hi`` (dotless prefixes; equal for a single reference),
    optionally narrowed by ``chars`` ({0-based position: allowed characters}), ``intent``
    (allowed intent characters), ``suffix`` (the code's last characters before any 7th),
    ``tail`` (characters from position 3, a prefix or a range) or ``words`` (in the title)."""

    lo: str
    hi: str
    text: str
    chars: tuple[tuple[int, frozenset[str]], ...] = ()
    intent: frozenset[str] = frozenset()
    suffix: str = ""
    tail: tuple[str, str] | None = None
    words: str = ""

    def in_range(self, code: str) -> bool:
        return self.lo <= code[:len(self.lo)] and code[:len(self.hi)] <= self.hi

    def matches(self, code: str, title: Callable[[str], str | None] | None = None) -> bool:
        if not (self.lo <= code[:len(self.lo)] and code[:len(self.hi)] <= self.hi):
            return False
        for pos, allowed in self.chars:
            if len(code) <= pos or code[pos] not in allowed:
                return False
        if self.intent and intent_char(code) not in self.intent:
            return False
        if self.suffix and not code[:6].endswith(self.suffix):
            return False
        if self.tail is not None:
            a, b = self.tail
            if not (a <= code[3:3 + len(a)] and code[3:3 + len(b)] <= b):
                return False
        if self.words:
            name = title(code) if title is not None else None
            if not name or self.words not in name.lower():
                return False
        return True

    @property
    def display(self) -> str:
        return self.text


@dataclass(frozen=True)
class NoteRef:
    """One note's text, its patterns, whether every code-looking token was understood, and
    the tokens that were not."""

    text: str
    patterns: tuple[CodePattern, ...]
    complete: bool
    unknown: tuple[str, ...] = field(default=())


def _dotless(cat: str, rest: str | None) -> str:
    return cat + (rest or "")


def _qualifier(q: str) -> dict[str, Any] | None:
    """The narrowing a ``with ...`` phrase asks for, or None when not understood."""
    q = " ".join(q.split())
    low = q.lower()
    m = _Q_DOTS.match(q)
    if m:
        a = m.group(1)
        return {"tail": (a, m.group(2) or a)}
    m = _Q_POS.match(low)
    if m:
        pos = _ORD[m.group(1)]
        a, b = m.group(2).upper(), (m.group(3) or m.group(2)).upper()
        allowed = frozenset(chr(c) for c in range(ord(a), ord(b) + 1))
        return {"chars": ((pos, allowed),)}
    m = _Q_INTENT.match(low)
    if m:
        a, b = m.group(1), m.group(2) or m.group(1)
        return {"intent": frozenset(str(d) for d in range(int(a), int(b) + 1))}
    if _Q_ANY_INTENT.match(low):
        return {}
    m = _Q_SPAN.match(low)
    if m:
        s = m.group(1).upper()
        return {"chars": ((4, frozenset(s[0])), (5, frozenset(s[1])))}
    m = _Q_FINAL.match(low)
    if m:
        return {"suffix": m.group(1).upper()}
    m = _Q_WORDS.match(low)
    if m:
        return {"words": m.group(1).strip()}
    return None


def parse_note(text: str, known: Callable[[str], bool] | None = None) -> NoteRef:
    """Parse one note. ``known(dotless_prefix)`` (optional) tells whether a referenced code
    exists; a token outside parentheses whose category is unknown is taken for a word
    (``H1N1`` never matches; ``B12`` in "vitamin B12" does not count), inside parentheses it
    is a reference that was not understood."""
    toks = list(_TOKEN.finditer(text))
    items: list[tuple[str, str, int, int]] = []     # lo, hi, start, end
    unknown: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        lo = _dotless(t.group(1), t.group(2))
        hi, end = lo, t.end()
        if i + 1 < len(toks):
            nxt = toks[i + 1]
            gap = ("-" if t.group(4) else "") + text[t.end():nxt.start()]
            if gap.replace(" ", "").lower() in _RANGE_GAPS:
                hi, end = _dotless(nxt.group(1), nxt.group(2)), nxt.end()
                i += 1
        if known is not None:
            # a single reference must name a node; a range only needs its categories (its
            # ends may be retired codes: R10.1-R10.4- after R10.4 was deleted)
            ends = {lo} if lo == hi else {lo[:3], hi[:3]}
            bad = sorted(c for c in ends if not known(c))
            if bad:
                inside = text.rfind("(", 0, t.start()) > text.rfind(")", 0, t.start())
                if inside or any(known(c[:3]) for c in bad):
                    unknown.extend(bad)     # a reference that names no code
                i += 1                      # else a word such as B12 in "vitamin B12"
                continue
        items.append((lo, hi, t.start(), end))
        i += 1
    patterns: list[CodePattern] = []
    group: list[tuple[str, str, int, int]] = []
    for n, item in enumerate(items):
        group.append(item)
        following = text[item[3]:items[n + 1][2]] if n + 1 < len(items) else text[item[3]:]
        m = _WITH.match(following)
        if m is None and n + 1 < len(items) and _LIST_GAP.match(following):
            continue                        # the list goes on: a later "with" covers it
        qual: dict[str, Any] = {}
        if m is not None:
            parsed = _qualifier(m.group(1))
            if parsed is None:
                unknown.append("with " + m.group(1))
                parsed = {"words": " ".join(m.group(1).lower().split())}
            qual = parsed
        for lo, hi, s, e in group:
            shown = text[s:e] + (f" with {m.group(1).strip()}" if m is not None else "")
            patterns.append(CodePattern(lo, hi, shown, **qual))
        group = []
    return NoteRef(text, tuple(patterns), not unknown, tuple(unknown))


@lru_cache(maxsize=16384)
def parse_refs(text: str) -> tuple[CodePattern, ...]:
    """The code patterns of a note's text (no store: every token counts as a code)."""
    return parse_note(text).patterns


# ---- a store's notes, own and inherited ---------------------------------------------------

_NOTE_KINDS = ("excludes1", "code_first", "use_additional")


class NoteIndex:
    """A code's parsed notes, own and inherited, from one store, behind bounded caches."""

    def __init__(self, store: Store, size: int = 32768, preload: bool = False) -> None:
        """``preload``: read the texts of every Excludes1 / code-first / use-additional
        note at once (about 7,700 rows for FY2026, bounded by the data), so that a code's
        own notes cost no query; parsing stays lazy."""
        self.store = store
        self._texts: dict[str, list[tuple[str, str]]] | None = None
        if preload:
            texts: dict[str, list[tuple[str, str]]] = {}
            for code, kind, text in store.conn.execute(
                    "SELECT code, kind, text FROM notes WHERE system = 'ICD-10-CM' AND kind IN "
                    "('excludes1','code_first','use_additional') ORDER BY code, kind, seq"):
                texts.setdefault(code, []).append((kind, text))
            self._texts = texts
        self._sql_row = ("SELECT title, parent, kind FROM codes WHERE system = 'ICD-10-CM' "
                         "AND code = ?")
        self._sql_notes = ("SELECT kind, text FROM notes WHERE system = 'ICD-10-CM' AND "
                           "code = ? AND kind IN ('excludes1','code_first','use_additional') "
                           "ORDER BY kind, seq")
        self.node = lru_cache(maxsize=size)(self._node)
        self.own = lru_cache(maxsize=size)(self._own)
        self.known = lru_cache(maxsize=size)(self._known)

    def _node(self, code: str) -> tuple[str, str | None, str] | None:
        """(title, parent, kind) of a tabular node, or None."""
        row = self.store.conn.execute(self._sql_row, (code,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def may_have_notes(self, code: str) -> bool:
        """False when the preloaded note texts show that ``code`` has no note of its own
        (``own`` would be empty); True otherwise."""
        return self._texts is None or code in self._texts

    def _known(self, prefix: str) -> bool:
        return self.node(prefix) is not None

    def title(self, code: str) -> str | None:
        n = self.node(code)
        return n[0] if n else None

    def chain(self, code: str) -> tuple[str, ...]:
        """``code`` and its ancestors up to the chapter (nodes that exist)."""
        out: list[str] = []
        cur: str | None = code
        while cur and len(out) < 12:
            n = self.node(cur)
            if n is None:
                break
            out.append(cur)
            cur = n[1]
        return tuple(out)

    def _own(self, code: str) -> dict[str, tuple[NoteRef, ...]]:
        """The node's own excludes1 / code_first / use_additional notes, parsed."""
        out: dict[str, list[NoteRef]] = {}
        rows: Iterable[tuple[str, str]] = (
            self._texts.get(code, ()) if self._texts is not None
            else self.store.conn.execute(self._sql_notes, (code,)))
        for kind, text in rows:
            out.setdefault(kind, []).append(parse_note(text, self.known))
        return {k: tuple(v) for k, v in out.items()}

    def inherited(self, code: str, kind: str) -> list[tuple[str, NoteRef]]:
        """(defining node, note) for ``kind`` notes of ``code`` and all its ancestors."""
        return [(node, ref) for node in self.chain(code) for ref in self.own(node).get(kind, ())]

    def excludes(self, code_a: str, code_b: str) -> NoteRef | None:
        """The Excludes1 note of ``code_a`` (own or inherited) that names ``code_b``, if any.
        A pattern that also covers ``code_a`` itself is skipped (a note never excludes the
        code it sits under)."""
        a, b = _clean(code_a), _clean(code_b)
        for _node, ref in self.inherited(a, "excludes1"):
            for p in ref.patterns:
                if p.matches(b, self.title) and not p.in_range(a):
                    return ref
        return None


def _clean(code: str) -> str:
    return code.strip().upper().replace(".", "")


def excludes(code_a: str, code_b: str, store: Store | None = None) -> bool:
    """True when an Excludes1 note of ``code_a`` (own or inherited) names ``code_b``.
    Directional: check both orders to know whether two codes may be reported together."""
    if store is None:
        from medcode.store.open import open_store
        store = open_store()
    return _index_for(store).excludes(code_a, code_b) is not None


_INDEXES: dict[int, tuple[Any, NoteIndex]] = {}


def _index_for(store: Store) -> NoteIndex:
    hit = _INDEXES.get(id(store))
    if hit is None or hit[0] is not store:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        hit = (store, NoteIndex(store))
        _INDEXES[id(store)] = hit
    return hit[1]


def measure(store: Store, kinds: Iterable[str] = ("excludes1", "code_first")
            ) -> dict[str, Any]:
    """How many notes of ``kinds`` parse completely (every code-looking token understood).

    Returns {"notes", "with_codes", "complete", "complete_with_codes", "share",
    "share_with_codes", "failures": [(code, kind, text, unknown tokens), ...]}. ``share``
    counts every note (a note without any code is complete); ``share_with_codes`` only the
    notes that name at least one code-looking token, the stricter figure."""
    idx = NoteIndex(store)
    marks = ",".join("?" * len(tuple(kinds)))
    rows = store.conn.execute(f"SELECT code, kind, text FROM notes WHERE system = ? AND kind "
                              f"IN ({marks}) ORDER BY code, kind, seq",
                              (SYSTEM, *kinds)).fetchall()
    total = with_codes = complete = complete_codes = 0
    failures = []
    for code, kind, text in rows:
        ref = parse_note(text, idx.known)
        has = bool(_TOKEN.search(text))
        total += 1
        with_codes += has
        if ref.complete:
            complete += 1
            complete_codes += has
        else:
            failures.append((code, kind, text, ref.unknown))
    return {"notes": total, "with_codes": with_codes, "complete": complete,
            "complete_with_codes": complete_codes,
            "share": complete / total if total else 1.0,
            "share_with_codes": complete_codes / with_codes if with_codes else 1.0,
            "failures": failures}
