"""Clean a user's code string before any system looks at it.

Case, dots and surrounding whitespace never matter. Anything else that is not a plain
ASCII letter, digit, dot or dash is refused with a message that says which character, where.
"""

from __future__ import annotations

from medcode.errors import InvalidCode

MAX_LEN = 40

# letters that look like Latin ones in other scripts (a few frequent ones; NFKC covers
# full-width forms)
_LOOKALIKES = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "а": "A", "е": "E", "о": "O", "р": "P", "с": "C", "х": "X",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "І": "I", "Ј": "J", "Ѕ": "S",
}


def describe_char(ch: str) -> str:
    import unicodedata
    name = unicodedata.name(ch, "unnamed character")
    return f"{ch!r} (U+{ord(ch):04X} {name})"


def clean_code(raw: object) -> str:
    """Upper-case, trimmed, dotless form of ``raw``; InvalidCode when it cannot be a code."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidCode("the input is binary data, not a code") from None
    if not isinstance(raw, str):
        raise InvalidCode(f"a code must be text, not {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise InvalidCode("empty input: give a code such as E11.9 or 99213", code=raw)
    if len(text) > MAX_LEN:
        raise InvalidCode(f"input of {len(text)} characters is too long for a code "
                          f"(at most {MAX_LEN}): {text[:20]!r}...", code=text[:MAX_LEN])
    for pos, ch in enumerate(text, 1):
        if ch.isascii():
            if ch.isalnum() or ch in ".-":
                continue
            if ch.isprintable() and ch != " ":
                raise InvalidCode(f"{text!r}: character {pos} {ch!r} cannot be part of a code",
                                  code=text)
            raise InvalidCode(f"{text!r}: character {pos} is a control or space character "
                              f"{ch!r}; a code has none", code=text)
        import unicodedata
        ascii_twin = _LOOKALIKES.get(ch) or unicodedata.normalize("NFKC", ch)
        hint = (f"; it looks like {ascii_twin!r}: retype it as plain ASCII"
                if ascii_twin.isascii() and ascii_twin.isalnum() else "")
        raise InvalidCode(f"{text!r}: character {pos} is {describe_char(ch)}, not a plain "
                          f"letter or digit{hint}", code=text)
    return text.upper().replace(".", "")
