"""Parquet and Arrow IPC claims (pyarrow, the ``[parquet]`` extra), in two layouts.

* **nested**: one row per claim, like the JSON claim: ``id`` (or ``claim_id``), ``patient``
  (a struct of ``birth_date``, ``sex``) or ``patient_birth_date``/``patient_sex`` columns,
  ``diagnoses`` (a list of strings), ``lines`` (a list of structs: ``code``, ``modifiers``,
  ``units``, ``charge``, ``date``, ``pointers``). Chosen when a ``lines`` column is a list.
* **flat**: one row per claim line, as claim extracts have it: the CSV columns and their
  aliases (``claim_id``, ``line``, ``dx1``..``dx12`` or ``diagnoses``, ``code``,
  ``modifiers`` or ``mod1``..``mod4``, ``units``, ``charge``, ``date``,
  ``patient_birth_date``, ``patient_sex``). Rows of one claim must be adjacent, as in CSV;
  each cell is read the way the CSV reader reads its text, so both give the same claims.

Date, timestamp, number, string and list columns are all accepted. Messages name the row
(``claims.parquet: row 17``, counted from 1 over the whole file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from medcode.errors import ClaimFormatError, require_extra
from medcode.models import Claim

from .csvfmt import _LOOKUP, _finish, _Group, _Header, _norm, _read_row
from .jsonfmt import claim_from_dict

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH_ROWS", "FlatGrouper", "batch_items", "batch_rows", "batches", "column_values",
           "flat_items", "layout_of", "nested_items", "read_arrow"]

Item = Claim | ClaimFormatError
BATCH_ROWS = 8192


def _need() -> None:
    require_extra("parquet", "pyarrow", feature="reading Parquet or Arrow claims")


def batches(src: Any, fmt: str, name: str, batch_rows: int = BATCH_ROWS
            ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """Open a Parquet or Arrow IPC (file or stream) input: its schema and its record
    batches. ``src`` is a path or the whole file's bytes."""
    _need()
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq
    data = pa.BufferReader(src) if isinstance(src, (bytes, bytearray, memoryview)) else src
    try:
        if fmt == "parquet":
            pf = pq.ParquetFile(data)
            return pf.schema_arrow, pf.iter_batches(batch_size=batch_rows)
        try:
            rf = ipc.open_file(data)
            return rf.schema, (rf.get_batch(i) for i in range(rf.num_record_batches))
        except pa.ArrowInvalid:
            if not isinstance(data, str):
                data = pa.BufferReader(src) if isinstance(src, (bytes, bytearray,
                                                                 memoryview)) else data
            rs = ipc.open_stream(data)
            return rs.schema, iter(rs)
    except (pa.ArrowException, OSError) as exc:
        what = "Parquet" if fmt == "parquet" else "Arrow IPC"
        raise ClaimFormatError(f"is not a readable {what} file ({exc})", name) from None


def layout_of(names: Iterable[str], list_columns: Iterable[str], where: str) -> str:
    """``nested`` when a ``lines`` column holds lists, else ``flat`` (which needs a claim id
    and a procedure code column). Raises ClaimFormatError naming the columns found."""
    names = list(names)
    if "lines" in {_norm(n) for n in list_columns}:
        return "nested"
    fields = {_LOOKUP.get(_norm(n)) for n in names}
    if "claim_id" in fields and "code" in fields:
        return "flat"
    raise ClaimFormatError(
        "is not a claims table: it needs a 'lines' list column (one row per claim) or "
        "'claim_id' and 'code' columns (one row per claim line); found: "
        + (", ".join(names)[:200] or "no columns"), where)


def schema_layout(schema: pa.Schema, where: str) -> str:
    import pyarrow as pa
    lists = [f.name for f in schema if pa.types.is_list(f.type)
             or pa.types.is_large_list(f.type)]
    return layout_of(schema.names, lists, where)


# ---- nested ---------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Arrow's Python values as the JSON reader would see them."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value).__name__ == "Decimal":
        return float(value)
    return value


