"""``medcode check FILE``: read, check and report claims, streaming, in one call.

    code = run_check("claims.x12", None, "html", "report.html", store)

``run_check`` reads with ``medcode.claims.formats.read_claims``, checks with
``check_claims`` and writes with a writer of ``medcode.claims.writers``; memory stays flat
whatever the number of claims. It returns the exit code of the contract: 0 when no claim
has an error finding, 1 when one has, 2 when the input cannot be read at all (or stops
being readable part way: what was read is still reported, with the reason). Messages for
code 2 go to ``err`` (default stderr), one line naming the input. Problems of the file
around its claims (an X12 IEA whose control number does not match ISA13, a loop missing
outside a claim) are listed in the summary's ``file_problems``; they are not claims and do
not change the exit code.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from medcode.errors import ClaimFormatError

if TYPE_CHECKING:
    from medcode.store.db import Store

__all__ = ["PROGRESS_EVERY", "Summary", "run_check"]

PROGRESS_EVERY = 1000


class Summary:
    """Totals of a run, gathered one result at a time (bounded: counters by status,
    severity and edit ID)."""

    def __init__(self, source: str = "", fmt: str = "") -> None:
        self.source = source
        self.format = fmt
        self.claims = 0
        self.lines = 0
        self.status: Counter[str] = Counter({"pass": 0, "warn": 0, "fail": 0})
        self.severity: Counter[str] = Counter({"error": 0, "warning": 0, "info": 0})
        self.by_edit: Counter[str] = Counter()
        self.by_edit_severity: dict[str, str] = {}
        self.unreadable = 0
        self.stopped: str | None = None
        self.releases: list[str] = []
        self.notes: list[str] = []     # said once for the whole report
        #: problems of the file around its claims (X12 envelopes, loops outside a claim):
        #: reported once, never counted as claims, no effect on the exit code
        self.file_problems: list[str] = []
        self.elapsed = 0.0
        self._t0 = time.perf_counter()

    def add(self, result: Any) -> None:
        self.claims += 1
        self.lines += getattr(result, "lines", 0)
        self.status[result.status] += 1
        for f in result.findings:
            self.severity[f.severity] += 1
            self.by_edit[f.edit] += 1
            self.by_edit_severity.setdefault(f.edit, f.severity)
            if f.edit == "CLAIM-FORMAT":
                self.unreadable += 1

    def merge(self, other: Summary) -> None:
        """Add the totals of ``other`` (a later part of the same input) to these."""
        self.claims += other.claims
        self.lines += other.lines
        self.status.update(other.status)
        self.severity.update(other.severity)
        self.by_edit.update(other.by_edit)
        for edit, sev in other.by_edit_severity.items():
            self.by_edit_severity.setdefault(edit, sev)
        self.unreadable += other.unreadable

    def done(self) -> None:
        self.elapsed = time.perf_counter() - self._t0

    @property
    def rate(self) -> float:
        return self.claims / self.elapsed if self.elapsed > 0 else 0.0

    def edits_sorted(self) -> list[tuple[str, int]]:
        rank = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.by_edit.items(),
                      key=lambda kv: (rank.get(self.by_edit_severity.get(kv[0], ""), 3),
                                      -kv[1], kv[0]))

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "claims": self.claims,
                "lines": self.lines, "status": dict(self.status),
                "findings": dict(self.severity), "by_edit": dict(self.edits_sorted()),
                "unreadable_records": self.unreadable, "file_problems": self.file_problems,
                "releases": self.releases,
                "notes": self.notes, "stopped": self.stopped, "seconds": round(self.elapsed, 3)}


def _open_out(target: Any, fmt_out: str) -> tuple[IO[Any], bool]:
    binary = fmt_out in ("parquet", "arrow")
    if hasattr(target, "write"):
        if binary and isinstance(target, io.TextIOBase):
            buf = getattr(target, "buffer", None)
            if buf is None:
                raise OSError(f"--format {fmt_out} writes binary data; give --output FILE")
            return buf, False
        return target, False
    path = os.fspath(target)
    if binary:
        return open(path, "wb"), True
    newline = "" if fmt_out == "csv" else None
    return open(path, "w", encoding="utf-8", newline=newline), True


CPT_FORMAT_ONLY = ("CPT codes were judged by format and section only: no licensed CPT file is "
                   "loaded (medcode data import cpt FILE)")


def report_notes(store: Store) -> list[str]:
    """What the whole report must say once about how codes were judged."""
    from medcode.claims.edits.context import facts_for
    return [] if facts_for(store).has_cpt else [CPT_FORMAT_ONLY]


def _releases(store: Store) -> list[str]:
    out = []
    for rel in store.releases():
        out.append(f"{rel.system} {rel.name}")
    return out


#: an input file from this size on is checked with the per-code facts read at once
PRELOAD_BYTES = 8_000_000


def _big(source: Any) -> bool:
    if not isinstance(source, (str, os.PathLike)):
        return False
    try:
        return os.path.getsize(source) >= PRELOAD_BYTES
    except OSError:
        return False


def run_check(source: Any, fmt_in: str | None, fmt_out: str, output: Any, store: Store,
              progress: Callable[[int], None] | None = None, *,
              edits: set[str] | None = None, err: IO[str] | None = None,
              color: bool | None = None) -> int:
    """Check the claims of ``source`` (a path, bytes or a binary/text stream; ``fmt_in``
    None = detect) and write a ``fmt_out`` report (text, json, csv, html) to ``output``
    (a path or a text stream). ``progress(n)`` is called every PROGRESS_EVERY claims and
    at the end. ``color`` None = ANSI colour for text when ``output`` is a terminal.
    Returns 0 (no error finding), 1 (some claim has an error) or 2 (unreadable input)."""
    from medcode.claims.engine import check_claims
    from medcode.claims.formats import read_claims
    from medcode.claims.writers import FORMATS, make_writer

    err = err if err is not None else sys.stderr
    if fmt_out not in FORMATS:
        err.write(f"medcode check: unknown output format {fmt_out!r}; expected one of: "
                  f"{', '.join(FORMATS)}\n")
        return 2
    try:
        reader = read_claims(source, fmt_in)
    except ClaimFormatError as exc:
        err.write(f"medcode check: {exc}\n")
        return 2
    except ValueError as exc:          # an unknown input format name
        err.write(f"medcode check: {exc}\n")
        return 2
    fmt_name = getattr(reader.format, "value", str(reader.format))
    summary = Summary(reader.name, fmt_name)
    summary.releases = _releases(store)
    summary.notes = report_notes(store)
    try:
        stream, owned = _open_out(output, fmt_out)
        if fmt_out in ("parquet", "arrow"):
            from medcode.errors import require_extra
            require_extra("parquet", "pyarrow", feature=f"--format {fmt_out}")
    except OSError as exc:
        reader.close()
        err.write(f"medcode check: cannot write {output}: {exc.strerror or exc}\n")
        return 2
    try:
        if color is None:
            color = fmt_out == "text" and bool(getattr(stream, "isatty", lambda: False)())
        writer = make_writer(fmt_out, stream, color=color)
        writer.start({"source": reader.name, "format": fmt_name, "releases": summary.releases,
                      "notes": summary.notes})
        with reader:
            try:
                for result in check_claims(reader, store, edits=edits,
                                           preload=_big(source)):
                    summary.add(result)
                    writer.claim(result)
                    if progress is not None and summary.claims % PROGRESS_EVERY == 0:
                        progress(summary.claims)
            except ClaimFormatError as exc:
                summary.stopped = str(exc)
            summary.file_problems = [str(p) for p in reader.file_problems]
        summary.done()
        if progress is not None:
            progress(summary.claims)
        writer.finish(summary)
    finally:
        if owned:
            stream.close()
        else:
            stream.flush()
    if summary.stopped:
        err.write(f"medcode check: {summary.stopped}\n")
        return 2
    return 1 if summary.status["fail"] else 0
