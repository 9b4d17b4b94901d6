"""Turn what a coder typed into slots of alternatives, and slots into a safe FTS5 query.

A *slot* is one concept of the query ("DM", "neuropathy"); its *alternatives* are stem
sequences any of which satisfies it: the words as typed, a synonym's expansions, a typo's
correction, a prefix's completions. The FTS query is built only from quoted stems.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from collections import namedtuple
from collections.abc import Callable

from medcode.textsearch import pcs_words, synonyms
from medcode.textsearch.stem import stem
from medcode.textsearch.tokens import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TOKENS,
    NEGATORS,
    STOPWORDS,
    grams,
    query_words,
    quote,
    stems,
)

TYPO_WEIGHT = 0.85
#: a typed word this rare in the titles may be two title words written as one
RARE_DF = 3
RARER_FIX = 0.1
PREFIX_COMPLETIONS = 8
#: bounds of a slot's share of coverage (slot_weights): a rare word counts at most about
#: twice a common one, so a rare word matched only by a retired code's title (bridged)
#: does not outweigh the rest of the query
IDF_LO, IDF_HI = 0.7, 1.3
#: a query starting with one of these reads as a status (clinical.py): the verb is no title word
STATUS_VERBS = frozenset({"has", "have", "had", "wears", "uses"})
_CODE_PIECE = re.compile(r"^(?:[A-Za-z0-9]{3,8}|[A-Za-z0-9]{2,5}\.[A-Za-z0-9]{0,4})$")


# Plain records, not dataclasses: importing ``dataclasses`` (and ``inspect`` with it) costs a
# one-shot CLI search about 9 ms.
class Alt(namedtuple("Alt", "stems why weight", defaults=(None, 1.0))):
    """stems: tuple[str, ...]; why: None (as typed) or "synonym DM -> diabetes mellitus" ...;
    weight: float."""

    __slots__ = ()
    stems: tuple[str, ...]
    why: str | None
    weight: float


class Slot:
    __slots__ = ("text", "alts", "live")

    def __init__(self, text: str, alts: list[Alt] | None = None, live: bool = True) -> None:
        self.text = text
        self.alts: list[Alt] = [] if alts is None else alts
        self.live = live            # False: nothing in the index can satisfy it

    def __repr__(self) -> str:
        return f"Slot({self.text!r}, {self.alts!r}, live={self.live})"

    def fts(self) -> str:
        parts = ["(" + " ".join(quote(s) for s in a.stems) + ")" for a in self.alts]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


class Parsed:
    def __init__(self, slots: list[Slot], codes: list[str], estimate: int = 0,
                 or_estimate: int = 0, negated: bool = False,
                 totals: list[int] | None = None, docs: int = 0,
                 narrow_estimate: int | None = None) -> None:
        self.slots = slots
        self.codes = codes              # dotless upper-case pieces that may be codes
        self.estimate = estimate        # upper bound of the documents matching every live slot
        self.or_estimate = or_estimate  # upper bound of the documents matching any live slot
        self.negated = negated          # "without"/"no" in the query: negated words match
        self.totals: list[int] = [] if totals is None else totals  # per live slot (bound)
        #: as estimate, full-weight alternatives only
        self.narrow_estimate = estimate if narrow_estimate is None else narrow_estimate
        #: per live slot, its share of coverage (mean 1.0): rarer words say more
        self.weights: list[float] = slot_weights(self.totals, docs)

    def __repr__(self) -> str:
        return (f"Parsed(slots={self.slots!r}, codes={self.codes!r}, estimate={self.estimate}, "
                f"or_estimate={self.or_estimate}, negated={self.negated})")

    def live(self) -> list[list[tuple[frozenset[str], float, str | None]]]:
        """The live slots as (stem set, weight, why) alternatives, computed once."""
        cached = self.__dict__.get("_live")
        if cached is None:
            cached = [[(frozenset(a.stems), a.weight, a.why) for a in s.alts]
                      for s in self.slots if s.live]
            self.__dict__["_live"] = cached
        return cached

    def fts_narrow(self) -> tuple[str, int] | None:
        """The AND query of the live slots' full-weight alternatives alone, and its
        estimate, when some slot also has broader ones ("ewing sarcoma": malignant neoplasm
        of bone, before any malignant neoplasm); else None."""
        live = [s for s in self.slots if s.live]
        if not any(a.weight < 1.0 for s in live for a in s.alts):
            return None
        parts = []
        for s in live:
            alts = [a for a in s.alts if a.weight >= 1.0]
            if not alts:
                return None
            parts.append(Slot(s.text, alts).fts())
        return " AND ".join(parts), self.narrow_estimate

    def fts_and(self) -> str | None:
        live = [s.fts() for s in self.slots if s.live]
        return " AND ".join(live) if live else None

    def relaxed(self, most: int = 6) -> list[tuple[str, int]]:
        """AND queries leaving out one live slot each (with their estimates), for a query
        whose every word matches nowhere together; none past ``most`` slots."""
        live = [s.fts() for s in self.slots if s.live]
        if not 2 <= len(live) <= most:
            return []
        out = []
        # leave out the commonest word first: the rarer words say more
        for skip in sorted(range(len(live)), key=lambda i: -self.totals[i]):
            rest = [q for i, q in enumerate(live) if i != skip]
            est = min(t for i, t in enumerate(self.totals) if i != skip)
            out.append((" AND ".join(rest), est))
        return out

    def fts_or(self) -> str | None:
        live = [s.fts() for s in self.slots if s.live]
        return " OR ".join(live) if len(live) > 1 else None


def code_pieces(text: str) -> list[str]:
    """Whitespace-separated pieces of ``text`` shaped like a code (a digit, 3-8 characters),
    upper-case, dots kept (ICD-9-CM keys keep them: 250.00 and 25.00 differ)."""
    out: list[str] = []
    for piece in text[:200].split():
        piece = piece.strip(",;:()[]{}\"'")
        if (_CODE_PIECE.match(piece) and any(ch.isdigit() for ch in piece) and piece.isascii()
                and 3 <= len(piece.replace(".", "")) <= 8 and piece.upper() not in out):
            out.append(piece.upper())
    return out


#: systems whose codes never hold a dot, written or stored (CPT, HCPCS, ICD-10-PCS)
DOTLESS = frozenset({"CPT", "HCPCS", "ICD-10-PCS"})


def code_forms(piece: str, system: str | None = None) -> list[str]:
    """The keys a typed code may have in ``system``'s rows: as typed, dotless, and for a code
    typed without a dot, dotted after 2/3/4. A dot the user typed stays where it is: "401.9" is
    the ICD-9-CM diagnosis, never the ICD-9-CM procedure 40.19, and "J11.00" is never the
    HCPCS code J1100."""
    compact = piece.replace(".", "")
    if compact != piece and system in DOTLESS:
        return []
    forms = [piece, compact]
    for at in (3, 2, 4) if compact == piece else ():
        if len(compact) > at:
            forms.append(compact[:at] + "." + compact[at:])
    return list(dict.fromkeys(forms))


#: answers a Vocab keeps before it starts over (a few MB)
VOCAB_MEMO = 65536


class Vocab:
    """A store connection for :func:`parse` that remembers what the index's vocabulary
    answered (document counts, known words, completions, corrections): the store is
    read-only, and a server's queries repeat their words and prefixes again and again.
    Anywhere a function here takes ``conn``, a Vocab does too."""

    __slots__ = ("conn", "memo")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.memo: dict[tuple[str, str], object] = {}

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)


def _remembered(fn: Callable) -> Callable:
    """``fn(conn, text)``, answered from ``conn.memo`` when ``conn`` is a Vocab."""
    name = fn.__name__

    def wrapper(conn, text: str):  # type: ignore[no-untyped-def]
        if type(conn) is not Vocab:
            return fn(conn, text)
        memo = conn.memo
        key = (name, text)
        got = memo.get(key)
        if got is None:
            got = fn(conn, text)
            if len(memo) >= VOCAB_MEMO:
                memo.clear()
            memo[key] = got
        return list(got) if type(got) is list else got  # callers get their own list

    wrapper.__name__ = name
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


@_remembered
def stem_df(conn: sqlite3.Connection, stem_: str) -> int:
    """How many documents hold a word with this stem (an upper bound; 0 = none)."""
    row = conn.execute("SELECT sum(df) FROM search_vocab WHERE stem = ?", (stem_,)).fetchone()
    return int(row[0] or 0)


@_remembered
def doc_count(conn: sqlite3.Connection, _unused: str) -> int:
    """How many documents the index holds (its largest id: one index probe)."""
    try:
        row = conn.execute("SELECT max(id) FROM search_doc").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0] or 0)


def slot_weights(totals: list[int], docs: int) -> list[float]:
    """Per live slot, its share of a code's coverage: its inverse document frequency over
    the query's mean, held within [IDF_LO, IDF_HI] and scaled back to a mean of 1.0. A code
    matching every slot scores as with equal shares; between codes matching only part of
    the query, the one holding its rare words wins ("methotrexate injection": a
    methotrexate code, not any injection; "chainsaw injury": the chainsaw, not any injury).
    ``totals``: per slot, the documents holding it (an upper bound); ``docs``: all of them."""
    n = len(totals)
    if n < 2 or docs <= 0:
        return [1.0] * n
    idf = [math.log((docs + 1) / (t + 1)) + 1.0 for t in totals]
    mean = sum(idf) / n
    held = [min(IDF_HI, max(IDF_LO, v / mean)) for v in idf]
    scale = n / sum(held)
    return [w * scale for w in held]


def _known(conn: sqlite3.Connection, stem_: str) -> bool:
    return stem_df(conn, stem_) > 0


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Optimal string alignment distance (adjacent transpositions count 1), capped."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


@_remembered
def corrections(conn: sqlite3.Connection, word: str) -> list[str]:
    """Index words within a small edit distance of ``word`` (best first; at most 2)."""
    if len(word) < 4 or not word.isalpha():
        return []
    limit = 1 if len(word) <= 5 else 2
    gs = grams(word)
    need = max(1, len(gs) - 3 * limit - 2)
    marks = ",".join("?" * len(gs))
    rows = conn.execute(
        f"SELECT g.word, count(*) AS shared, v.df FROM search_gram g "
        f"JOIN search_vocab v ON v.word = g.word WHERE g.gram IN ({marks}) "
        f"GROUP BY g.word HAVING shared >= ? ORDER BY shared DESC, v.df DESC LIMIT 40",
        (*gs, need)).fetchall()
    scored = []
    for cand, _shared, df in rows:
        d = edit_distance(word, cand, limit)
        if d <= limit:
            scored.append((d, -df, cand))
    scored.sort()
    if not scored:
        return []
    best = scored[0][0]
    out: list[str] = []
    stems_seen: set[str] = set()
    for d, _df, cand in scored:
        if d == best and stem(cand) not in stems_seen:
            stems_seen.add(stem(cand))
            out.append(cand)
    return out[:2]


@_remembered
def completions(conn: sqlite3.Connection, prefix: str) -> list[str]:
    """The most frequent index words starting with ``prefix``."""
    return [w for (w,) in conn.execute(
        "SELECT word FROM search_vocab WHERE word >= ? AND word < ? ORDER BY df DESC LIMIT ?",
        (prefix, prefix + "\x7f", PREFIX_COMPLETIONS))]


def parse(conn: sqlite3.Connection, text: str, prefix: bool = False,
          is_code: Callable[[str], bool] | None = None, status: bool = False,
          procedure: bool = False) -> Parsed:
    """Slots of ``text``; pieces for which ``is_code`` is true are codes, not words.
    ``status``: the query reads as a patient's history or status, so the status lexicon
    (``s/p appendectomy`` -> acquired absence ...) adds its wordings; ``procedure``: the query
    names a procedure, so the ICD-10-PCS Body Part and Device Keys add theirs."""
    if not isinstance(text, str):
        text = ""
    text = unicodedata.normalize("NFKC", text[:MAX_QUERY_CHARS * 2])  # full-width Ｅ１１ -> E11
    codes = code_pieces(text)
    if is_code is not None:
        codes = [c for c in codes if is_code(c)]
        if codes:
            text = " ".join(p for p in text[:MAX_QUERY_CHARS].split()
                            if p.strip(",;:()[]{}\"'").upper() not in codes)
    raw_words = query_words(text)
    ends_open = prefix and bool(text) and not text[-1:].isspace()
    last_word = raw_words[-1] if raw_words and ends_open else None
    content = [w for w in raw_words if w not in STOPWORDS]
    if status and len(content) > 1 and content[0] in STATUS_VERBS:
        content = content[1:]  # "has pacemaker": the verb says status, the rest what
    if last_word is not None and last_word in STOPWORDS and len(last_word) < 4:
        content.append(last_word)  # "fracture o" may be the start of "open"
    content = content[:MAX_QUERY_TOKENS]
    keys = [stem(w) for w in content]
    if status:
        table, longest = synonyms.load_status(), synonyms.longest_status_key()
    elif procedure:  # the PCS Body Part and Device Keys: "hallux" -> 1st toe
        table, longest = synonyms.load_procedure(), synonyms.longest_procedure_key()
    else:
        table, longest = synonyms.load(), synonyms.longest_key()
    slots: list[Slot] = []
    i = 0
    while i < len(content):
        slot, used = _phrase_slot(conn, content, keys, i, table, longest, last_word is not None)
        if slot is None:
            if last_word is not None and i == len(content) - 1:
                slot = _prefix_slot(conn, content[i])
            else:
                slot = _word_slot(conn, content[i], keys[i])
            used = 1
        if used == 1 and content[i] in pcs_words.SCOPES:
            _scope_alts(slot, content[i], content)
        slots.append(slot)
        i += used
    estimate = -1
    any_estimate = 0
    totals: list[int] = []
    narrow = -1
    for slot in slots:
        dfs = [min(stem_df(conn, s) for s in a.stems) for a in slot.alts]
        kept = [(a, n) for a, n in zip(slot.alts, dfs) if n > 0]
        slot.alts = [a for a, _n in kept]
        slot.live = bool(slot.alts)
        if slot.live:
            full = sum(n for a, n in kept if a.weight >= 1.0)
            narrow = full if narrow < 0 else min(narrow, full)
            total = sum(n for n in dfs if n > 0)
            estimate = total if estimate < 0 else min(estimate, total)
            any_estimate += total
            totals.append(total)
    return Parsed(slots, codes, max(estimate, 0), any_estimate,
                  any(w in NEGATORS for w in raw_words), totals, doc_count(conn, ""),
                  max(narrow, 0))


def _phrase_slot(conn: sqlite3.Connection, content: list[str], keys: list[str], i: int,
                 table: dict, longest: int, prefix: bool) -> tuple[Slot | None, int]:
    """A slot for the words starting at ``i``: a synonym phrase (longest first), two words
    the index writes as one ("heat stroke" -> heatstroke), or a one-word synonym."""
    def synonym(n: int) -> Slot | None:
        syn = table.get(tuple(keys[i:i + n]))
        if syn is None:
            return None
        typed = " ".join(content[i:i + n])
        slot = Slot(typed, [Alt(tuple(keys[i:i + n]))])
        for n_exp, (exp, exp_stems) in enumerate(zip(syn.expansions, syn.stems)):
            if all(a.stems != exp_stems for a in slot.alts):
                kind = "status" if n_exp < syn.n_status else "synonym"
                slot.alts.append(Alt(exp_stems, f"{kind} {typed} -> {exp}",
                                     syn.weight(n_exp)))
        if prefix and n == 1 and i + n == len(content):
            slot.alts.extend(_prefix_slot(conn, content[i]).alts[1:])
        return slot

    for n in range(min(longest, len(content) - i), 1, -1):
        slot = synonym(n)
        if slot is not None:
            return slot, n
    if prefix and len(content) - i >= 2:  # "heart att": a phrase still being typed
        n = len(content) - i
        partial = content[-1]
        found = [syn for last, syn in synonyms.by_head().get(tuple(keys[i:i + n - 1]), ())
                 if last.startswith(partial)]
        if found:
            typed = " ".join(content[i:])
            slot = Slot(typed + "*", [Alt(tuple(keys[i:i + n - 1]) + a.stems)
                                      for a in _prefix_slot(conn, partial).alts])
            for syn in found:
                for exp, exp_stems in zip(syn.expansions, syn.stems):
                    slot.alts.append(Alt(exp_stems, f"synonym {syn.phrase} -> {exp}"))
            return slot, n
    if i + 1 < len(content) and not (prefix and i + 2 == len(content)):
        joined = content[i] + content[i + 1]
        if joined.isalpha() and _word_known(conn, joined):
            typed = f"{content[i]} {content[i + 1]}"
            return Slot(typed, [Alt((keys[i], keys[i + 1])),
                                Alt((stem(joined),), f"compound {typed} -> {joined}")]), 2
    slot = synonym(1)
    if slot is None:
        slot = _operation_slot(content[i], keys[i])
    return (slot, 1) if slot is not None else (None, 0)


def _scope_alts(slot: Slot, word: str, content: list[str]) -> None:
    """"colonoscopy with biopsy": the scope also reads as its region and approach (broader),
    so the operation named beside it wins over the scope's own Inspection."""
    for wording in pcs_words.scope_wordings(word, [w for w in content if w != word]):
        exp = tuple(stems(wording))
        if all(a.stems != exp for a in slot.alts):
            slot.alts.append(Alt(exp, f"scope {word} -> {wording}", synonyms.BROAD))