def _plain_leaves(dtype: Any) -> bool:
    """Whether Arrow gives every value of ``dtype`` as the JSON reader would see it already
    (text, numbers, booleans, lists and structs of them): then ``_plain`` has nothing to do."""
    import pyarrow.types as pt
    if pt.is_struct(dtype):
        return all(_plain_leaves(dtype.field(i).type) for i in range(dtype.num_fields))
    if pt.is_list(dtype) or pt.is_large_list(dtype):
        return _plain_leaves(dtype.value_type)
    return bool(pt.is_string(dtype) or pt.is_large_string(dtype) or pt.is_integer(dtype)
                or pt.is_floating(dtype) or pt.is_boolean(dtype) or pt.is_null(dtype))


def batch_items(batch: pa.RecordBatch, name: str, row0: int) -> Iterator[Item]:
    """The items of one record batch of the nested layout (``nested_items`` of its rows;
    ``_columnar_items`` for the usual columns)."""
    if _columnar_shape(batch.schema):
        return _columnar_items(batch, name, row0)
    plain = all(_plain_leaves(f.type) for f in batch.schema)
    return nested_items(batch_rows(batch), name, row0, converted=plain)


_PATIENT_FIELDS = {"birth_date", "sex"}
_LINE_FIELDS = {"code", "modifiers", "units", "charge", "date", "pointers"}


def _columnar_shape(schema: pa.Schema) -> bool:
    """Whether ``_columnar_items`` reads a batch of this schema: the columns ``id`` (text),
    ``patient`` (a struct of texts ``birth_date``, ``sex``), ``diagnoses`` (a list of texts)
    and ``lines`` (a list of structs of ``code``, ``date`` texts, ``units``, ``charge``
    numbers, ``modifiers`` a list of texts, ``pointers`` a list of integers), each but
    ``id`` optional, no other column or field."""
    import pyarrow.types as pt

    def text(t: Any) -> bool:
        return bool(pt.is_string(t) or pt.is_large_string(t))

    def listed(t: Any, leaf: Any) -> bool:
        return bool((pt.is_list(t) or pt.is_large_list(t)) and leaf(t.value_type))

    def number(t: Any) -> bool:
        return bool(pt.is_integer(t) or pt.is_float32(t) or pt.is_float64(t))

    names = schema.names
    if "id" not in names or len(set(names)) != len(names) or \
            not set(names) <= {"id", "patient", "diagnoses", "lines"}:
        return False
    types = {f.name: f.type for f in schema}
    if not text(types["id"]):
        return False
    if "diagnoses" in types and not listed(types["diagnoses"], text):
        return False
    if "patient" in types:
        p = types["patient"]
        fields = [p.field(i) for i in range(p.num_fields)] if pt.is_struct(p) else None
        if not fields or len({f.name for f in fields}) != len(fields) or not all(
                f.name in _PATIENT_FIELDS and text(f.type) for f in fields):
            return False
    if "lines" in types:
        t = types["lines"]
        if not (pt.is_list(t) or pt.is_large_list(t)) or not pt.is_struct(t.value_type):
            return False
        s = t.value_type
        kinds = {"code": text, "date": text, "units": number, "charge": number,
                 "modifiers": lambda x: listed(x, text),
                 "pointers": lambda x: listed(x, pt.is_integer)}
        fields = [s.field(i) for i in range(s.num_fields)]
        if not fields or len({f.name for f in fields}) != len(fields) or not all(
                f.name in kinds and kinds[f.name](f.type) for f in fields):
            return False
    return True


class _Listed:
    """A list column as flat values and offsets (no list made per row until asked)."""

    def __init__(self, arr: Any) -> None:
        offsets = arr.offsets.to_pylist()
        self.first = first = offsets[0]
        self.offsets = offsets
        self.child = arr.values.slice(first, offsets[-1] - first)
        self.valid = arr.is_valid().to_pylist() if arr.null_count else None

    def lists(self, values: list[Any]) -> Any:
        """A function of a row number: that row's list (of ``values``, the child's values),
        None for a null row."""
        offsets, first, valid = self.offsets, self.first, self.valid

        def row(i: int) -> list[Any] | None:
            if valid is not None and not valid[i]:
                return None
            return values[offsets[i] - first:offsets[i + 1] - first]
        return row


