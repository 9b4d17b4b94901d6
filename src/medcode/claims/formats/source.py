"""Turn what a caller hands us (a path, a binary or text file object, or bytes) into one
buffered binary stream plus a display name, without reading more than its head."""

from __future__ import annotations

import io
import os
from typing import IO, Any, Union

from medcode.errors import ClaimFormatError

__all__ = ["Source", "SourceLike", "open_source"]

SourceLike = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], IO[str]]


class _TextAsBytes(io.RawIOBase):
    """A text file object seen as UTF-8 bytes."""

    def __init__(self, fp: IO[str]) -> None:
        self._fp = fp
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        want = len(b)
        while len(self._pending) < want:
            text = self._fp.read(max(want, 8192))
            if not text:
                break
            self._pending += text.encode("utf-8")
        n = min(want, len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _Transcoded(io.RawIOBase):
    """A UTF-16 byte stream seen as UTF-8 bytes (decoded incrementally)."""

    def __init__(self, rest: Any, codec: str, label: str, name: str) -> None:
        import codecs
        self._rest = rest
        self._dec = codecs.getincrementaldecoder(codec)(errors="strict")
        self._label = label
        self._name = name
        self._pending = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        want = len(b)
        while len(self._pending) < want and not self._eof:
            data = self._rest.read(max(want, 65536))
            try:
                text = self._dec.decode(data or b"", final=not data)
            except UnicodeDecodeError as exc:
                raise ClaimFormatError(f"is {self._label} text that cannot be decoded "
                                       f"({exc.reason})", self._name) from None
            self._eof = not data
            self._pending += text.encode("utf-8")
        n = min(want, len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def sniff_encoding(head: bytes) -> tuple[str, str] | None:
    """(codec, label) when ``head`` is UTF-16 (a byte-order mark, or the NUL byte of every
    other character that ASCII text written as UTF-16 has); None for UTF-8 and 8-bit text.
    Raises ClaimFormatError for UTF-32, which no claim format uses."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ClaimFormatError("is UTF-32 text; claim files are read as UTF-8, UTF-16 or "
                               "Latin-1: save it as UTF-8")
    if head.startswith(b"\xff\xfe"):
        return "utf-16", "UTF-16 LE"
    if head.startswith(b"\xfe\xff"):
        return "utf-16", "UTF-16 BE"
    sample = head[:64]
    if len(sample) >= 8 and not any(sample[1::2]) and all(sample[0::2]):
        return "utf-16-le", "UTF-16 LE"
    if len(sample) >= 8 and not any(sample[0::2]) and all(sample[1::2]):
        return "utf-16-be", "UTF-16 BE"
    return None


class _Prefixed(io.RawIOBase):
    """Bytes already read (the head), then the rest of the underlying stream."""

    def __init__(self, head: bytes, rest: IO[bytes] | io.RawIOBase) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if len(self._head):
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        if not data:
            return 0
        n = len(data)
        b[:n] = data
        return n


class Source:
    """An opened claim input: ``name`` for messages, ``head`` (first bytes) and ``stream``
    (a buffered binary stream that starts at byte 0, head included)."""

    def __init__(self, name: str, head: bytes, stream: io.BufferedReader,
                 owned: IO[Any] | None, encoding: str = "") -> None:
        self.name = name
        self.head = head
        self.stream = stream
        self._owned = owned
        #: "UTF-16 LE"/"UTF-16 BE" when the input was transcoded to UTF-8, else ""
        self.encoding = encoding
        self.path: str | None = None     # the file's path, when a path was given

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None


def open_source(source: SourceLike, name: str | None, head_size: int) -> Source:
    """Open ``source`` and read its head. Raises ClaimFormatError naming the file when it
    cannot be opened (missing, a directory, unreadable)."""
    owned: IO[Any] | None = None
    raw: Any
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "<bytes>"
        raw = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        label = name or os.fspath(source)
        try:
            owned = open(source, "rb")  # noqa: SIM115 - closed by Source.close()
        except FileNotFoundError:
            raise ClaimFormatError("no such file", label) from None
        except IsADirectoryError:
            raise ClaimFormatError("is a directory, not a claim file", label) from None
        except OSError as exc:
            raise ClaimFormatError(f"cannot be opened: {exc.strerror or exc}", label) from None
        raw = owned
    elif hasattr(source, "read"):
        label = name or str(getattr(source, "name", "") or "<stream>")
        raw = source
        if isinstance(source, io.TextIOBase) or "b" not in getattr(source, "mode", "b"):
            probe = source.read(0)
            if isinstance(probe, str):
                raw = _TextAsBytes(source)  # type: ignore[arg-type]
    else:
        raise TypeError("read_claims() takes a path, bytes, or a file object; "
                        f"got {type(source).__name__}")
    try:
        head = raw.read(head_size)
    except UnicodeDecodeError as exc:
        raise ClaimFormatError(f"is not UTF-8 text ({exc.reason})", label) from None
    except OSError as exc:
        raise ClaimFormatError(f"cannot be read: {exc.strerror or exc}", label) from None
    if isinstance(head, str):       # a text stream that slipped past the probe
        head = head.encode("utf-8")
        raw = _TextAsBytes(raw)
    try:
        wide = sniff_encoding(head)
    except ClaimFormatError as exc:
        if owned is not None:
            owned.close()
        raise ClaimFormatError(exc.reason, label) from None
    encoding = ""
    if wide is not None:            # UTF-16: read on as UTF-8
        codec, encoding = wide
        utf8 = _Transcoded(_Prefixed(head, raw), codec, encoding, label)
        try:
            head = utf8.read(head_size) or b""
        except ClaimFormatError:
            if owned is not None:
                owned.close()
            raise
        raw = utf8
    stream: io.BufferedReader = io.BufferedReader(  # type: ignore[arg-type]
        _Prefixed(head, raw), buffer_size=65536)
    src = Source(label, head, stream, owned, encoding)
    if isinstance(source, (str, os.PathLike)):
        src.path = os.fspath(source)
    return src
