"""``read_claims``: one entry point over every claim format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import IO, Self

from medcode.errors import ClaimFormatError
from medcode.models import Claim

from .detect import HEAD_SIZE, Format, detect_format
from .source import Source, SourceLike, open_source

__all__ = ["ClaimReader", "Item", "read_claims"]

Item = Claim | ClaimFormatError
_CHUNK = 65536


def _reader_for(fmt: Format) -> Callable[[IO[bytes], str], Iterator[Item]]:
    # imported here so that importing medcode.claims.formats stays cheap
    if fmt is Format.json:
        from .jsonfmt import read_json
        return read_json
    if fmt is Format.jsonl:
        from .jsonfmt import read_jsonl
        return read_jsonl
    if fmt is Format.csv:
        from .csvfmt import read_csv
        return read_csv
    if fmt is Format.fhir:
        from .fhir import read_fhir
        return read_fhir
    from .x12 import read_x12

    def x12(stream: IO[bytes], name: str) -> Iterator[Item]:
        return read_x12(iter(lambda: stream.read(_CHUNK), b""), name)
    return x12


class ClaimReader(Iterator[Item]):
    """The claims of one input, in file order: each item is a ``Claim`` or, for a record
    that could not be read, a ``ClaimFormatError`` (``.where`` names the place).

    Iterating may still *raise* ClaimFormatError for a problem that makes the rest of the
    input unreadable (e.g. a later X12 ISA header that is broken). Use it as a context
    manager, or exhaust it, to close a file it opened. ``format`` and ``name`` tell what was
    read. ``file_problems`` collects, as they are met, the problems of the file around the
    claims (ClaimFormatError with ``scope == "file"``: X12 envelopes and loops outside a
    claim); they are not yielded, so every item is one claim of the file.
    """

    def __init__(self, src: Source, fmt: Format) -> None:
        self.format = fmt
        self.name = src.name
        self._src = src
        self._it: Iterator[Item] | None
        if fmt in (Format.parquet, Format.arrow):     # columnar: random access, not a stream
            from .arrowfmt import read_arrow
            self._it = read_arrow(src.path or src.stream.read(), fmt.value, src.name)
        else:
            self._it = _reader_for(fmt)(src.stream, src.name)
        self._first: list[Item] = []
        self.file_problems: list[ClaimFormatError] = []

    def _prime(self) -> None:
        """Read the first item now, so an unreadable input raises from read_claims()."""
        try:
            self._first.append(self.__next__())
        except StopIteration:
            pass

    def __iter__(self) -> ClaimReader:
        return self

    def __next__(self) -> Item:
        if self._first:
            return self._first.pop()
        if self._it is None:
            raise StopIteration
        try:
            while True:
                item = next(self._it)
                if isinstance(item, ClaimFormatError) and item.scope == "file":
                    self.file_problems.append(item)
                    continue
                return item
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._it is not None:
            close = getattr(self._it, "close", None)
            if close is not None:
                close()
            self._it = None
        self._src.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_claims(source: SourceLike, fmt: Format | str | None = None, *,
                name: str | None = None) -> ClaimReader:
    """Read claims from a path, bytes, or a binary/text file object.

    ``fmt`` None = detect from the first 64 KiB (``detect_format``). ``name`` overrides the
    name used in messages (default: the path, the file object's ``name``, or ``<bytes>``).

    Streams JSONL, CSV, X12 and FHIR NDJSON (memory stays flat); a JSON document or a FHIR
    Claim/Bundle document is loaded whole. Yields ``Claim`` or ``ClaimFormatError`` items
    (see ClaimReader). Raises ClaimFormatError, naming the file and the reason, when the
    input cannot be read at all: missing or unopenable file, empty input, binary data, JSON
    that does not parse, a CSV header without claim_id/code, an X12 file without a valid
    ISA header or without any 837 transaction (e.g. a 999 acknowledgment), a FHIR resource
    that is not a Claim or Bundle. The first item is read before returning so that these
    surface here rather than on the first ``next()``.
    """
    fmt = Format.parse(fmt) if fmt is not None else None
    src = open_source(source, name, HEAD_SIZE)
    try:
        if fmt is None:
            fmt = detect_format(src.head, src.name)
        elif not src.head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise ClaimFormatError("the input is empty", src.name)
        reader = ClaimReader(src, fmt)
        reader._prime()
    except BaseException:
        src.close()
        raise
    return reader