def _columnar_items(batch: pa.RecordBatch, name: str, row0: int) -> Iterator[Item]:
    """The items of a batch of the usual nested columns (``_columnar_shape``), each the
    item ``nested_items`` gives for its row, built from the columns' values: no dict per
    row or line. A row of another shape (a null line, a value the JSON reader's fast path
    refuses) is read by ``nested_items`` from its ``to_pylist`` form."""
    from .jsonfmt import _Shape, _strings, claim_patient, line_values, new_claim
    names = batch.schema.names
    col = dict(zip(names, batch.columns))
    n = batch.num_rows
    ids = col["id"].to_pylist()
    none = [None] * n
    births = sexes = none
    if "patient" in col:
        for field, child in zip(col["patient"].type, col["patient"].flatten()):
            if field.name == "birth_date":
                births = child.to_pylist()
            else:
                sexes = child.to_pylist()
    dx_of = None
    if "diagnoses" in col:
        listed = _Listed(col["diagnoses"])
        dx_of = listed.lists(listed.child.to_pylist())
    line_offsets: list[int] | None = None
    if "lines" in col:
        lines = _Listed(col["lines"])
        line_offsets, line_first, lines_valid = lines.offsets, lines.first, lines.valid
        structs = lines.child
        line_valid = structs.is_valid().to_pylist() if structs.null_count else None
        m = len(structs)
        values: dict[str, Any] = dict.fromkeys(_LINE_FIELDS, [None] * m)
        for field, child in zip(structs.type, structs.flatten()):
            if field.name in ("modifiers", "pointers"):
                sub = _Listed(child)
                values[field.name] = sub.lists(sub.child.to_pylist())
            else:
                values[field.name] = child.to_pylist()
        codes, units, charges, dates = (values["code"], values["units"], values["charge"],
                                        values["date"])
        mods_of, ptrs_of = values["modifiers"], values["pointers"]
        if type(mods_of) is list:
            mods_of = mods_of.__getitem__
        if type(ptrs_of) is list:
            ptrs_of = ptrs_of.__getitem__
    rows: list[dict[str, Any]] | None = None
    for i in range(n):
        where = f"{name}: row {row0 + i + 1}"
        claim = None
        cid = ids[i]
        if type(cid) is str and cid.strip():
            try:
                diagnoses = _strings(dx_of(i) if dx_of is not None else None, "diagnoses")
            except _Shape:
                diagnoses = None
            got: list[Any] | None = []
            if line_offsets is not None and (lines_valid is None or lines_valid[i]):
                for j in range(line_offsets[i] - line_first, line_offsets[i + 1] - line_first):
                    ln = None if line_valid is not None and not line_valid[j] else line_values(
                        codes[j], units[j], charges[j], ptrs_of(j), mods_of(j), dates[j],
                        len(got) + 1)   # type: ignore[arg-type]
                    if ln is None:
                        got = None
                        break
                    got.append(ln)      # type: ignore[union-attr]
            if diagnoses is not None and got is not None:
                claim = new_claim(cid.strip(), claim_patient(births[i], sexes[i]), diagnoses,
                                  tuple(got), where)
        if claim is None:           # another shape: the general path, from the row's dict
            if rows is None:
                rows = batch.to_pylist()
            yield from nested_items([rows[i]], name, row0 + i, converted=True)
        else:
            yield claim


def batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """``batch.to_pylist()`` (one dict per row, the same values), built column by column:
    each column's leaf values are converted at once and put together with ``zip`` and list
    slices, about ten times cheaper than pyarrow's row by row conversion of structs and
    lists."""
    names = batch.schema.names
    if len(set(names)) != len(names):
        return batch.to_pylist()
    cols = [column_values(c) for c in batch.columns]
    return [dict(zip(names, vals)) for vals in zip(*cols)] if cols else \
        [{} for _ in range(batch.num_rows)]


