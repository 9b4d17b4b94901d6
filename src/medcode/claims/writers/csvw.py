"""CSV: one row per finding; a claim without findings gets one row of its own."""

from __future__ import annotations

import csv
from typing import IO, Any

CSV_COLUMNS = ("claim", "status", "severity", "edit", "line", "codes", "message", "fix",
               "reference", "source")


_RISKY = ("=", "+", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (claim ids come from
    the input file)."""
    return "'" + text if text.startswith(_RISKY) else text


class CsvWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.w = csv.writer(stream, lineterminator="\r\n")

    def start(self, meta: dict[str, Any]) -> None:
        self.w.writerow(CSV_COLUMNS)

    def claim(self, result: Any) -> None:
        src = _cell(result.source or "")
        cid = _cell(result.claim)
        if not result.findings:
            self.w.writerow((cid, result.status, "", "", "", "", "", "", "", src))
            return
        for f in result.findings:
            self.w.writerow((cid, result.status, f.severity, f.edit,
                             "" if f.line is None else f.line, _cell(" ".join(f.codes)),
                             f.message, f.fix or "", f.reference, src))

    def finish(self, summary: Any) -> None:
        pass
