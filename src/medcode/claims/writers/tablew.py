"""Findings as a flat table in Parquet or Arrow IPC (pyarrow, the ``[parquet]`` extra), so
that analysts can query them with SQL (DuckDB, Spark, pandas).

One row per finding; columns ``FINDING_COLUMNS``::

    claim string, status string (the claim's pass/warn/fail), line int32 (null: the whole
    claim), edit string, severity string, codes list<string>, message string, fix string,
    reference string, source string (where the claim was read)

A claim without findings has no row (``medcode.spark.claim_status`` and the JSON report
give one row per claim). Rows are written in row groups of ``ROWS_PER_GROUP``, so memory
stays flat. The same rows come from ``finding_rows`` for the CLI, ``--jobs`` and Spark.
"""

from __future__ import annotations

from typing import Any

from medcode.errors import require_extra

__all__ = ["FINDING_COLUMNS", "ROWS_PER_GROUP", "TABLE_FORMATS", "TableWriter",
           "finding_rows", "findings_schema"]

FINDING_COLUMNS = ("claim", "status", "line", "edit", "severity", "codes", "message", "fix",
                   "reference", "source")
TABLE_FORMATS = ("parquet", "arrow")
ROWS_PER_GROUP = 16384

Row = tuple[Any, ...]


def finding_rows(result: Any) -> list[Row]:
    """The table rows of one ClaimResult (none when it has no finding)."""
    cid, st, src = result.claim, result.status, result.source
    return [(cid, st, f.line, f.edit, f.severity, list(f.codes), f.message, f.fix,
             f.reference, src) for f in result.findings]


def findings_schema() -> Any:
    import pyarrow as pa
    s, i = pa.string(), pa.int32()
    return pa.schema([("claim", s), ("status", s), ("line", i), ("edit", s),
                      ("severity", s), ("codes", pa.list_(s)), ("message", s), ("fix", s),
                      ("reference", s), ("source", s)])


class TableWriter:
    """``start``/``claim``/``finish`` like the other writers, on a file path; ``rows(list)``
    adds rows made elsewhere (by ``--jobs`` workers)."""

    def __init__(self, path: Any, fmt: str) -> None:
        require_extra("parquet", "pyarrow", feature=f"--format {fmt}")
        self.path = path
        self.fmt = fmt
        self.schema = findings_schema()
        self._buf: list[Row] = []
        self._w: Any = None

    def start(self, meta: dict[str, Any]) -> None:
        import pyarrow.ipc as ipc
        import pyarrow.parquet as pq
        if self.fmt == "parquet":
            self._w = pq.ParquetWriter(self.path, self.schema)
        else:
            self._w = ipc.new_file(self.path, self.schema)

    def claim(self, result: Any) -> None:
        if result.findings:
            self.rows(finding_rows(result))

    def rows(self, rows: list[Row]) -> None:
        self._buf.extend(rows)
        while len(self._buf) >= ROWS_PER_GROUP:
            self._flush(self._buf[:ROWS_PER_GROUP])
            del self._buf[:ROWS_PER_GROUP]

    def _flush(self, rows: list[Row]) -> None:
        import pyarrow as pa
        cols: list[Any] = list(zip(*rows)) if rows else [() for _ in FINDING_COLUMNS]
        batch = pa.RecordBatch.from_arrays(
            [pa.array(list(c), type=f.type) for c, f in zip(cols, self.schema)],
            schema=self.schema)
        self._w.write_batch(batch)

    def finish(self, summary: Any) -> None:
        if self._buf or self._w is None:
            if self._w is None:
                self.start({})
            self._flush(self._buf)
            self._buf = []
        self._w.close()
