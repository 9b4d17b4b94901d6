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


def validate(store: Store, raw: str, on: dt.date | None = None,
             release: str | None = None) -> Validation:
    """Full answer for one input. Malformed input gives status 'malformed' (no exception)."""
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

    if not icd10cm.looks_like_icd10cm(code):
        hint = _proc_hint(code)
        if hint:
            return result(False, "wrong_system", hint, shown=code)
        return result(False, "unknown", f"{raw!r} is not an ICD-10-CM code: an ICD-10-CM code "
                      "is 3 to 7 characters, a letter first (E11.9, S72.001A)", shown=code)
    row = store.row(SYSTEM, code)
    if row is not None:
        _, title, kind, _parent, _depth, bmask, nmask = row
        if bmask & bit:
            return result(True, "valid", f"{display(code)} is billable {when}: {title}")
        if nmask & bit:
            return _header(store, code, title, kind, rel, when, bmask, result)
        return _not_in_release(store, code, rel, when, bmask, result)
    hint = _proc_hint(code) if "." not in raw else None
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
    earlier = [r.name for r in store.releases(SYSTEM) if r.bit & bmask]
    total = store.count_descendants(SYSTEM, code, bit)
    span = f"{sample[0]}-{sample[-1]}" if len(sample) > 1 else (sample[0] if sample else "")
    if earlier and rel.effective_from > max(
            r.effective_from for r in store.releases(SYSTEM) if r.bit & bmask):
        return result(False, "header",
                      f"{display(code)} was billable until {_end_of(store, earlier[-1])} but "
                      f"became a category on {rel.effective_from}: use {span}"
                      f" ({total} billable codes)", sample)
    kind_word = {"category": "a category", "subcategory": "a subcategory", "block": "a block",
                 "chapter": "a chapter"}.get(kind, "a header")
    more = f" and {total - 12} more" if total > 12 else ""
    return result(False, "header",
                  f"{display(code)} is {kind_word}, not billable: {title}. Use one of its "
                  f"{total} billable codes: {', '.join(sample[:12])}{more}", sample)


def _end_of(store: Store, release_name: str) -> str:
    for r in store.releases(SYSTEM):
        if r.name == release_name:
            return str(r.effective_to)
    return release_name


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
        stem = code[:6]
        stem_row = store.row(SYSTEM, stem) or store.row(SYSTEM, stem.rstrip("X"))
        if stem_row is not None:
            meanings = _seven_meanings(store, stem_row[0])
            allowed = sorted(r[0][-1] for r in store.children(SYSTEM, stem_row[0])
                             if r[2] == "extension" and r[5] & bit)
            if meanings:
                ch = code[6]
                why = (f"7th character {ch} ({meanings[ch]}) does not apply to "
                       f"{display(stem)}" if ch in meanings
                       else f"{ch} is not a 7th character of {display(stem_row[0])}")
                return result(False, "bad_7th", f"{display(code)} is not valid: {why}; allowed: "
                              + ", ".join(f"{c} = {meanings.get(c, '')}" for c in allowed),
                              [display(icd10cm.seven_char_base(stem_row[0]) + c) for c in allowed])
    # nearest existing ancestor
    for i in range(len(code) - 1, 2, -1):
        anc = store.row(SYSTEM, code[:i])
        if anc is not None and anc[6] & bit:
            msg = (f"{display(code)} is not an ICD-10-CM code {when}; the closest is "
                   f"{display(anc[0])} ({anc[1]})")
            if hint:
                msg = hint + "; " + msg
            return result(False, "unknown", msg, [display(anc[0])])
    return result(False, "wrong_system" if hint else "unknown",
                  hint or f"{display(code)} is not an ICD-10-CM code {when}")


def validate_many(store: Store, codes: Iterable[str], on: dt.date | None = None,
                  release: str | None = None) -> list[bool]:
    """Billable or not, for each input, in one pass: the fast path for large lists.

    Case, dots and surrounding whitespace are ignored. Use :func:`validate` on the
    ``False`` ones to learn why.
    """
    if not isinstance(codes, (list, tuple)):
        codes = list(codes)
    rel = store.resolve(SYSTEM, on=on, release=release)
    valid = store.billable_set(SYSTEM, rel)
    forms = _display_forms(store, rel, valid)
    contains = forms.__contains__
    out = [contains(c) for c in codes]
    # only the misses need normalising (lower case, blanks, misplaced dots)
    for i, ok in enumerate(out):
        if not ok:
            c = codes[i]
            if isinstance(c, str):
                out[i] = c.strip().upper().replace(".", "") in valid
    return out


def _display_forms(store: Store, rel: Release, valid: frozenset[str]) -> frozenset[str]:
    key = (SYSTEM + "#forms", rel.name)
    cached = store._sets.get(key)
    if cached is None:
        cached = frozenset(valid | {display(c) for c in valid})
        store._sets[key] = cached
    return cached
