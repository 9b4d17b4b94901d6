"""Is this ICD-10-CM code billable on that date, and if not, why and what instead?"""

from __future__ import annotations

import datetime as dt

from medcode.errors import InvalidCode
from medcode.systems import icd10cm
from medcode.systems.icd10cm import display
from medcode.systems.normalize import clean_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from medcode._release import Release
    from medcode.store.db import Store

SYSTEM = icd10cm.SYSTEM


class Validation:
    """The answer for one input (a plain class: it sits on the cold-start path).

    status: valid | header | needs_7th | placeholder | bad_7th | not_in_release | unknown |
    wrong_system | malformed.
    """

    __slots__ = ("input", "code", "system", "release", "valid", "status", "message",
                 "suggestions", "on", "extra")

    def __init__(self, input: str, code: str, system: str, release: str | None, valid: bool,
                 status: str, message: str, suggestions: tuple[str, ...] = (),
                 on: dt.date | None = None, extra: dict[str, Any] | None = None) -> None:
        self.input = input
        self.code = code              # display form ('' when the input is not a code at all)
        self.system = system
        self.release = release
        self.valid = valid
        self.status = status
        self.message = message
        self.suggestions = suggestions
        self.on = on
        self.extra = extra or {}

    def __repr__(self) -> str:
        return f"Validation({self.input!r}, valid={self.valid}, status={self.status!r})"

    def as_dict(self) -> dict[str, Any]:
        return {"input": self.input, "code": self.code, "system": self.system,
                "release": self.release, "on": self.on.isoformat() if self.on else None,
                "valid": self.valid, "status": self.status, "message": self.message,
                "suggestions": list(self.suggestions), **self.extra}


def _is_procedure_shape(code: str) -> bool:
    """CPT (#####, ####F/T/U/A/M) or HCPCS Level II (A-V + 4 digits)."""
    if len(code) != 5:
        return False
    if code[:4].isdigit():
        return code[4].isdigit() or code[4] in "FTUAM"
    return "A" <= code[0] <= "V" and code[1:].isdigit()


def _proc_hint(code: str) -> str | None:
    if not _is_procedure_shape(code):
        return None
    if code[0].isdigit():
        kinds = {"F": "CPT Category II", "T": "CPT Category III", "U": "CPT PLA",
                 "A": "CPT (CMS-file) code", "M": "CPT (CMS-file) code"}
        kind = kinds.get(code[4], "CPT Category I")
        return f"{code} is a procedure code ({kind}), not ICD-10-CM: it goes on a service line"
    return f"{code} looks like a HCPCS Level II procedure code, not an ICD-10-CM diagnosis"


def validate(store: Store, raw: str, on: dt.date | None = None, release: str | None = None,
             system: str | None = None) -> Validation:
    """Full answer for one input. Malformed input gives status 'malformed' (no exception).

    ``system`` picks the reading (ICD-10-CM, ICD-10-PCS, ICD-9-CM, CPT, HCPCS). Without it
    every plausible reading counts (``medcode.codes.readings``): J1100 is valid only when the
    HCPCS code and the ICD-10-CM code J11.00 both are; ``extra["readings"]`` lists them."""
    if system is not None and system != SYSTEM:
        from medcode.codes.readings import validate_in
        return validate_in(store, raw, system, on, release)
    if system is None:
        from medcode.codes.readings import validate_readings
        found = validate_readings(store, raw, on, release)
        if found is not None:
            return found
    return validate_icd10cm(store, raw, on, release)


def validate_icd10cm(store: Store, raw: str, on: dt.date | None = None,
                     release: str | None = None) -> Validation:
    """The answer for ``raw`` read as an ICD-10-CM code."""
    try:
        code = clean_code(raw)
    except InvalidCode as exc:
        return Validation(str(raw)[:40], "", SYSTEM, None, False, "malformed", str(exc), on=on)
    rel = store.resolve(SYSTEM, on=on, release=release)
    return _explain(store, str(raw).strip(), code, rel, on)


