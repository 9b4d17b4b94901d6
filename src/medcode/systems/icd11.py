"""ICD-11 MMS (WHO): code format only. medcode ships no ICD-11 content yet.

ICD-11 is in effect since 2022-01-01 for WHO reporting; the US has not adopted it.
Its codes never use the letters I and O (easily confused with 1 and 0):

* stem code: 4 characters, then optionally a dot and 1-2 more: ``1A00``, ``BA00.0``,
  ``5A11``, ``2C82.0``. Character 1 is the chapter (1-9, then letters), character 2 is
  always a letter (an ICD-10 code has a digit there), character 3 always a digit,
  character 4 a digit or letter;
* extension code (chapter X, used only added to a stem code): ``X`` + a letter + 2-4
  characters, e.g. ``XK8G``, ``XA0060``;
* cluster (postcoordination): a stem code followed by ``&`` (extension) or ``/`` (another
  stem code) parts, e.g. ``2C82.0&XK8G``.
"""

from __future__ import annotations

import re

SYSTEM = "ICD-11"
_ALNUM = "0-9A-HJ-NP-Z"   # digits and letters without I and O
_LETTER = "A-HJ-NP-Z"
STEM_RE = re.compile(rf"^[1-9{_LETTER}][{_LETTER}][0-9][{_ALNUM}](?:\.[{_ALNUM}]{{1,2}})?$")
EXTENSION_RE = re.compile(rf"^X[{_LETTER}][{_ALNUM}]{{2,4}}$")
CLUSTER_SPLIT = re.compile(r"([&/])")


def stem_display(code: str) -> str:
    """``BA000`` -> ``BA00.0``; a dotted or 4-character code is returned as is."""
    c = code.strip().upper()
    if "." not in c and len(c) > 4 and not c.startswith("X"):
        return f"{c[:4]}.{c[4:]}"
    return c


def kind_of(code: str) -> str | None:
    """"stem code", "extension code", "cluster", or None when ``code`` has no ICD-11 shape.
    An undotted stem of 5-6 characters is accepted (``BA000`` for ``BA00.0``)."""
    c = code.strip().upper()
    if "&" in c or "/" in c:
        parts = CLUSTER_SPLIT.split(c)
        if not _is_stem(parts[0]) or parts[0].startswith("X"):
            return None
        for sep, part in zip(parts[1::2], parts[2::2]):
            if sep == "&" and not (EXTENSION_RE.match(part) or _is_stem(part)):
                return None
            if sep == "/" and not _is_stem(part):
                return None
        return "cluster"
    if c.startswith("X") and EXTENSION_RE.match(c):
        return "extension code"
    if _is_stem(c) and not c.startswith("X"):
        return "stem code"
    return None


def _is_stem(code: str) -> bool:
    return bool(STEM_RE.match(stem_display(code)))


def looks_like_icd11(code: str) -> bool:
    return kind_of(code) is not None