def column_values(arr: pa.Array) -> list[Any]:
    """``arr.to_pylist()``, with structs and lists (of any depth) built from their
    children's values; other types are pyarrow's own conversion."""
    import pyarrow.types as pt
    dtype = arr.type
    if pt.is_struct(dtype):
        names = [dtype.field(i).name for i in range(dtype.num_fields)]
        if not names or len(set(names)) != len(names):
            return arr.to_pylist()
        # flatten(): the children of this slice, with the struct's own nulls applied
        cols = [column_values(child) for child in arr.flatten()]
        rows: list[Any] = [dict(zip(names, vals)) for vals in zip(*cols)]
    elif pt.is_list(dtype) or pt.is_large_list(dtype):
        offsets = arr.offsets.to_pylist()       # positions in arr.values (slice-aware)
        first = offsets[0]
        values = column_values(arr.values.slice(first, offsets[-1] - first))
        rows = [values[a - first:b - first] for a, b in zip(offsets, offsets[1:])]
    else:
        return arr.to_pylist()
    if arr.null_count:
        rows = [row if ok else None for row, ok in zip(rows, arr.is_valid().to_pylist())]
    return rows


def nested_items(rows: list[dict[str, Any]], name: str, row0: int, *,
                 converted: bool = False) -> Iterator[Item]:
    """One item per row (row numbers start after ``row0``). ``converted``: the rows hold
    only JSON-like values already (fresh objects, see ``batch_items``)."""
    for i, row in enumerate(rows, row0 + 1):
        obj = row if converted else _plain(row)
        if "id" not in obj:
            for key in ("claim_id", "claimid", "claim"):
                if key in obj:
                    obj["id"] = obj.pop(key)
                    break
        if "patient" not in obj and ("patient_birth_date" in obj or "patient_sex" in obj):
            obj["patient"] = {"birth_date": obj.pop("patient_birth_date", None),
                              "sex": obj.pop("patient_sex", None)}
        for key in ("diagnoses", "lines"):
            if obj.get(key) is None:
                obj.pop(key, None)
        where = f"{name}: row {i}"
        try:
            yield claim_from_dict(obj, where)
        except ClaimFormatError as exc:
            yield exc


# ---- flat -----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """A cell as the CSV reader would have read it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, list):
        return ";".join(_text(v) for v in value if v is not None)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FlatGrouper:
    """Rows of the flat layout in, claims out (streaming; the CSV reader's rules).

    ``feed(columns, rows, row0)`` takes row tuples; ``finish()`` yields what is left.
    ``seen`` maps claim ids met earlier to their last row (a claim id that comes back after
    other claims is an error, as in CSV)."""

    def __init__(self, names: list[str], name: str, seen: dict[str, int] | None = None
                 ) -> None:
        self.name = name
        self.header = _Header(list(names), name)
        self.id_col = self.header.cols["claim_id"]
        self.seen: dict[str, int] = seen if seen is not None else {}
        self.group: _Group | None = None
        self.pending: list[ClaimFormatError] = []

    def feed(self, rows: Iterable[tuple[Any, ...]], row0: int) -> Iterator[Item]:
        h, idc = self.header, self.id_col
        for n, raw in enumerate(rows, row0 + 1):
            row = [_text(v) for v in raw]
            cid = row[idc].strip()
            if not cid:
                self.pending.append(ClaimFormatError("the row has no claim_id",
                                                     f"{self.name}: row {n}"))
                continue
            g = self.group
            if g is None or cid != g.id:
                if g is not None:
                    self.seen.setdefault(g.id, g.last)
                    yield _finish(g, self.name, "row")
                yield from self.pending
                self.pending = []
                g = self.group = _Group(cid, n, self.seen.get(cid))
            _read_row(g, h, row, n)

    def finish(self) -> Iterator[Item]:
        if self.group is not None:
            self.seen.setdefault(self.group.id, self.group.last)
            yield _finish(self.group, self.name, "row")
            self.group = None
        yield from self.pending
        self.pending = []


def flat_items(batch: pa.RecordBatch, grouper: FlatGrouper, row0: int) -> Iterator[Item]:
    cols = [c.to_pylist() for c in batch.columns]
    return grouper.feed(zip(*cols), row0)


def count_flat(ids: list[Any]) -> tuple[int, int]:
    """(items the flat rows ``ids`` give, index where the last claim's rows start)."""
    items = 0
    last: str | None = None
    start = 0
    for i, v in enumerate(ids):
        cid = _text(v).strip()
        if not cid:
            items += 1
        elif cid != last:
            items += 1
            last = cid
            start = i
    return items, start