def _explain(store: Store, raw: str, code: str, rel: Release, on: dt.date | None) -> Validation:
    bit = rel.bit
    when = f"on {on}" if on else f"in {rel.name}"

    def result(valid: bool, status: str, message: str, sugg: Iterable[str] = (),
               shown: str | None = None, **extra: Any) -> Validation:
        return Validation(raw, shown if shown is not None else display(code), SYSTEM, rel.name,
                          valid, status, message, tuple(sugg), on, extra)

    dotted = "." in raw
    if not icd10cm.looks_like_icd10cm(code):
        hint = None if dotted else _proc_hint(code)
        if hint:
            return result(False, "wrong_system", hint, shown=code)
        return result(False, "unknown", f"{raw!r} is not an ICD-10-CM code: an ICD-10-CM code "
                      "is 3 to 7 characters, a letter first (E11.9, S72.001A)", shown=code)
    row = store.row(SYSTEM, code)
    if row is not None:
        _, title, kind, _parent, _depth, bmask, nmask = row
        title = store.title_for(SYSTEM, code, title, rel)
        if bmask & bit:
            return result(True, "valid", f"{display(code)} is billable {when}: {title}")
        if nmask & bit:
            return _header(store, code, title, kind, rel, when, bmask, result)
        return _not_in_release(store, code, rel, when, bmask, result)
    hint = None if dotted else _proc_hint(code)
    return _unknown(store, code, rel, when, result, hint)


def _header(store, code, title, kind, rel, when, bmask, result) -> Validation:
    bit = rel.bit
    kids = store.descendants(SYSTEM, code, bit, limit=50)
    sample = [display(r[0]) for r in kids]
    exts = [r for r in store.children(SYSTEM, code) if r[2] == "extension" and r[5] & bit]
    if exts:
        chars = {r[0][-1]: r[1] for r in exts}
        meanings = _seven_meanings(store, code)
        listing = "; ".join(f"{c} = {meanings.get(c, '?')}" for c in sorted(chars))
        base = icd10cm.seven_char_base(code)
        return result(False, "needs_7th",
                      f"{display(code)} needs a 7th character to be billable {when} "
                      f"({display(base)}?): {listing}", sample,
                      seventh_characters={c: meanings.get(c, "") for c in sorted(chars)})
    total = store.count_descendants(SYSTEM, code, bit)
    span = f"{sample[0]}-{sample[-1]}" if len(sample) > 1 else (sample[0] if sample else "")
    kind_word = {"category": "a category", "subcategory": "a subcategory", "block": "a block",
                 "chapter": "a chapter"}.get(kind, "a header")
    releases = store.releases(SYSTEM)
    billable_in = [r for r in releases if r.bit & bmask and r.effective_from < rel.effective_from]
    if billable_in:
        # the day it stopped being billable is the start of the release after the last one
        # where it was, not the start of the release asked about (G35 on a FY2027 date)
        last = max(billable_in, key=lambda r: r.effective_from)
        after = [r.effective_from for r in releases if r.effective_from > last.effective_from]
        became = min(after) if after else rel.effective_from
        return result(False, "header",
                      f"{display(code)} was billable until {last.effective_to or became} but "
                      f"became {kind_word} on {became}: use {span}"
                      f" ({total} billable codes)", sample)
    more = f" and {total - 12} more" if total > 12 else ""
    return result(False, "header",
                  f"{display(code)} is {kind_word}, not billable: {title}. Use one of its "
                  f"{total} billable codes: {', '.join(sample[:12])}{more}", sample)


def _seven_meanings(store: Store, code: str) -> dict[str, str]:
    cur: str | None = code
    while cur:
        found = store.seven_chr(SYSTEM, cur)
        if found:
            return found
        row = store.row(SYSTEM, cur)
        cur = row[3] if row else None
    return {}


def _not_in_release(store, code, rel, when, bmask, result) -> Validation:
    rels = store.releases(SYSTEM)
    valid_in = [r for r in rels if r.bit & bmask]
    if not valid_in:
        return result(False, "not_in_release", f"{display(code)} is not billable {when}")
    if all(r.effective_from > rel.effective_from for r in valid_in):
        first = valid_in[0]
        return result(False, "not_in_release",
                      f"{display(code)} is not valid {when}: it was added in {first.name} "
                      f"(effective {first.effective_from})", valid_in=[r.name for r in valid_in])
    last = valid_in[-1]
    return result(False, "not_in_release",
                  f"{display(code)} is not valid {when}: it was deleted after {last.name} "
                  f"(last valid {last.effective_to})", valid_in=[r.name for r in valid_in])


_ORDINAL = {4: "4th", 5: "5th", 6: "6th"}


