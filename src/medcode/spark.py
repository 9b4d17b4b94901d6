"""Check claims held in an Apache Spark DataFrame (the ``[spark]`` extra: pyspark, pyarrow;
Spark needs Java 17 or later).

    from medcode.spark import check_claims, claim_status
    claims = spark.read.parquet("s3://bucket/claims/")
    findings = check_claims(claims)            # one row per finding
    status = claim_status(claims)              # one row per claim
    findings.groupBy("edit").count().show()

``claims`` has either layout of ``medcode check``'s Parquet reader: one row per claim
(``id``, ``patient``, ``diagnoses``, ``lines`` as a list of structs) or one row per claim line
(``claim_id``, ``dx1``.., ``code``, ``mod1``.., ``units``, ``charge``, ``date``,
``patient_birth_date``, ``patient_sex``; the CSV column names and aliases). The findings
have the columns of ``medcode check --format parquet`` (``FINDINGS_SCHEMA``) and are the
findings ``medcode check`` gives for the same claims.

How it runs: ``mapInArrow``, so claims travel to Python as Arrow record batches; each
executor's Python worker opens the read-only store once and keeps it for every batch and
every later job. The store file (about 80 MB) reaches the executors through
``SparkContext.addFile`` (the default), or, with ``store_shared=True``, at the path given,
which every executor must see (shared storage, or the same image on every node). For the
one-row-per-line layout the rows are first brought together by claim id
(``repartition`` + ``sortWithinPartitions``); a claim's lines keep their order (the
``line`` column when there is one, else their order in ``claims``).

Partitions: the one-row-per-claim layout is checked partition by partition as Spark cut
it, with no shuffle, and Spark's own file splits are the default to keep
(``spark.sql.files.maxPartitionBytes`` 128 MB, but at least one split per core: 1,000,000
claims, a 31 MB Parquet file, are 2 partitions on 2 cores). A Python worker is reused from
task to task (``spark.python.worker.reuse``, on by default) and keeps its store open, so a
partition costs no store opening, only Spark's fixed cost of a task (its launch, the
function's unpickling, a Parquet footer, one output file): small next to the checking of a
split of tens of thousands of claims (200,000 claims took the same CPU time as 2 or as 6
partitions). More partitions than cores help only when the executors are shared or the
input is uneven, so that no long task is left running alone at the end. Input batches are
``spark.sql.execution.arrow.maxRecordsPerBatch`` rows (10,000 by default); one findings
batch goes back per input batch.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from medcode.errors import require_extra
from medcode.store.freshness import today as _today

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["FINDINGS_SCHEMA", "STATUS_SCHEMA", "check_claims", "claim_status"]

FINDINGS_SCHEMA = ("claim string, status string, line int, edit string, severity string, "
                   "codes array<string>, message string, fix string, reference string, "
                   "source string")
STATUS_SCHEMA = ("claim string, status string, errors int, warnings int, infos int, "
                 "lines int, findings int, source string")
_ORDER = "__medcode_order"
_CHECKERS: dict[tuple[Any, ...], Any] = {}


def _need() -> None:
    require_extra("spark", "pyspark", "pyarrow", feature="medcode.spark")


def _layout(df: DataFrame) -> str:
    from pyspark.sql.types import ArrayType

    from medcode.claims.formats.arrowfmt import layout_of
    lists = [f.name for f in df.schema.fields if isinstance(f.dataType, ArrayType)]
    return layout_of(df.columns, lists, "the DataFrame")


def _prepare(df: DataFrame, layout: str) -> DataFrame:
    """Bring each claim's rows together, in order (one-row-per-line layout only)."""
    if layout != "flat":
        return df
    from pyspark.sql import functions as F

    from medcode.claims.formats.arrowfmt import id_column
    from medcode.claims.formats.csvfmt import _norm
    cid = df.columns[id_column(df.columns)]
    line = next((c for c in df.columns if _norm(c) in ("line", "line_number", "line_no")),
                None)
    if line is None:
        df = df.withColumn(_ORDER, F.monotonically_increasing_id())
    order = line or _ORDER
    out = df.repartition(F.col(cid)).sortWithinPartitions(F.col(cid), F.col(order))
    return out.drop(_ORDER) if line is None else out


def _store_ref(df: DataFrame, store: Any, shared: bool) -> tuple[str, bool]:
    if store is None:
        from medcode.store.open import open_store
        path = str(open_store().path)
    else:
        path = os.fspath(getattr(store, "path", store))
    if shared:
        return path, False
    df.sparkSession.sparkContext.addFile(path)
    return os.path.basename(path), True


