"""Score one candidate against a parsed query.

The score rewards, in this order of weight:

1. coverage: how many of the query's concepts the code matches, and where (its title
   counts most, then a 7th-character meaning, then an inclusion term or includes note);
2. fit: few *unrequested* qualifiers in the title. "Urinary tract infection, site not
   specified" adds nothing the coder did not ask for (loose words: unspecified, NOS,
   parenthesised nonessential modifiers), "Neonatal urinary tract infection" adds
   "neonatal" -- so a vague query lands on the default code, a precise one on its code;
3. a code that can be billed (or completed by a 7th character) over a header;
Ties keep the static order of the index (plainest title first).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable
from functools import lru_cache

from medcode.textsearch.display import HEADER_KINDS
from medcode.textsearch.query import Parsed
from medcode.textsearch.stem import stem
from medcode.textsearch.tokens import marked_stems

#: "Other ..." codes are residual classes for documented specifics, never the NOS default
_OTHER = frozenset({"other", "oth"})
#: extra title words that narrow the meaning a little: "acute" is the usual reading
_HALF = frozenset({"acut"})
#: words that restrict a code to a population the query did not name (newborns, pregnancy),
#: or make it a status rather than the condition (history of, screening for)
_POPULATION = frozenset(stem(w) for w in (
    ["newborn", "neonatal", "perinatal", "fetus", "fetal", "pregnancy", "childbirth", "puerperium",
     "puerperal", "maternal", "congenital", "history", "screening",
     "situ"]))  # "melanoma in situ" is not what "melanoma" means
POPULATION = 1.4
#: "unspecified", "NOS": the words of the default code itself, a little looser than the other
#: loose words ("nonpyogenic", "(acute)"), so that between codes otherwise equal for a vague
#: query the unspecified one comes first ("meningitis": G03.9, not G03.0 Nonpyogenic m.)
_DEFAULT_WORDS = frozenset(stem(w) for w in ("unspecified", "nos", "unsp"))
DEFAULT_LOOSE = 0.1
W_TITLE, W_TITLE_EXT, W_TERM, W_SPREAD = 1.0, 0.9, 0.97, 0.6
COVERAGE, EXTRA, LOOSE, HALF = 10.0, 0.9, 0.15, 0.6
EXTRA_CAP = 8.0
#: past this many unrequested words, each further one costs EXTRA_SLOPE of a word: a long
#: title that holds the query ("Ipratropium bromide, inhalation solution, fda-approved
#: final product, non-compounded, ...") is not outranked by a short one that misses part
#: of it; among codes matching the same words the order is unchanged (still increasing)
EXTRA_KNEE, EXTRA_SLOPE = 2.0, 0.3
TERM_PENALTY = 0.4
LEAF_BONUS, SEVENTH_BONUS, BLOCK_MALUS = 1.2, 1.0, 2.0
#: HCPCS titles name the item first ("Cane, quad ..."): one whose first word the query
#: does not name is an accessory, part or service around it
HEAD_MALUS = 1.0
#: ICD-9-CM was retired on 2015-10-01: without a system or date, today's codes come first
SYSTEM_PRIOR = {"ICD-9-CM": -3.0}
#: HCPCS Level II ranges a coder reaches for only when no permanent national code fits:
#: C (hospital outpatient pass-through, temporary), S (private payers' temporary codes,
#: not accepted by Medicare), G8xxx-G9xxx (quality-data reporting, not services)
HCPCS_PRIOR = {"C": -0.75, "S": -0.75, "G8": -1.0, "G9": -1.0}


def code_prior(system: str, code: str) -> float:
    """A small score step for a code by where it sits in its system (0.0 for most)."""
    if system != "HCPCS" or not code:
        return 0.0
    return HCPCS_PRIOR.get(code[:1], HCPCS_PRIOR.get(code[:2], 0.0))


def static_cost(marked: list[str], leaf: bool, kind: str, system: str) -> float:
    """The score a code gets, negated, when a query matches only its title's rarest word.

    The build orders the index by it, so the first rows an FTS scan meets are the codes
    whose titles say the least beyond the query: the best candidates for a broad query.
    """
    value = EXTRA * _extras(marked, set())
    if leaf:
        value -= LEAF_BONUS
    if kind in HEADER_KINDS:
        value += BLOCK_MALUS
    return value - SYSTEM_PRIOR.get(system, 0.0)


def default_child(key: tuple[str, str],
                  node: Callable[[tuple[str, str]], tuple[list[str], bool]],
                  children: dict[tuple[str, str], list[tuple[str, str]]]
                  ) -> tuple[str, str] | None:
    """Walk down from a header through children that add only loose words (unspecified,
    NOS, "without complications") to a leaf: the code a vague query about the header means.
    """
    cur = key
    for _ in range(8):
        marked, leaf = node(cur)
        if leaf:
            return cur if cur != key else None
        base = {m.lstrip("~!") for m in marked}
        core = {m for m in marked if m[:1] not in ("~", "!")}
        best: tuple[tuple, tuple[str, str]] | None = None
        for kid in children.get(cur, ()):
            kmarked, _kleaf = node(kid)
            new = {m for m in kmarked if m.lstrip("~!") not in base}
            keeps = core <= {m.lstrip("~!") for m in kmarked}  # "Nausea" is not "N. and v."
            if keeps and all(m[:1] in ("~", "!") and m[1:] not in _OTHER for m in new):
                rank = (len(new), 0 if "~unspecifi" in new else 1, kid[1])
                if best is None or rank < best[0]:
                    best = (rank, kid)
        if best is None:
            return None
        cur = best[1]
    return None


#: a combination code ("Varicose veins of left lower extremity with inflammation") adds a
#: second condition: each of its words the query did not name (two at most) costs this much
#: more than a plain extra word, so the plain code ("Asymptomatic varicose veins ...") wins
#: a vague query
WITH_EXTRA = 0.3
_WITH = re.compile(r"\bwith\b([^,;:()\[\]]*)")


@lru_cache(maxsize=65536)
def with_clause(title: str) -> frozenset[str]:
    """Stems of what an ICD-10-CM title adds "with ..." (to the clause's end), loose and
    negated words left out."""
    out: set[str] = set()
    for m in _WITH.finditer(title.lower()):
        for st in marked_stems(m.group(1)):
            if st[:1] not in ("~", "!"):
                out.add(st)
    return frozenset(out)


class Scored:
    __slots__ = ("score", "matched", "seventh", "title_all")

    def __init__(self, score: float, matched: list[str], seventh: str | None,
                 title_all: bool = False) -> None:
        self.score = score
        self.matched = matched
        self.seventh = seventh          # the 7th character the query asked for, if any
        self.title_all = title_all      # every slot of the query is in the title

    def __repr__(self) -> str:
        return (f"Scored({self.score!r}, {self.matched!r}, {self.seventh!r}, "
                f"title_all={self.title_all})")


def matchable(marked: list[str] | tuple[str, ...], negated_query: bool) -> frozenset[str]:
    """The stems a query word may match: negated ones only when the query negates too."""
    return frozenset(m.lstrip("~!") for m in marked if negated_query or m[:1] != "!")


@lru_cache(maxsize=131072)
def term_marked(line: str) -> tuple[str, ...]:
    return tuple(marked_stems(line.partition("\t")[2]))


@lru_cache(maxsize=131072)
def term_stems(line: str, negated_query: bool) -> frozenset[str]:
    return matchable(term_marked(line), negated_query)


_EMPTY: frozenset[str] = frozenset()


def _extras(marked: list[str] | tuple[str, ...], matched: set[str]) -> float:
    """What the words of ``marked`` not in ``matched`` add beyond the query (each stem once)."""
    total = 0.0
    for s, weight in _weights(tuple(marked)):
        if s not in matched:
            total += weight
    return total


def _token_weight(m: str) -> tuple[str, float]:
    """(stem, weight) of one marked stem (the weight it adds when the query misses it)."""
    s = m.lstrip("~!")
    if s in _POPULATION:
        return s, POPULATION
    if s in _OTHER:
        return s, 1.0
    if s in _HALF:
        return s, HALF
    if s in _DEFAULT_WORDS:
        return s, DEFAULT_LOOSE
    if m[:1] in ("~", "!"):
        return s, LOOSE
    return s, 1.0


#: marked stem -> (stem, weight): the store's vocabulary of marked stems is bounded
_TOKEN_WEIGHTS: dict[str, tuple[str, float]] = {}


@lru_cache(maxsize=131072)
def _weights(marked: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """(stem, weight) of each distinct stem of ``marked``, first occurrence first: summed in
    this order over the unmatched stems, the same float as a walk over ``marked``."""
    known = _TOKEN_WEIGHTS
    try:
        pairs = [known[m] for m in marked]
    except KeyError:
        for m in marked:
            if m not in known:
                known[m] = _token_weight(m)
        pairs = [known[m] for m in marked]
    if len({p[0] for p in pairs}) == len(pairs):  # no stem twice (most titles)
        return tuple(pairs)
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for p in pairs:
        if p[0] not in seen:
            seen.add(p[0])
            out.append(p)
    return tuple(out)


def _stem_set(marks: str, negated_query: bool) -> frozenset[str]:
    """``matchable(marks.split(), negated_query)`` by string methods: a mark is one leading
    ``~`` or ``!`` and a stem is [a-z0-9] (tokens.marked_stems), so dropping every mark
    character leaves the bare stems."""
    if negated_query or "!" not in marks:
        return frozenset(marks.replace("~", "").replace("!", "").split())
    return matchable(marks.split(), negated_query)


@lru_cache(maxsize=65536)
def _title_sets(tstems: str, negated_query: bool
                ) -> tuple[tuple[str, ...], frozenset[str], tuple[tuple[str, float], ...]]:
    """A title's marked stems, the stems a query word may match, and their weights."""
    marked = tuple(tstems.split())
    return marked, _stem_set(tstems, negated_query), _weights(marked)


class _Lines:
    """A document's term lines and the stems each may match, kept per process. Per stem,
    the bit set of its lines holding it (a slot's lines are then the AND of its stems'
    sets instead of a walk over every line): read from the build's ``line_masks`` when the
    store has them, else built when a document is met again. A line's marked stems are
    split only when it is looked at."""

    __slots__ = ("lines", "marks", "marked", "sets", "masks", "_union", "all", "uses",
                 "weights")

    def __init__(self, lines: tuple[str, ...], negated_query: bool,
                 marks: tuple[str, ...] | None = None,
                 masks: dict[str, int] | None = None) -> None:
        self.lines = lines
        n = len(lines)
        self.marks = marks if marks is not None and len(marks) == n else None
        self.marked: list[tuple[str, ...] | None] = [None] * n
        self.weights: list[tuple[tuple[str, float], ...] | None] = [None] * n
        self.masks = masks
        self.sets: tuple[frozenset[str], ...] = ()
        if masks is None:
            if self.marks is not None:  # stemmed by the build
                self.sets = tuple([_marked_set(m, negated_query)[1] for m in self.marks])
            else:
                self.sets = tuple([term_stems(line, negated_query) for line in lines])
        self._union: frozenset[str] | None = None
        self.all = (1 << n) - 1
        self.uses = 0

    def marked_at(self, i: int) -> tuple[str, ...]:
        """The marked stems of line ``i``."""
        got = self.marked[i]
        if got is None:
            got = self.marked[i] = tuple(self.marks[i].split()) if self.marks is not None \
                else term_marked(self.lines[i])
        return got

    @property
    def union(self) -> frozenset[str]:
        if self._union is None:
            self._union = frozenset(self.masks) if self.masks is not None else \
                frozenset().union(*self.sets)
        return self._union

    def seen(self) -> None:
        """One more scoring of this document: from the second on, index its lines."""
        self.uses += 1
        if self.uses == 2 and self.masks is None and len(self.lines) > 2:
            masks: dict[str, int] = {}
            for n, line_set in enumerate(self.sets):
                bit = 1 << n
                for s in line_set:
                    masks[s] = masks.get(s, 0) | bit
            self.masks = masks

    def least_extras(self, mask: int, matched: set[str]) -> tuple[float, int]:
        """``min((_extras(self.marked[i], matched), i) for i in mask)``, the same float:
        each line's sum runs in the same order, and stops once it reaches the best so far
        (the weights are positive, so it can only grow; an equal sum loses to the earlier
        line)."""
        weights = self.weights
        best = -1.0
        at = -1
        while mask:
            low = mask & -mask
            i = low.bit_length() - 1
            mask ^= low
            pairs = weights[i]
            if pairs is None:
                pairs = weights[i] = _weights(self.marked_at(i))
            total = 0.0
            if at < 0:
                for s, weight in pairs:
                    if s not in matched:
                        total += weight
                best, at = total, i
                continue
            for s, weight in pairs:
                if s not in matched:
                    total += weight
                    if total >= best:
                        break
            else:
                if total < best:
                    best, at = total, i
        return best, at

    def having(self, stems_set: frozenset[str]) -> int:
        """The bit set of the lines holding every stem of ``stems_set``."""
        masks = self.masks
        if masks is None:
            mask = 0
            for n, line_set in enumerate(self.sets):
                if stems_set <= line_set:
                    mask |= 1 << n
            return mask
        mask = self.all
        for s in stems_set:
            mask &= masks.get(s, 0)
            if not mask:
                break
        return mask


_NO_LINES = _Lines((), False)


@lru_cache(maxsize=131072)
def _marked_set(marks: str, negated_query: bool) -> tuple[tuple[str, ...], frozenset[str]]:
    return tuple(marks.split()), _stem_set(marks, negated_query)


def _joined(first: str, second: str) -> str:
    return first + "\n" + second if first and second else first or second


def line_masks(marks: str) -> bytes:
    """The build's form of a document's term lines (their marked stems, one line each) for
    ranking: the line count and, per stem, the bit set of the lines holding it unnegated and
    of those holding it negated ("!"); marshalled, read back by :func:`_read_masks`."""
    lines = marks.split("\n")
    plain: dict[str, int] = {}
    negated: dict[str, int] = {}
    for n, line in enumerate(lines):
        bit = 1 << n
        for m in line.split():
            into = negated if m[:1] == "!" else plain
            s = m.lstrip("~!")
            into[s] = into.get(s, 0) | bit
    return marshal.dumps((len(lines), plain, negated), 4)


def _read_masks(blob: bytes | None, count: int, negated_query: bool) -> dict[str, int] | None:
    """Per stem, the bit set of the lines a query word may match it in (negated ones only
    when the query negates too); None when ``blob`` is missing or not for these lines."""
    if not blob:
        return None
    try:
        n, plain, negated = marshal.loads(blob)
    except (ValueError, TypeError, EOFError):  # another Python's marshal: read the lines
        return None
    if n != count or type(plain) is not dict or type(negated) is not dict:
        return None
    if negated_query and negated:
        plain = dict(plain)
        for s, mask in negated.items():
            plain[s] = plain.get(s, 0) | mask
    return plain


@lru_cache(maxsize=16384)
def _line_sets(terms: str, negated_query: bool, index: str = "",
               marks: tuple[str | None, str | None] = (None, None),
               masks: tuple[bytes | None, bytes | None] = (None, None)) -> _Lines:
    """The term lines of a document (then its index paths, when given); ``marks``: their
    marked stems as the build wrote them (tmark, imark), None in an older store; ``masks``:
    the build's :func:`line_masks` of the term lines and of the term and index lines
    together (tmask, jmask), None in an older store."""
    text = _joined(terms, index)
    if not text:
        return _NO_LINES
    tmark, imark = marks
    joined = None if tmark is None or imark is None else \
        tmark if not index else imark if not terms else tmark + "\n" + imark
    lines = tuple(text.split("\n"))
    return _Lines(lines, negated_query, None if joined is None else tuple(joined.split("\n")),
                  _read_masks(masks[1] if index else masks[0], len(lines), negated_query))


def score(parsed: Parsed, tstems: str, terms: str, ext_stems: dict[str, frozenset[str]],
          *, leaf_now: bool, needs_7th: bool, kind: str, system: str,
          system_filtered: bool, index: str = "",
          marks: tuple[str | None, str | None] = (None, None),
          ext_all: frozenset[str] | None = None,
          masks: tuple[bytes | None, bytes | None] = (None, None), title: str = "") -> Scored:
    """Score with the title, 7th characters and term lines; the index paths leading to the
    code (often hundreds: every drug of a class) are read only when the title does not
    already hold every word of the query. ``ext_all``: the union of ``ext_stems``' sets,
    when the caller keeps it."""
    neg = parsed.negated
    if ext_all is None:
        ext_all = frozenset().union(*ext_stems.values()) if ext_stems else _EMPTY
    first = _score(parsed, tstems, _line_sets(terms, neg, "", marks, masks), ext_stems,
                   ext_all, leaf_now, needs_7th, kind, system, system_filtered, title)
    if not index or first.title_all:
        return first
    return _score(parsed, tstems, _line_sets(terms, neg, index, marks, masks), ext_stems,
                  ext_all, leaf_now, needs_7th, kind, system, system_filtered, title)


def _score(parsed: Parsed, tstems: str, term_lines: _Lines,
           ext_stems: dict[str, frozenset[str]], ext_all: frozenset[str], leaf_now: bool,
           needs_7th: bool, kind: str, system: str, system_filtered: bool,
           title_text: str = "") -> Scored:
    marked, title, title_weights = _title_sets(tstems, parsed.negated)
    title_ext = title | ext_all if ext_all else title
    lines = term_lines.lines
    term_lines.seen()
    # every stem the document holds anywhere: an alternative with a stem beyond it matches
    # nothing (not the title, a 7th character, a line, nor spread over them), and is skipped
    everything = title_ext | term_lines.union if lines else title_ext
    got = 0.0
    matched_stems: set[str] = set()
    why: list[str] = []
    title_hits = matched_slots = 0
    # bit-sliced counters of the slots each line matched: levels[c] holds the lines that
    # matched more than c slots (so levels[-1] the lines that matched the most)
    levels: list[int] = []
    live = parsed.live()
    slot_w = parsed.weights
    for k, alts in enumerate(live):
        best = 0.0
        in_title = False
        in_line = 0          # bit set of the lines this slot matched
        for stems_set, weight, reason in alts:
            if not stems_set <= everything:
                continue
            if stems_set <= title:
                value = W_TITLE
                in_title = True
            elif ext_all and stems_set <= title_ext:
                value = W_TITLE_EXT
                in_title = True
            else:
                value = 0.0
            if lines:
                having = term_lines.having(stems_set)
                if having:
                    in_line |= having
                    if value < W_TERM:
                        value = W_TERM
                elif value == 0.0:
                    value = W_SPREAD  # in the document, spread over its parts
            if value > 0.0:
                value *= weight
                matched_stems.update(stems_set)
                if reason and reason not in why:
                    why.append(reason)
                if value > best:
                    best = value
        if in_line:  # one more slot for each of these lines: carry up the counters
            for c in range(len(levels) - 1, -1, -1):
                carry = levels[c] & in_line
                if carry:
                    if c + 1 == len(levels):
                        levels.append(carry)
                    else:
                        levels[c + 1] |= carry
            if levels:
                levels[0] |= in_line
            else:
                levels.append(in_line)
        if in_title:
            title_hits += 1
        if best > 0:
            matched_slots += 1
        got += best * slot_w[k]
    coverage = got / len(live) if live else 0.0
    title_extras = 0.0
    for s, weight in title_weights:  # as _extras(marked, matched_stems)
        if s not in matched_stems:
            title_extras += weight
    extras = title_extras
    labels: list[str] = ["title"] if title_hits else []
    top = len(levels)
    if top and (top == matched_slots or title_hits < matched_slots):
        # among the lines that match most, the one that adds the least (the first of equals)
        best_extras, n = term_lines.least_extras(levels[-1], matched_stems)
        label, _, text = lines[n].partition("\t")
        nos = any(m.lstrip("~!") == "nos" for m in term_lines.marked_at(n))
        # "Prostatitis NOS" as an inclusion term: this code is the default for the words
        term_extras = best_extras + (0.0 if nos else TERM_PENALTY)
        if top == matched_slots and term_extras < extras:
            extras = term_extras + (0.0 if nos else 0.1 * title_extras)
            labels = [f"{label}: {text}"]
        elif title_hits < matched_slots:
            labels.append(f"{label}: {text}")
    seventh = None
    if ext_stems:
        wanted = matched_stems - title
        best_overlap = 0
        for ch, meaning in ext_stems.items():
            overlap = len(wanted & meaning)
            if overlap > best_overlap:
                seventh, best_overlap = ch, overlap
    if system == "ICD-10-CM" and " with " in title_text:
        unasked = len(with_clause(title_text) - matched_stems)
        if unasked:
            extras += WITH_EXTRA * min(unasked, 2)
    if extras > EXTRA_KNEE:
        extras = EXTRA_KNEE + (extras - EXTRA_KNEE) * EXTRA_SLOPE
    value = COVERAGE * coverage - EXTRA * min(extras, EXTRA_CAP)
    if leaf_now:
        value += LEAF_BONUS
    elif needs_7th:
        value += SEVENTH_BONUS + (0.3 if seventh else 0.0)
    if kind in HEADER_KINDS:
        value -= BLOCK_MALUS
    if system == "HCPCS" and marked and marked[0] not in matched_stems:
        value -= HEAD_MALUS  # "Cane, ..." is a cane; "Replacement, handgrip, cane" is not
    if not system_filtered:
        value += SYSTEM_PRIOR.get(system, 0.0)
    return Scored(round(value, 4), labels + why, seventh, bool(live) and title_hits == len(live))