def _operation_slot(word: str, key: str) -> Slot | None:
    """An operation's name read as ICD-10-PCS words ("oophorectomy" -> resection of ovary)."""
    found = pcs_words.wordings(word) if len(word) > 7 else []
    if not found:
        return None
    slot = Slot(word, [Alt((key,))])
    for wording, weight in found:
        exp = tuple(stems(wording))
        if exp and all(a.stems != exp for a in slot.alts):
            slot.alts.append(Alt(exp, f"procedure {word} -> {wording}", weight))
    return slot


@_remembered
def _word_known(conn: sqlite3.Connection, word: str) -> bool:
    return conn.execute("SELECT 1 FROM search_vocab WHERE word = ?", (word,)).fetchone() is not None


def _word_slot(conn: sqlite3.Connection, word: str, key: str) -> Slot:
    """The word as typed; when no title uses it, its corrections too (the typed stem may
    still collide with another word's: "migrane" and "migrans" both stem to "migran")."""
    slot = Slot(word, [Alt((key,))])
    rare = word.isalpha() and len(word) >= 8 and stem_df(conn, key) <= RARE_DF
    split = _split(conn, word) if rare else None
    if split is not None:  # "preeclampsia": the titles write "pre-eclampsia"
        slot.alts.append(Alt(tuple(stem(w) for w in split),
                             f"split {word} -> {' '.join(split)}"))
        return slot
    if word.isalpha() and not _word_known(conn, word):
        fixes = corrections(conn, word)
        same = [f for f in fixes if stem(f) == key]  # "diabetis" and "diabetes": one stem
        if same:
            slot.alts[0] = Alt((key,), f"typo {word} -> {same[0]}", TYPO_WEIGHT)
        elif fixes and _known(conn, key):
            slot.alts[0] = Alt((key,), None, TYPO_WEIGHT)
        for n, fix in enumerate(fixes):
            if stem(fix) != key:
                # equally near fixes: the commoner word in the code set first
                # ("osteoperosis": osteoporosis before osteopetrosis)
                weight = TYPO_WEIGHT if n == 0 else TYPO_WEIGHT - RARER_FIX
                slot.alts.append(Alt((stem(fix),), f"typo {word} -> {fix}", weight))
    return slot


def _split(conn: sqlite3.Connection, word: str) -> tuple[str, str] | None:
    """Two index words that, joined, are ``word`` (titles hyphenate: pre-eclampsia,
    tap-water); the split with the longer second word first."""
    for at in range(3, len(word) - 3):
        head, tail = word[:at], word[at:]
        if head not in STOPWORDS and _word_known(conn, head) and _word_known(conn, tail):
            return head, tail
    return None


def _prefix_slot(conn: sqlite3.Connection, word: str) -> Slot:
    slot = Slot(word + "*", [Alt((stem(word),))])
    seen = {stem(word)}
    for full in completions(conn, word):
        s = stem(full)
        if s not in seen:
            seen.add(s)
            slot.alts.append(Alt((s,), f"prefix {word} -> {full}"))
    if len(slot.alts) == 1 and not _known(conn, stem(word)):
        slot.alts.extend(_word_slot(conn, word, stem(word)).alts[1:])
    return slot
