"""Writers of check results: text, json, csv, html. Each streams: ``start(meta)``, then
``claim(result)`` once per claim, then ``finish(summary)``; none keeps the results.

    writer = make_writer("json", stream)

Formats:

* ``text``: a table of findings per claim (a one-line verdict for a clean claim), then a
  summary; ANSI colour when ``color`` is true.
* ``json``: one object ``{"claims": [ClaimResult.as_dict(), ...], "summary": {...}}``,
  written incrementally (the list is never held in memory).
* ``csv``: one row per finding (columns ``CSV_COLUMNS``); a claim without findings gets
  one row with empty finding columns, so that every claim checked appears.
* ``html``: one self-contained page (inline CSS and SVG, no script): totals, a bar chart of
  findings by edit, then each claim with problems. Claims are written as they come; the
  summary, written last, is shown first by CSS. At most ``HTML_MAX_CLAIMS`` claims are
  detailed (errors first would need a second pass); the totals always count all.
* ``parquet``, ``arrow``: the findings as a flat table (``tablew``; needs pyarrow, the
  ``[parquet]`` extra), one row per finding, on a *binary* stream or a path.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["FORMATS", "TABLE_FORMATS", "Writer", "make_writer"]

TABLE_FORMATS = ("parquet", "arrow")
FORMATS = ("text", "json", "csv", "html", *TABLE_FORMATS)


class Writer(Protocol):
    def start(self, meta: dict[str, Any]) -> None: ...
    def claim(self, result: Any) -> None: ...
    def finish(self, summary: Any) -> None: ...


def make_writer(fmt: str, stream: Any, *, color: bool = False) -> Writer:
    """The writer of ``fmt`` (text, json, csv, html) on a text stream; for ``parquet`` and
    ``arrow``, on a binary stream or a path."""
    key = fmt.strip().lower()
    if key in TABLE_FORMATS:
        from .tablew import TableWriter
        return TableWriter(stream, key)
    if key == "text":
        from .text import TextWriter
        return TextWriter(stream, color=color)
    if key == "json":
        from .jsonw import JsonWriter
        return JsonWriter(stream)
    if key == "csv":
        from .csvw import CsvWriter
        return CsvWriter(stream)
    if key == "html":
        from .html import HtmlWriter
        return HtmlWriter(stream)
    raise ValueError(f"unknown output format {fmt!r}; expected one of: {', '.join(FORMATS)}")