def _unknown(store, code, rel, when, result, hint) -> Validation:
    bit = rel.bit
    # placeholder X missing: W21.89A -> W21.89XA
    if 4 <= len(code) <= 6:
        padded = icd10cm.seven_char_base(code[:-1]) + code[-1]
        prow = store.row(SYSTEM, padded)
        if prow is not None and prow[5] & bit:
            return result(False, "placeholder",
                          f"missing placeholder X: {display(padded)} ({prow[1]})",
                          [display(padded)])
    if len(code) == 7:
        wrong_x = _misplaced_x(store, code, rel, when, result)
        if wrong_x is not None:
            return wrong_x
        stem = code[:6]
        stem_row = store.row(SYSTEM, stem) or store.row(SYSTEM, stem.rstrip("X"))
        if stem_row is not None:
            meanings = _seven_meanings(store, stem_row[0])
            allowed = sorted(r[0][-1] for r in store.children(SYSTEM, stem_row[0])
                             if r[2] == "extension" and r[5] & bit)
            if meanings and allowed:
                ch = code[6]
                why = (f"7th character {ch} ({meanings[ch]}) does not apply to "
                       f"{display(stem)}" if ch in meanings
                       else f"{ch} is not a 7th character of {display(stem_row[0])}")
                return result(False, "bad_7th", f"{display(code)} is not valid: {why}; allowed: "
                              + ", ".join(f"{c} = {meanings.get(c, '')}" for c in allowed),
                              [display(icd10cm.seven_char_base(stem_row[0]) + c) for c in allowed])
    return _closest(store, code, rel, when, result, hint)


def _misplaced_x(store, code, rel, when, result) -> Validation | None:
    """S72.0XXA: the placeholder X stands in for characters a code does not have, but S72.0
    has 5th characters (S72.00-S72.09). Say so and list the real subcategories."""
    bit = rel.bit
    pos = next((i for i in range(3, 6) if code[i] == "X"), None)
    if pos is None or any(c != "X" for c in code[pos:6]):
        return None
    base = code[:pos]
    row = store.row(SYSTEM, base)
    if row is None or not row[6] & bit:
        return None
    kids = [r for r in store.children(SYSTEM, base) if r[6] & bit and r[2] != "extension"
            and r[0][pos:pos + 1] != "X"]
    if not kids:
        return None
    ch = code[6]
    filled = "the " + " and ".join(_ORDINAL[i + 1] for i in range(pos, 6)) + " character" + (
        "s" if pos < 5 else "")
    listing = "; ".join(f"{display(r[0])} {r[1]}" for r in kids[:10])
    more = f"; and {len(kids) - 10} more" if len(kids) > 10 else ""
    sample = [display(r[0]) for r in store.descendants(SYSTEM, base, bit, limit=400)
              if len(r[0]) == 7 and r[0][6] == ch][:12]
    return result(False, "placeholder",
                  f"{display(code)} is not valid: the placeholder X fills {filled} only in a "
                  f"code that has none of its own, and {display(base)} ({row[1]}) has "
                  f"{_ORDINAL[pos + 1]} characters: {listing}{more}. Pick the one that fits"
                  + (f", e.g. {sample[0]}" if sample else ""), sample, placeholder="misplaced")


def _closest(store, code, rel, when, result, hint) -> Validation:
    """The closest code worth proposing: from ICD-10-CM, billable on the date and in the same
    category (the nearest billable ancestor, else the billable codes under the nearest
    ancestor), or none."""
    bit = rel.bit
    for i in range(len(code) - 1, 2, -1):
        anc = store.row(SYSTEM, code[:i])
        if anc is None or not anc[6] & bit:
            continue
        if anc[5] & bit:
            msg = (f"{display(code)} is not an ICD-10-CM code {when}; the closest billable "
                   f"code is {display(anc[0])} ({anc[1]})")
            sugg = [display(anc[0])]
        else:
            kids = [display(r[0]) for r in store.descendants(SYSTEM, anc[0], bit, limit=13)]
            if not kids:
                break
            more = ", ..." if len(kids) > 12 else ""
            msg = (f"{display(code)} is not an ICD-10-CM code {when}; under {display(anc[0])} "
                   f"({anc[1]}) the billable codes are {', '.join(kids[:12])}{more}")
            sugg = kids[:12]
        if hint:
            msg = hint + "; " + msg
        return result(False, "unknown", msg, sugg)
    return result(False, "wrong_system" if hint else "unknown",
                  hint or f"{display(code)} is not an ICD-10-CM code {when}")


def validate_many(store: Store, codes: Iterable[str], on: dt.date | None = None,
                  release: str | None = None, system: str | None = None) -> list[bool]:
    """``validate(code).valid`` for each input, in one pass: the fast path for large lists.

    Case, dots and surrounding whitespace are ignored. The policy for codes of more than one
    shape is validate's (J1100 is valid only when both its readings are): see
    :mod:`medcode.codes.validset`. Use :func:`validate` on the ``False`` ones to learn why.
    """
    from medcode.codes.validset import validate_many as _policy
    return _policy(store, codes, on, release, system)
