"""Text to search tokens: the one normaliser the index and the queries share.

Tokens are lower-case ASCII letters/digits; everything else separates them. FTS syntax
never reaches SQLite from the user: queries are rebuilt from these tokens, each quoted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from medcode.textsearch.stem import stem

#: dropped on both sides (they carry no meaning a code title depends on)
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
     "its", "of", "on", "or", "than", "that", "the", "this", "to", "was", "were", "which", "due",
     "with"])

#: query words that make negated title words ("without complications") count as matches
NEGATORS = frozenset({"without", "no", "not", "except", "wo", "non"})

#: ICD-10-CM guideline I.C.4.a.2: when the type of diabetes is not documented, the default
#: is type 2 (E11.-), so "2" in "Type 2 diabetes mellitus" does not narrow a bare "diabetes"
_DEFAULT_QUALIFIERS = {("type", "2", "diabet"): 1}

#: title words that do not make a code more specific than a query that omits them
#: (stems). A vague query should land on the "unspecified"/NOS code, not on a sibling
#: that adds a real qualifier such as "neonatal" or "pathological".
GENERIC = frozenset(stem(w) for w in (
    ["unspecified", "specified", "other", "nos", "nec", "not", "elsewhere", "classified", "site",
     "sites", "mellitus", "essential", "primary", "without", "initial", "encounter", "part", "unsp",
     "oth", "type", "uncomplicated", "personal"]))

_SPLIT = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"(?<=[a-z])['\u2019](?=[a-z])")
_CLAUSE_END = re.compile(r"[,;:\[\]()]")
_NEGATORS = ("without", "not", "except", "no")
#: "of" after these continues a negated phrase ("without loss of consciousness"); after any
#: other word it opens the site, which is not negated ("without foreign body of right hand")
_OF_TAKERS = frozenset({"evidence", "loss", "mention", "rupture", "disruption", "specification",
                        "signs", "involvement", "diagnosis", "because", "unavailability"})
#: "Nonrheumatic", "noninfective", "nontraumatic": the absence of a qualifier, i.e. the default
_NON = re.compile(r"^non(?!e$)[a-z]{5,}")

MAX_QUERY_CHARS = 500
MAX_QUERY_TOKENS = 24


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case ASCII form: accents dropped, apostrophes inside words removed."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _APOSTROPHES.sub("", text) if "'" in text or "\u2019" in text else text


def words(text: str) -> list[str]:
    """Surface words (folded), stopwords kept."""
    return [w for w in _SPLIT.split(fold(text)) if w]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def stems(text: str) -> list[str]:
    return [stem(w) for w in content_words(text)]


def marked_stems(text: str, pcs: bool = False) -> list[str]:
    """Stems of a title, marked ``~`` when they only qualify loosely, ``!`` when negated.

    Loose: words inside parentheses or brackets (ICD's nonessential modifiers), GENERIC
    stems, and a clause opened by "unspecified" after a comma ("..., unspecified organism").
    Negated: the rest of a clause opened by "without", "not" or "except" -- such a word
    is not in the code's meaning, so it only matches a query that negates it too.
    ``pcs``: an ICD-10-PCS title ("Replacement of Right Knee Joint with Synthetic Substitute,
    Open Approach"): the device ("with ...") and what follows the first comma (approach,
    qualifier) are loose -- every PCS code names them, a query rarely does.
    """
    out: list[str] = []
    depth = 0
    loose_clause = negated = whether = False
    clause = 0                      # index of the comma-separated clause
    prev = ""                       # the word before, stopwords included
    for piece in re.split(r"([,;:\[\]()])", fold(text)):
        if piece in ("(", "["):
            depth += 1
            continue
        if piece in (")", "]"):
            depth = max(0, depth - 1)
            continue
        if _CLAUSE_END.fullmatch(piece or "x"):
            loose_clause = negated = whether = False
            clause += 1
            if pcs and piece == ",":
                loose_clause = whether = True  # the rest of a PCS title stays loose
            continue
        first = True
        for w in _SPLIT.split(piece):
            if w == "with":          # "Cystitis, unspecified with hematuria": a new clause
                if pcs:
                    loose_clause = True
                elif not whether:    # ... but "unspecified whether with hypoxia" is loose
                    loose_clause = negated = False
                continue
            if w == "whether":
                loose_clause = whether = True
            if w == "of" and negated and prev not in _OF_TAKERS:
                negated = False
            prev = w
            if not w or w in STOPWORDS:
                continue
            s = stem(w)
            mark = "!" if negated else "~" if (depth > 0 or loose_clause or s in GENERIC
                                               or _NON.match(w)) else ""
            if w in _NEGATORS:
                negated = True       # "without complications": complications is absent
                loose_clause = False
                mark = "~"
            elif first and clause > 0 and w in ("unspecified", "unsp"):
                loose_clause = True  # "..., unspecified organism": the rest qualifies loosely
                mark = "~"
            first = False
            out.append(mark + s)
    for key, pos in _DEFAULT_QUALIFIERS.items():
        if key[0] not in out and "~" + key[0] not in out:
            continue
        plain = [m.lstrip("~!") for m in out]
        for i in range(len(plain) - len(key) + 1):
            if tuple(plain[i:i + len(key)]) == key and out[i + pos][:1] not in ("~", "!"):
                out[i + pos] = "~" + out[i + pos]
    return out


def query_words(text: str) -> list[str]:
    """The words of a user's query, bounded in size; never raises on any str."""
    if not isinstance(text, str):
        return []
    return [w for w in _SPLIT.split(fold(text[:MAX_QUERY_CHARS])) if w][:MAX_QUERY_TOKENS * 2]


def quote(token: str) -> str:
    """One FTS5 string literal (the token is already [a-z0-9~]+, quoting is belt and braces)."""
    return '"' + token.replace('"', '""') + '"'


def grams(word: str) -> list[str]:
    """Trigrams of a word padded with ``$`` at both ends (de-duplicated, in order)."""
    padded = f"${word}$"
    seen: dict[str, None] = {}
    for i in range(len(padded) - 2):
        seen.setdefault(padded[i:i + 3], None)
    return list(seen)