def _checker(ref: str, shipped: bool, edits: tuple[str, ...] | None, today: dt.date) -> Any:
    """The executor's Checker, made once per Python worker and kept."""
    key = (ref, shipped, edits, today)
    checker = _CHECKERS.get(key)
    if checker is None:
        from medcode.claims.engine import Checker
        from medcode.store.db import Store
        if shipped:
            from pyspark import SparkFiles
            path = SparkFiles.get(ref)
        else:
            path = ref
        checker = Checker(Store(path), set(edits) if edits else None, preload=True)
        checker.today = today
        _CHECKERS[key] = checker
    return checker


def _results(batches: Iterable[Any], ref: str, shipped: bool, edits: tuple[str, ...] | None,
             today: dt.date, layout: str, columns: list[str]) -> Iterator[list[Any]]:
    """The ClaimResults of each incoming record batch (a list per batch)."""
    from medcode.claims.engine import _format_result
    from medcode.claims.formats.arrowfmt import FlatGrouper, batch_items, flat_items
    from medcode.errors import ClaimFormatError
    checker = _checker(ref, shipped, edits, today)
    name = "spark"
    grouper = FlatGrouper(columns, name) if layout == "flat" else None
    row0 = n = 0

    def check(items: Iterable[Any]) -> list[Any]:
        nonlocal n
        out = []
        for item in items:
            n += 1
            out.append(_format_result(item, n) if isinstance(item, ClaimFormatError)
                       else checker.check(item))
        return out

    for batch in batches:
        if grouper is None:
            yield check(batch_items(batch, name, row0))
        else:
            yield check(flat_items(batch, grouper, row0))
        row0 += batch.num_rows
    if grouper is not None:
        yield check(grouper.finish())


def _findings_batches(batches: Iterable[Any], **kw: Any) -> Iterator[Any]:
    import pyarrow as pa

    from medcode.claims.writers.tablew import finding_rows, findings_schema
    schema = findings_schema()
    for results in _results(batches, **kw):
        rows = [row for r in results for row in finding_rows(r)]
        cols = list(zip(*rows)) if rows else [() for _ in schema]
        yield pa.RecordBatch.from_arrays([pa.array(list(c), type=f.type)
                                          for c, f in zip(cols, schema)], schema=schema)


def _status_batches(batches: Iterable[Any], **kw: Any) -> Iterator[Any]:
    import pyarrow as pa
    s, i = pa.string(), pa.int32()
    schema = pa.schema([("claim", s), ("status", s), ("errors", i), ("warnings", i),
                        ("infos", i), ("lines", i), ("findings", i), ("source", s)])
    for results in _results(batches, **kw):
        rows = [(r.claim, r.status, r.errors, r.warnings,
                 len(r.findings) - r.errors - r.warnings, r.lines, len(r.findings), r.source)
                for r in results]
        cols = list(zip(*rows)) if rows else [() for _ in schema]
        yield pa.RecordBatch.from_arrays([pa.array(list(c), type=f.type)
                                          for c, f in zip(cols, schema)], schema=schema)


def _map(df: DataFrame, func: Any, schema: str, store: Any, store_shared: bool,
         edits: Iterable[str] | None, today: dt.date | None) -> DataFrame:
    _need()
    layout = _layout(df)
    ref, shipped = _store_ref(df, store, store_shared)
    data = _prepare(df, layout)
    wanted = tuple(sorted({e.strip().upper() for e in edits})) if edits else None
    if wanted:
        from medcode.claims.edits import select
        select(wanted)                       # an unknown edit ID fails here, on the driver
    fn = partial(func, ref=ref, shipped=shipped, edits=wanted,
                 today=today or _today(), layout=layout, columns=list(data.columns))
    return data.mapInArrow(fn, schema)


def check_claims(claims: DataFrame, store: Any = None, *, store_shared: bool = False,
                 edits: Iterable[str] | None = None, today: dt.date | None = None
                 ) -> DataFrame:
    """The findings of every claim of ``claims`` (a Spark DataFrame in either layout), as a
    DataFrame with the columns of ``FINDINGS_SCHEMA``: one row per finding.

    ``store``: a store path or ``Store`` (default: medcode's default store, built if
    missing), sent to the executors with ``addFile``, or used where it is when
    ``store_shared`` is true. ``edits`` narrows the run to these edit IDs. ``today`` is the
    day "in the future" is judged against (default: the driver's today)."""
    return _map(claims, _findings_batches, FINDINGS_SCHEMA, store, store_shared, edits, today)


def claim_status(claims: DataFrame, store: Any = None, *, store_shared: bool = False,
                 edits: Iterable[str] | None = None, today: dt.date | None = None
                 ) -> DataFrame:
    """One row per claim (``STATUS_SCHEMA``): its status (pass/warn/fail) and how many
    errors, warnings and info findings it has. Same arguments as ``check_claims``."""
    return _map(claims, _status_batches, STATUS_SCHEMA, store, store_shared, edits, today)
