"""The coders' synonym file (``medcode/data/synonyms.tsv``): abbreviation TAB expansion(s).

Keys and expansions are compared as stems with stopwords removed, so "kidney stones"
finds the entry "kidney stone". Expansions are separated by ``|``.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import namedtuple
from functools import lru_cache

from medcode.errors import SourceError
from medcode.textsearch.tokens import stems

FILE = "synonyms.tsv"
#: common procedure names -> ICD-10-PCS table and its wording (read as more synonyms)
PCS_FILE = "pcs_terms.tsv"


# records as named tuples: a dataclass would import ``dataclasses`` (and ``inspect``), about
# 9 ms of a one-shot CLI search
class Synonym(namedtuple("Synonym", "phrase expansions key stems line weights n_status",
                         defaults=((), 0))):
    """phrase and expansions as written in the file; key: stems of the phrase; stems: of each
    expansion (non-empty); weights: per expansion, a broader reading written "~wording"
    weighs BROAD (the narrower first); n_status: the first n expansions come from
    status_terms.tsv."""

    __slots__ = ()
    phrase: str
    expansions: tuple[str, ...]
    key: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]
    line: int
    weights: tuple[float, ...]
    n_status: int

    def weight(self, i: int) -> float:
        return self.weights[i] if i < len(self.weights) else 1.0


BROAD = 0.8


def parse(text: str, where: str = FILE) -> list[Synonym]:
    out: list[Synonym] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "\t" not in raw:
            raise SourceError(f"{where} line {n}: expected 'phrase<TAB>expansion', got {raw!r}")
        phrase, _, rest = raw.partition("\t")
        written = [e.strip() for e in rest.split("|") if e.strip()]
        expansions = tuple(e.lstrip("~").strip() for e in written)
        key = tuple(stems(phrase))
        exp_stems = tuple(tuple(stems(e)) for e in expansions)
        if not key or not expansions or not all(exp_stems):
            raise SourceError(f"{where} line {n}: {raw.strip()!r} has an empty phrase or "
                              "expansion (stopwords alone do not count)")
        weights = tuple(BROAD if e.startswith("~") else 1.0 for e in written)
        out.append(Synonym(phrase.strip(), expansions, key, exp_stems, n, weights))
    return out


_table: dict[tuple[str, ...], Synonym] | None = None


def _read(name: str) -> str:
    import os  # os.path, not pathlib: this runs in every one-shot `medcode search`
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                        name)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    from importlib import resources  # an unusual install (zip): ask the loader
    return resources.files("medcode").joinpath("data", name).read_text(encoding="utf-8")


class PcsTerm(namedtuple("PcsTerm", "term table wording note line")):
    """table: 3 or 4 characters of an ICD-10-PCS code; wording: root operation and body part
    as the table writes them."""

    __slots__ = ()
    term: str
    table: str
    wording: str
    note: str
    line: int


def pcs_terms(text: str | None = None) -> list[PcsTerm]:
    """The rows of ``pcs_terms.tsv``: term, table, wording, source note."""
    text = _read(PCS_FILE) if text is None else text
    out: list[PcsTerm] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = [c.strip() for c in raw.split("\t")]
        if len(cols) < 3 or not all(cols[:3]):
            raise SourceError(f"{PCS_FILE} line {n}: expected 'term<TAB>table<TAB>wording"
                              f"<TAB>note', got {raw!r}")
        out.append(PcsTerm(cols[0], cols[1].upper(), cols[2], cols[3] if len(cols) > 3 else "",
                           n))
    return out


def _text() -> str:
    """The synonym file, then each procedure name of pcs_terms.tsv as a synonym line."""
    extra = "".join(f"{t.term}\t{t.wording}\n" for t in pcs_terms())
    return _read(FILE) + "\n" + extra


def _digest(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')):08x}-{len(text)}"


def _merge(syns: list[Synonym]) -> dict[tuple[str, ...], Synonym]:
    table: dict[tuple[str, ...], Synonym] = {}
    for syn in syns:
        prev = table.get(syn.key)
        if prev is not None:
            syn = Synonym(prev.phrase, prev.expansions + syn.expansions, syn.key,
                          prev.stems + syn.stems, prev.line, _weights(prev) + _weights(syn))
        table[syn.key] = syn
    return table


def _weights(syn: Synonym) -> tuple[float, ...]:
    return tuple(syn.weight(i) for i in range(len(syn.expansions)))


def load() -> dict[tuple[str, ...], Synonym]:
    """The packaged synonyms by key (later lines extend earlier ones with the same key)."""
    global _table
    if _table is None:
        _table = _merge(parse(_text()))
    return _table


SYNONYM_SQL = ("CREATE TABLE search_synonym (line INTEGER PRIMARY KEY, phrase TEXT NOT NULL, "
               "data TEXT NOT NULL)")


def compile_into(conn: sqlite3.Connection) -> int:
    """Store the parsed synonyms (stems included) in the store, with the file's digest in
    line 0: a process answering one query reads them instead of stemming the file."""
    text = _text()
    conn.execute("DROP TABLE IF EXISTS search_synonym")
    conn.execute(SYNONYM_SQL)
    syns = parse(text)
    conn.execute("INSERT INTO search_synonym VALUES (0, ?, '')", (_digest(text),))
    conn.executemany("INSERT INTO search_synonym VALUES (?, ?, ?)", (
        (s.line, s.phrase, json.dumps([s.expansions, s.key, s.stems, _weights(s)],
                                      separators=(",", ":")))
        for s in syns))
    return len(syns)


def prime(conn: sqlite3.Connection) -> bool:
    """Fill :func:`load`'s table from the store's compiled copy when that copy was made
    from this very file (else the file is parsed on first use). True when primed."""
    global _table
    if _table is not None:
        return True
    try:
        rows = conn.execute("SELECT line, phrase, data FROM search_synonym ORDER BY line"
                            ).fetchall()
    except sqlite3.Error:
        return False
    if not rows or rows[0][0] != 0 or rows[0][1] != _digest(_text()):
        return False
    syns = []
    for line, phrase, data in rows[1:]:
        exps, key, stems_, *weights = json.loads(data)
        syns.append(Synonym(phrase, tuple(exps), tuple(key), tuple(tuple(x) for x in stems_),
                            line, tuple(weights[0]) if weights else ()))
    _table = _merge(syns)
    return True


STATUS_FILE = "status_terms.tsv"
_status: dict[tuple[str, ...], Synonym] | None = None


def load_status() -> dict[tuple[str, ...], Synonym]:
    """The synonyms plus ``status_terms.tsv``: how a query read as a patient's history or
    status ("s/p appendectomy") finds its Z code. Read on first use (few queries need it)."""
    global _status
    if _status is None:
        base = load()
        extra = _merge(parse(_read(STATUS_FILE), STATUS_FILE))
        table = dict(base)
        for key, syn in extra.items():
            prev = table.get(key)
            n = len(syn.expansions)
            table[key] = Synonym(syn.phrase, syn.expansions, key, syn.stems, syn.line,
                                 _weights(syn), n) if prev is None else Synonym(
                prev.phrase, syn.expansions + prev.expansions, key, syn.stems + prev.stems,
                prev.line, _weights(syn) + _weights(prev), n)
        _status = table
    return _status


PROCEDURE_FILE = "pcs_keys.tsv"
_procedure: dict[tuple[str, ...], Synonym] | None = None


def load_procedure() -> dict[tuple[str, ...], Synonym]:
    """The synonyms plus ``pcs_keys.tsv`` (the ICD-10-PCS Body Part and Device Keys:
    "hallux" -> 1st toe): how a query naming a procedure reaches the PCS titles' words.
    Read on first use; the packaged synonyms win where both have a phrase."""
    global _procedure
    if _procedure is None:
        table = dict(_merge(parse(_read(PROCEDURE_FILE), PROCEDURE_FILE)))
        table.update(load())
        _procedure = table
    return _procedure


@lru_cache(maxsize=1)
def longest_procedure_key() -> int:
    return max((len(k) for k in load_procedure()), default=1)


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


@lru_cache(maxsize=1)
def longest_status_key() -> int:
    return max((len(k) for k in load_status()), default=1)
