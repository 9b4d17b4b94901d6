"""Split a claim input into parts that worker processes check independently.

    parts = split("claims.jsonl", None)
    for part in parts: ...            # Part objects, in input order
    parts.stopped                     # why reading stopped early, or None

Each ``Part`` knows how many items (claims or unreadable records) it yields and how many
came before it, so a worker numbers them as one process reading the whole input would, and
the report is the same byte for byte. How an input is cut:

* JSON Lines: raw lines (the worker parses them), ``first_line`` keeps the line numbers.
* Parquet/Arrow, one row per claim: record batches (Arrow's own pickling, zero-copy).
* Parquet/Arrow, one row per claim line: record batches cut where a claim starts, so a
  claim never straddles two parts; the claim ids met earlier travel with the part, so a
  claim id that comes back after other claims is reported as in one process.
* Anything else (JSON document, CSV, X12, FHIR): this process reads the claims and hands
  them out already parsed.

Only ``len(in flight) x PART_CLAIMS`` claims are held at once: memory stays flat.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from medcode.claims.formats.detect import HEAD_SIZE, Format, detect_format
from medcode.claims.formats.source import open_source
from medcode.errors import ClaimFormatError

__all__ = ["PART_CLAIMS", "Part", "Parts", "split"]

PART_CLAIMS = 2000
_BOM = b"\xef\xbb\xbf"


@dataclass
class Part:
    index: int
    first: int               # items before this part in the whole input
    count: int               # items this part yields
    kind: str                # jsonl | items | nested | flat
    payload: Any
    row0: int = 0            # lines (jsonl) or rows (tables) before the part
    columns: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    done: int = 0            # progress units (bytes or rows) consumed up to this part's end


class Parts:
    """The parts of one input (iterate once). ``format``, ``name``, ``total`` (bytes or rows
    of the whole input, None when unknown), ``stopped`` (why reading stopped early)."""

    def __init__(self, source: Any, fmt: Format | str | None, name: str | None,
                 claims_per_part: int) -> None:
        self.per = max(1, claims_per_part)
        self.stopped: str | None = None
        self.total: int | None = None
        fmt = Format.parse(fmt) if fmt is not None else None
        src = open_source(source, name, HEAD_SIZE)
        self._src = src
        try:
            if fmt is None:
                fmt = detect_format(src.head, src.name)
            elif not src.head.strip(b" \t\r\n\xef\xbb\xbf"):
                raise ClaimFormatError("the input is empty", src.name)
            self.format = fmt
            self.name = src.name
            if src.path is not None:
                try:
                    self.total = os.path.getsize(src.path)
                except OSError:
                    self.total = None
            self._it = self._make()
        except BaseException:
            src.close()
            raise

    # -- the ways of cutting ----------------------------------------------------------------

    def _make(self) -> Iterator[Part]:
        if self.format is Format.jsonl:
            return self._jsonl()
        if self.format in (Format.parquet, Format.arrow):
            return self._table()
        return self._items()

    def _jsonl(self) -> Iterator[Part]:
        stream = self._src.stream
        first = line0 = done = 0
        index = 0
        while True:
            lines = list(itertools.islice(stream, self.per))
            if not lines:
                break
            count = 0
            for i, raw in enumerate(lines):
                if line0 == 0 and i == 0 and raw.startswith(_BOM):
                    raw = raw[3:]
                if raw.strip():
                    count += 1
            data = b"".join(lines)
            done += len(data)
            yield Part(index, first, count, "jsonl", data, line0, done=done)
            index += 1
            first += count
            line0 += len(lines)

    def _items(self) -> Iterator[Part]:
        from medcode.claims.formats.reader import ClaimReader
        reader = ClaimReader(self._src, self.format)
        reader._prime()                      # an unreadable input raises here, as in one process
        self.total = None                    # read by this process: no byte position to show
        first = index = 0
        while True:
            items: list[Any] = []
            try:
                for item in reader:
                    items.append(item)
                    if len(items) >= self.per:
                        break
            except ClaimFormatError as exc:
                self.stopped = str(exc)
            if items:
                yield Part(index, first, len(items), "items", items, done=first + len(items))
                index += 1
                first += len(items)
            if self.stopped or len(items) < self.per:
                break

    def _table(self) -> Iterator[Part]:
        import pyarrow as pa

        from medcode.claims.formats.arrowfmt import batches, schema_layout
        src = self._src
        schema, it = batches(src.path or src.stream.read(), self.format.value, self.name,
                             batch_rows=self.per)
        layout = schema_layout(schema, self.name)
        self.total = _rows(src.path, self.format)
        if layout == "nested":
            return self._nested(it, pa)
        return self._flat(it, schema.names, pa)

    def _nested(self, it: Iterator[Any], pa: Any) -> Iterator[Part]:
        first = index = 0
        try:
            for batch in it:
                n = batch.num_rows
                if n:
                    yield Part(index, first, n, "nested", batch, first, done=first + n)
                    index += 1
                    first += n
        except (pa.ArrowException, OSError) as exc:
            self.stopped = f"{self.name}: stopped being readable after row {first} ({exc})"

    def _flat(self, it: Iterator[Any], names: list[str], pa: Any) -> Iterator[Part]:
        from medcode.claims.formats.arrowfmt import _text, id_column
        idc = id_column(names)
        seen: dict[str, int] = {}
        held: list[Any] = []        # batches (or slices) not yet handed out
        held_ids: list[str] = []
        row0 = first = index = 0

        def cut(end: int) -> Part:
            nonlocal held, held_ids, row0, first, index
            rows: list[Any] = []
            left, k = end, 0
            while left > 0:
                b = held[k]
                take = min(left, b.num_rows)
                rows.append(b.slice(0, take))
                if take < b.num_rows:
                    held[k] = b.slice(take)
                else:
                    k += 1
                left -= take
            held = held[k:]
            ids, held_ids = held_ids[:end], held_ids[end:]
            count, mine = _runs(ids, row0, seen)
            part = Part(index, first, count, "flat", rows, row0, list(names), mine,
                        done=row0 + end)
            index += 1
            first += count
            row0 += end
            return part

        try:
            for batch in it:
                if not batch.num_rows:
                    continue
                held.append(batch)
                held_ids.extend(_text(v).strip() for v in batch.column(idc).to_pylist())
                if len(held_ids) >= self.per:
                    start = _last_start(held_ids)
                    if start > 0:
                        yield cut(start)
        except (pa.ArrowException, OSError) as exc:
            self.stopped = f"{self.name}: stopped being readable after row {row0} ({exc})"
        if held_ids:
            yield cut(len(held_ids))

    # -- iteration --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Part]:
        try:
            yield from self._it
        finally:
            self.close()

    def close(self) -> None:
        self._src.close()


def _rows(path: str | None, fmt: Format) -> int | None:
    if path is None:
        return None
    try:
        if fmt is Format.parquet:
            import pyarrow.parquet as pq
            return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:                      # progress only: never fail for it
        return None
    return None


def _last_start(ids: list[str]) -> int:
    """Where the rows of the last claim (and the id-less rows among them) start."""
    last = None
    start = 0
    for i, cid in enumerate(ids):
        if cid and cid != last:
            last = cid
            start = i
    return start


def _runs(ids: list[str], row0: int, seen: dict[str, int]) -> tuple[int, dict[str, int]]:
    """(items these rows give, the ids among them seen in earlier parts), updating
    ``seen`` as the flat reader does (first run of an id: its last row)."""
    count = 0
    mine: dict[str, int] = {}
    runs: list[tuple[str, int]] = []
    last = None
    for i, cid in enumerate(ids, row0 + 1):
        if not cid:
            count += 1
            continue
        if cid != last:
            count += 1
            last = cid
            if cid in seen and cid not in mine:
                mine[cid] = seen[cid]
            runs.append((cid, i))
        else:
            runs[-1] = (cid, i)
    for cid, end in runs:
        seen.setdefault(cid, end)
    return count, mine


def split(source: Any, fmt: Format | str | None = None, *, name: str | None = None,
          claims_per_part: int = PART_CLAIMS) -> Parts:
    """The parts of ``source`` (a path, bytes or a binary/text stream, as for
    ``read_claims``). Raises ClaimFormatError as ``read_claims`` does for an input that
    cannot be read at all; a problem part way sets ``Parts.stopped`` after the last part."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(bytes(source))
    return Parts(source, fmt, name, claims_per_part)
