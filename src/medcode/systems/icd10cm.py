"""ICD-10-CM: format rules and display forms (light: on the cold-start path).

The parsers of the official files are in :mod:`medcode.systems.icd10cm_files`.
"""

from __future__ import annotations

SYSTEM = "ICD-10-CM"

#: note kinds in the tabular, mapped to the contract's JSON keys, in display order
NOTE_TAGS: dict[str, str] = {
    "includes": "includes",
    "inclusionTerm": "inclusion_terms",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "notes",
}
NOTE_KEYS: tuple[str, ...] = tuple(NOTE_TAGS.values()) + ("seven_chr_note", "seven_chr_def")

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def display(code: str) -> str:
    """Display form: a dot after the third character (``E119`` -> ``E11.9``)."""
    if len(code) > 3 and "-" not in code and not code.isdigit():
        return code[:3] + "." + code[3:]
    return code


def strip_dot(code: str) -> str:
    return code.replace(".", "").upper()


def looks_like_icd10cm(code: str) -> bool:
    """Format check on a normalised (upper-case, dotless) string: a letter, then 2 to 6
    letters or digits. FY2026 added the first category with a letter second (QA0)."""
    return (3 <= len(code) <= 7 and "A" <= code[0] <= "Z" and all(c in _ALNUM for c in code))


def block_key(section_id: str) -> str:
    """Blocks are keyed by their range; a one-category block (``B99``) becomes ``B99-B99``
    so that it never collides with the category of the same name."""
    return section_id if "-" in section_id else f"{section_id}-{section_id}"


def seven_char_base(code: str) -> str:
    """The six-character stem a 7th character attaches to: pad with placeholder X."""
    return code + "X" * (6 - len(code))
