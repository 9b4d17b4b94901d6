"""``medcode check FILE --jobs N``: check the parts of one input in N worker processes and
write one report, in input order, streaming.

    code = run_parallel("claims.parquet", None, "json", "report.json", store, jobs=2)

Each worker opens the read-only store once (``_init``) and, for each part, reads it, checks
its claims and renders its share of the report (JSON, CSV and text fragments, or table
rows); this process only cuts the input, writes the fragments in order and adds up the
totals. At most ``2 x jobs`` parts are in flight, so memory stays flat whatever the input's
size. The report is the one ``run_check`` (one process) writes, byte for byte, except the
run time in its summary.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, TYPE_CHECKING, Any

from medcode.errors import ClaimFormatError
from medcode.store.freshness import today as _today

from .parts import PART_CLAIMS, Part, split

if TYPE_CHECKING:
    from medcode.store.db import Store

__all__ = ["check_part", "run_parallel"]

Progress = Callable[[int, "float | None"], None]

# ---- the worker side ------------------------------------------------------------------------

_W: dict[str, Any] = {}


def _init(store_path: str, edits: set[str] | None, today: dt.date, fmt_out: str,
          color: bool, name: str) -> None:
    from medcode.claims.engine import Checker
    from medcode.store.open import open_store
    checker = Checker(open_store(store_path), edits, preload=True)
    checker.today = today
    _W.update(checker=checker, fmt=fmt_out, color=color, name=name)


def _items(part: Part, name: str) -> Iterator[Any]:
    if part.kind == "jsonl":
        from medcode.claims.formats.jsonfmt import read_jsonl
        return read_jsonl(io.BytesIO(part.payload), name, part.row0 + 1)
    if part.kind == "nested":
        from medcode.claims.formats.arrowfmt import batch_items
        return batch_items(part.payload, name, part.row0)
    if part.kind == "flat":
        return _flat(part, name)
    return iter(part.payload)


def _flat(part: Part, name: str) -> Iterator[Any]:
    from medcode.claims.formats.arrowfmt import FlatGrouper, flat_items
    grouper = FlatGrouper(part.columns, name, dict(part.seen))
    row0 = part.row0
    for batch in part.payload:
        yield from flat_items(batch, grouper, row0)
        row0 += batch.num_rows
    yield from grouper.finish()


def check_part(part: Part, checker: Any, fmt_out: str, name: str, color: bool = False
               ) -> tuple[int, Any, Any]:
    """Check one part: (its index, its report fragment, its Summary)."""
    from medcode.claims.engine import _format_result
    from medcode.claims.report import Summary
    from medcode.claims.writers import TABLE_FORMATS, make_writer
    summary = Summary()
    results = []
    for n, item in enumerate(_items(part, name), part.first + 1):
        if isinstance(item, ClaimFormatError):
            r = _format_result(item, n)
        else:
            r = checker.check(item)
        summary.add(r)
        results.append(r)
    if summary.claims != part.count:           # the parts' numbering would be off
        raise RuntimeError(f"part {part.index}: {summary.claims} items, {part.count} counted")
    fragment: Any
    if fmt_out in TABLE_FORMATS:
        from medcode.claims.writers.tablew import finding_rows
        fragment = [row for r in results for row in finding_rows(r)]
    elif fmt_out == "html":                     # stateful across claims: rendered by the parent
        fragment = results
    else:
        buf = io.StringIO()
        writer = make_writer(fmt_out, buf, color=color)
        if fmt_out == "json":
            writer.n = part.first              # type: ignore[attr-defined]
        for r in results:
            writer.claim(r)
        fragment = buf.getvalue()
    return part.index, fragment, summary


def _work(part: Part) -> tuple[int, Any, Any]:
    return check_part(part, _W["checker"], _W["fmt"], _W["name"], _W["color"])


# ---- the parent side ------------------------------------------------------------------------

def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_parallel(source: Any, fmt_in: str | None, fmt_out: str, output: Any, store: Store,
                 jobs: int, progress: Progress | None = None, *, edits: set[str] | None = None,
                 err: IO[str] | None = None, color: bool | None = None,
                 claims_per_part: int = PART_CLAIMS) -> int:
    """``run_check`` on ``jobs`` worker processes (same arguments, same report, same exit
    codes). ``progress(claims_done, fraction_or_None)`` is called after each part."""
    from medcode.claims.report import Summary, _open_out, _releases, report_notes
    from medcode.claims.writers import FORMATS, TABLE_FORMATS, make_writer

    err = err if err is not None else sys.stderr
    if fmt_out not in FORMATS:
        err.write(f"medcode check: unknown output format {fmt_out!r}; expected one of: "
                  f"{', '.join(FORMATS)}\n")
        return 2
    try:
        parts = split(source, fmt_in, claims_per_part=claims_per_part)
    except (ClaimFormatError, ValueError) as exc:
        err.write(f"medcode check: {exc}\n")
        return 2
    fmt_name = parts.format.value
    summary = Summary(parts.name, fmt_name)
    summary.releases = _releases(store)
    summary.notes = report_notes(store)
    try:
        stream, owned = _open_out(output, fmt_out)
        if fmt_out in TABLE_FORMATS:
            from medcode.errors import require_extra
            require_extra("parquet", "pyarrow", feature=f"--format {fmt_out}")
    except OSError as exc:
        parts.close()
        err.write(f"medcode check: cannot write {output}: {exc.strerror or exc}\n")
        return 2
    try:
        if color is None:
            color = fmt_out == "text" and bool(getattr(stream, "isatty", lambda: False)())
        writer = make_writer(fmt_out, stream, color=color)
        writer.start({"source": parts.name, "format": fmt_name, "releases": summary.releases,
                      "notes": summary.notes})
        init = (str(store.path), edits, _today(), fmt_out, bool(color), parts.name)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init,
                                 initargs=init) as pool:
            pending: deque[tuple[Future[Any], Part]] = deque()

            def emit() -> None:
                future, part = pending.popleft()
                _index, fragment, partial = future.result()
                summary.merge(partial)
                if isinstance(fragment, str):
                    stream.write(fragment)
                    if fmt_out == "json":
                        writer.n += part.count            # type: ignore[attr-defined]
                elif fmt_out in TABLE_FORMATS:
                    writer.rows(fragment)                 # type: ignore[attr-defined]
                else:
                    for r in fragment:
                        writer.claim(r)
                if progress is not None:
                    frac = part.done / parts.total if parts.total else None
                    progress(summary.claims, frac)

            for part in parts:
                pending.append((pool.submit(_work, part), part))
                while len(pending) >= 2 * jobs:
                    emit()
            while pending:
                emit()
        if parts.stopped:
            summary.stopped = parts.stopped
        summary.done()
        writer.finish(summary)
    finally:
        parts.close()
        if owned:
            stream.close()
        else:
            stream.flush()
    if summary.stopped:
        err.write(f"medcode check: {summary.stopped}\n")
        return 2
    return 1 if summary.status["fail"] else 0

