"""A streaming X12 tokenizer: text chunks in, segments out.

Written here rather than taken from PyPI: the Python X12 libraries there are unmaintained
(badx12's last release dates from 2018; pyx12 is a large map-driven validator whose
maintained history is mostly 4010) and medcode needs only a few 837P segments, read lazily.

The separators are read from each interchange's fixed-width ISA header (106 characters):
element separator = character 4 (index 3), repetition separator = ISA11 (5010; ignored
when it is a letter or digit as in 4010 files), component separator = ISA16 (index 104),
segment terminator = the character after ISA16 (index 105). Line breaks and spaces after a
terminator are tolerated. A new ISA anywhere re-reads the separators.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from medcode.errors import ClaimFormatError

__all__ = ["ISA_LENGTH", "Segment", "Separators", "iter_segments"]

ISA_LENGTH = 106
# Data element lengths of ISA01..ISA16 (all fixed width).
_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_ISA_SEP_AT = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_ISA_NAMES = ("ISA01 authorization qualifier", "ISA02 authorization information",
              "ISA03 security qualifier", "ISA04 security information",
              "ISA05 sender qualifier", "ISA06 sender id", "ISA07 receiver qualifier",
              "ISA08 receiver id", "ISA09 date", "ISA10 time", "ISA11 repetition separator",
              "ISA12 version", "ISA13 control number", "ISA14 acknowledgment requested",
              "ISA15 usage indicator", "ISA16 component separator")
_SEG_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_WS = " \t\r\n\ufeff"


@dataclass(frozen=True)
class Separators:
    element: str
    component: str
    segment: str
    repetition: str | None


@dataclass
class Segment:
    """One segment. ``elements[0]`` is the id, so ``elements[1]`` is e.g. CLM01."""

    id: str
    elements: list[str]
    number: int                      # 1-based position in the file (first ISA = 1)
    interchange: int                 # 1-based ISA count in the file
    seps: Separators
    problem: str | None = None       # set when the segment itself is malformed
    extra: dict[str, str] = field(default_factory=dict)

    def el(self, i: int) -> str:
        return self.elements[i].strip() if i < len(self.elements) else ""

    def where(self, name: str) -> str:
        return f"{name}: segment {self.number} ({self.id or '?'}), interchange {self.interchange}"


def _isa_problem(isa: str) -> str | None:
    """Why ``isa`` (the first 106 characters) is not a valid fixed-width ISA, or None."""
    if len(isa) < ISA_LENGTH:
        return (f"the ISA header is cut short ({len(isa)} characters; X12 requires exactly "
                f"{ISA_LENGTH})")
    e = isa[3]
    if e.isalnum() or e in _WS:
        return f"the element separator after 'ISA' is {e!r}, which cannot be a separator"
    if tuple(i for i, c in enumerate(isa[:104]) if c == e) == _ISA_SEP_AT:
        comp, term = isa[104], isa[105]
        if comp.isalnum() or comp == e:
            return f"ISA16 component separator {comp!r} is not a usable separator"
        if term.isalnum() or term in (e, comp, " "):
            return f"the segment terminator {term!r} after ISA16 is not a usable terminator"
        return None
    parts = isa.split(e)
    for i, width in enumerate(_ISA_WIDTHS, 1):
        if i >= len(parts):
            break
        if i < 16 and len(parts[i]) != width:
            return (f"{_ISA_NAMES[i - 1]} is {len(parts[i])} characters, X12 requires exactly "
                    f"{width} (the ISA header is fixed width, {ISA_LENGTH} characters), so its "
                    "separators cannot be trusted")
    return f"the ISA header is not {ISA_LENGTH} fixed-width characters"


def _decode(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text; from the first byte sequence that is not UTF-8 on, Latin-1 (ISO 8859-1,
    the 8-bit set older X12 senders use for names such as MUÑOZ), which reads any byte.
    UTF-16 was already turned into UTF-8 by ``source.open_source``."""
    dec = codecs.getincrementaldecoder("utf-8")(errors="strict")
    latin1 = False
    for chunk in chunks:
        if latin1:
            text = chunk.decode("latin-1")
        else:
            try:
                text = dec.decode(chunk)
            except UnicodeDecodeError:
                latin1 = True
                text = (dec.getstate()[0] + chunk).decode("latin-1")
        if text:
            yield text
    if not latin1:
        try:
            tail = dec.decode(b"", final=True)
        except UnicodeDecodeError:
            tail = dec.getstate()[0].decode("latin-1")
        if tail:
            yield tail


def iter_segments(chunks: Iterable[bytes], name: str) -> Iterator[Segment]:
    """Segments of an X12 file read chunk by chunk.

    Raises ClaimFormatError when the file does not start with a readable ISA header (no ISA,
    or an ISA that breaks the fixed width). A later broken ISA ends the reading with an error
    too (its separators are unknown). Malformed segment ids are yielded with ``problem`` set.
    """
    text = _decode(chunks)
    buf = ""
    pos = 0
    eof = False
    seps: Separators | None = None
    number = 0
    interchange = 0

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        for piece in text:
            buf = buf[pos:] + piece
            pos = 0
            return True
        eof = True
        return False

    while True:
        # skip white space between segments
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            return
        while len(buf) - pos < 3 and more():
            pass
        if buf.startswith("ISA", pos):
            while len(buf) - pos < ISA_LENGTH and more():
                pass
            isa = buf[pos:pos + ISA_LENGTH]
            number += 1
            interchange += 1
            problem = _isa_problem(isa)
            if problem:
                where = f"{name}: segment {number} (ISA), interchange {interchange}"
                raise ClaimFormatError(problem, where)
            rep = isa[82]
            seps = Separators(isa[3], isa[104], isa[105],
                              None if rep.isalnum() or rep == " " else rep)
            yield Segment("ISA", isa[:105].split(seps.element), number, interchange, seps)
            pos += ISA_LENGTH
            continue
        if seps is None:
            sample = buf[pos:pos + 40].splitlines()[0] if buf[pos:pos + 40] else ""
            raise ClaimFormatError(
                "is not an X12 interchange: it must begin with a 106-character ISA header, "
                f"but starts with {sample!r}", name)
        end = buf.find(seps.segment, pos)
        while end < 0 and more():
            end = buf.find(seps.segment, pos)
        if end < 0:            # the last segment may lack its terminator: harmless
            raw, pos = buf[pos:], len(buf)
        else:
            raw, pos = buf[pos:end], end + 1
        raw = raw.strip("\r\n")
        if not raw.strip():
            continue
        number += 1
        elements = raw.split(seps.element)
        seg_id = elements[0].strip()
        seg = Segment(seg_id, elements, number, interchange, seps)
        if not _SEG_ID.match(seg_id):
            what = f"{seg_id!r} is not a segment id" if seg_id else "the segment id is empty"
            seg.problem = (f"{what} (2-3 capital letters/digits, starting with a letter); "
                           f"segment text: {raw[:60]!r}")
        yield seg