def id_column(names: list[str]) -> int:
    for i, n in enumerate(names):
        if _LOOKUP.get(_norm(n)) == "claim_id":
            return i
    raise ValueError("no claim id column")


# ---- the reader -----------------------------------------------------------------------------

def read_arrow(src: Any, fmt: str, name: str) -> Iterator[Item]:
    """Every claim of a Parquet or Arrow input (``src`` a path or bytes), streamed by record
    batch. Raises ClaimFormatError when the file is unreadable or not a claims table."""
    schema, it = batches(src, fmt, name)
    layout = schema_layout(schema, name)
    return _items(it, schema, layout, name)


def _items(it: Iterator[pa.RecordBatch], schema: pa.Schema, layout: str, name: str
           ) -> Iterator[Item]:
    import pyarrow as pa
    row0 = 0
    grouper = FlatGrouper(schema.names, name) if layout == "flat" else None
    try:
        for batch in it:
            if grouper is None:
                yield from batch_items(batch, name, row0)
            else:
                yield from flat_items(batch, grouper, row0)
            row0 += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise ClaimFormatError(f"stopped being readable after row {row0} ({exc})",
                               name) from None
    if grouper is not None:
        yield from grouper.finish()


# ---- writing claims as a table --------------------------------------------------------------

def claims_table(claims: Iterable[Claim], layout: str = "nested") -> Any:
    """Claims as a ``pyarrow.Table`` in either layout (for tests, benchmarks and examples;
    the inverse of the reader). Dates are written as ISO text, so that a date that did not
    parse survives as given."""
    _need()
    import pyarrow as pa

    from .jsonfmt import claim_to_dict
    if layout == "nested":
        rows = []
        for c in claims:
            d = claim_to_dict(c)
            rows.append({"id": d["id"], "patient": d["patient"], "diagnoses": d["diagnoses"],
                         "lines": [{k: ln[k] for k in ("code", "modifiers", "units", "charge",
                                                       "date", "pointers")}
                                   for ln in d["lines"]]})
        s = pa.string()
        line = pa.struct([("code", s), ("modifiers", pa.list_(s)), ("units", pa.float64()),
                          ("charge", pa.float64()), ("date", s),
                          ("pointers", pa.list_(pa.int32()))])
        schema = pa.schema([("id", s), ("patient", pa.struct([("birth_date", s), ("sex", s)])),
                            ("diagnoses", pa.list_(s)), ("lines", pa.list_(line))])
        return pa.Table.from_pylist(rows, schema=schema)
    if layout != "flat":
        raise ValueError(f"unknown layout {layout!r}: nested or flat")
    flat: list[dict[str, Any]] = []
    for c in claims:
        d = claim_to_dict(c)
        dx = {f"dx{i}": code for i, code in enumerate(d["diagnoses"][:12], 1)}
        for ln in d["lines"] or [{}]:
            mods = {f"mod{i}": m for i, m in enumerate((ln.get("modifiers") or [])[:4], 1)}
            flat.append({"claim_id": d["id"], "line": 0, **dx,
                         "code": ln.get("code"), **mods, "units": ln.get("units"),
                         "charge": ln.get("charge"), "date": ln.get("date"),
                         "pointers": ";".join(str(p) for p in ln.get("pointers") or []),
                         "patient_birth_date": d["patient"]["birth_date"],
                         "patient_sex": d["patient"]["sex"]})
    n_dx = max([4] + [sum(1 for k in r if k.startswith("dx")) for r in flat])
    s = pa.string()
    cols = ([("claim_id", s), ("line", pa.int32())] + [(f"dx{i}", s) for i in range(1, n_dx + 1)]
            + [("code", s)] + [(f"mod{i}", s) for i in range(1, 5)]
            + [("units", pa.float64()), ("charge", pa.float64()), ("date", s),
               ("pointers", s), ("patient_birth_date", s), ("patient_sex", s)])
    last, number = None, 0
    for r in flat:
        number = number + 1 if r["claim_id"] == last else 1
        last = r["claim_id"]
        r["line"] = number
    return pa.Table.from_pylist(flat, schema=pa.schema(cols))
