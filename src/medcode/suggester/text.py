"""Reading a note: sentences, words with their offsets, and what each word's context says
about it (negated, uncertain, about a relative, past history)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcode.suggester.adapter import STOPWORDS, stem

#: assertion values, in the order a mention takes the first that applies
NEGATED, FAMILY, UNCERTAIN = "negated", "family", "uncertain"
HISTORY, PRESENT = "history", "present"

_WORD = re.compile(r"[A-Za-z0-9]+")
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])|\n+|;\s*")

#: words that open a negated stretch ("no fever", "denies pain", "without edema")
_NEG_PRE = {"no", "not", "without", "denies", "denied", "deny", "negative", "absence", "absent",
            "never", "nor", "free", "excluded", "ruled", "neither"}
#: words that close off what came before them in the clause ("fever was ruled out")
_NEG_POST = {"excluded", "ruled", "negative", "absent", "discarded", "unremarkable"}
_UNC = {"suspected", "suspicion", "suspect", "possible", "possibly", "probable", "probably",
        "likely", "compatible", "suggestive", "suggesting", "suggested", "differential",
        "presumptive", "presumed", "doubtful", "questionable", "query", "suspicious"}
_FAMILY = {"mother", "father", "brother", "sister", "sibling", "siblings", "family", "maternal",
           "paternal", "grandmother", "grandfather", "aunt", "uncle", "cousin", "parents",
           "twin"}
_HISTORY = {"history", "previous", "previously", "prior", "past", "antecedent", "antecedents",
            "formerly"}
#: words that end a cue's scope ("no fever but cough": cough is present)
_TERMINATORS = {"but", "however", "although", "though", "except", "whereas", "yet", "which",
                "who", "presented", "presents", "showed", "shows", "revealed", "reveals",
                "developed", "after", "then", "currently", "now", "reporting", "reported",
                "complaining", "complained"}
#: words that end a negation's scope only ("without fever, with anemia": anemia is present)
_NEG_TERMINATORS = {"with", "until"}
#: verbs that make a relative the one telling, not the one ill ("the parents relate ...")
_INFORMANT = {"relate", "related", "relates", "report", "reported", "reports", "refer",
              "referred", "refers", "say", "said", "says", "state", "stated", "states",
              "notice", "noticed", "notices", "request", "requested", "requests", "describe",
              "described", "describes", "bring", "brought", "brings", "consult", "consulted",
              "consults", "explain", "explained", "explains", "comment", "commented"}
_SCOPE = 8  # words a forward cue reaches


@dataclass(slots=True)
class Tok:
    word: str        # lower case
    stem: str
    start: int
    end: int
    sent: int
    stop: bool       # a stopword: kept for offsets, never matched
    assertion: str = PRESENT


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence (never empty ones)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if text[pos:m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def tokenize(text: str) -> tuple[list[Tok], list[tuple[int, int]]]:
    """Every word of ``text`` with its sentence number and assertion."""
    sents = sentences(text)
    toks: list[Tok] = []
    for n, (a, b) in enumerate(sents):
        first = len(toks)
        for m in _WORD.finditer(text, a, b):
            w = m.group().lower()
            toks.append(Tok(w, stem(w), m.start(), m.end(), n, w in STOPWORDS))
        _assert(toks[first:], text)
    return toks, sents


def _assert(sent: list[Tok], text: str) -> None:
    """Mark each word of one sentence with the cue whose scope covers it."""
    n = len(sent)
    marks = [PRESENT] * n
    rank = {NEGATED: 0, FAMILY: 1, UNCERTAIN: 2, HISTORY: 3, PRESENT: 4}

    def put(i: int, what: str) -> None:
        if rank[what] < rank[marks[i]]:
            marks[i] = what

    def forward(i: int, what: str, reach: int = _SCOPE) -> None:
        for j in range(i + 1, min(n, i + 1 + reach)):
            if sent[j].word in _TERMINATORS or (what == NEGATED and
                                                sent[j].word in _NEG_TERMINATORS):
                break
            put(j, what)

    for i, t in enumerate(sent):
        w = t.word
        if w in _NEG_PRE and not (w == "not" and i + 1 < n and sent[i + 1].word in
                                  ("only", "excluded", "ruled")):
            if w == "ruled" and i + 1 < n and sent[i + 1].word == "out" and (
                    i == 0 or sent[i - 1].word not in ("was", "were", "been", "is", "are")):
                forward(i + 1, NEGATED)        # "ruled out pneumonia"
            elif w not in _NEG_POST or i == 0 or (i + 1 < n and sent[i + 1].word in
                                                  ("for", "of", "to")):
                forward(i, NEGATED)         # "no fever", "negative for HIV", "absence of"
        if w in _NEG_POST and i > 0:           # "pneumonia was ruled out", "serology negative"
            for j in range(i - 1, max(-1, i - _SCOPE), -1):
                if sent[j].word in _TERMINATORS or text[sent[j].end:sent[j + 1].start].strip(
                        " ") in (",", ":"):
                    break
                put(j, NEGATED)
        if w in _UNC:
            forward(i, UNCERTAIN)
        if w in _FAMILY and _relative_is_ill(sent, i):  # "her mother had breast cancer"
            for j in range(n):
                put(j, FAMILY)
        if w in _HISTORY:
            forward(i, HISTORY, 6)
    for t, m in zip(sent, marks):
        t.assertion = m


def _relative_is_ill(sent: list[Tok], i: int) -> bool:
    """Whether the relative named at ``i`` is what the sentence is about: not when the
    relative only tells ("the parents relate it to a fall") and not when the family history
    is denied ("no family or personal history of interest")."""
    if any(t.word in _INFORMANT for t in sent[i + 1:i + 4]):
        return False
    return not any(t.word in ("no", "without", "denies", "nor") for t in sent[max(0, i - 4):i])
