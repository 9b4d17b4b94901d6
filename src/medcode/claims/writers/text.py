"""Text: a table of findings per claim, then a summary. ANSI colour only when asked."""

from __future__ import annotations

import textwrap
from typing import IO, Any

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m",
           "fail": "\x1b[1;31m", "warn": "\x1b[1;33m", "pass": "\x1b[1;32m"}
_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
WIDTH = 100
_MSG_COL = 37


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts_text(errors: int, warnings: int, infos: int) -> str:
    parts = []
    if errors:
        parts.append(_plural(errors, "error"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    if infos:
        parts.append(f"{infos} info")
    return ", ".join(parts) or "no findings"


class TextWriter:
    def __init__(self, stream: IO[str], *, color: bool = False) -> None:
        self.out = stream
        self.color = color
        self._wrap = textwrap.TextWrapper(width=WIDTH - _MSG_COL, break_on_hyphens=False)

    def _c(self, key: str, text: str) -> str:
        return f"{_COLORS.get(key, '')}{text}{_RESET}" if self.color and key in _COLORS \
            else text

    def start(self, meta: dict[str, Any]) -> None:
        bits = [f"medcode check: {meta.get('source', '')}"]
        if meta.get("format"):
            bits.append(f"({meta['format']})")
        if meta.get("releases"):
            bits.append("- " + ", ".join(meta["releases"]))
        notes = "".join(f"note: {n}\n" for n in meta.get("notes") or ())
        self.out.write(" ".join(bits) + "\n" + notes + "\n")

    def claim(self, result: Any) -> None:
        fs = result.findings
        n_err = sum(f.severity == "error" for f in fs)
        n_warn = sum(f.severity == "warning" for f in fs)
        head = (f"{result.claim}  {self._c(result.status, result.status.upper())}  "
                f"{counts_text(n_err, n_warn, len(fs) - n_err - n_warn)}")
        if result.source:
            head += self._dim(f"  [{result.source}]")
        out = [head]
        if fs:
            out.append(self._dim(f"  {'severity':<9}{'edit':<20}{'line':<6}message"))
        pad = " " * _MSG_COL
        for f in fs:
            sev = self._c(f.severity, f"{f.severity:<9}")
            line = "-" if f.line is None else str(f.line)
            body = self._wrap.wrap(f.message) or [""]
            out.append(f"  {sev}{f.edit:<20}{line:<6}{body[0]}")
            out.extend(pad + b for b in body[1:])
            if f.fix:
                fix = self._wrap.wrap("fix: " + f.fix)
                out.extend(pad + self._dim(b) if i else pad + b for i, b in enumerate(fix))
        self.out.write("\n".join(out) + "\n\n")

    def _dim(self, text: str) -> str:
        return f"{_DIM}{text}{_RESET}" if self.color else text

    def finish(self, summary: Any) -> None:
        s = summary
        head = (f"Summary: {_plural(s.claims, 'claim')} checked: "
                f"{self._c('pass', str(s.status['pass']) + ' pass')}, "
                f"{self._c('warn', str(s.status['warn']) + ' warn')}, "
                f"{self._c('fail', str(s.status['fail']) + ' fail')}; "
                f"{counts_text(s.severity['error'], s.severity['warning'], s.severity['info'])}.")
        lines = [head]
        if s.by_edit:
            top = ", ".join(f"{k} {v}" for k, v in s.edits_sorted())
            lines.extend(textwrap.wrap("Findings by edit: " + top, WIDTH))
        problems = getattr(s, "file_problems", ())
        if problems:
            lines.append(f"File problems (not claims; {len(problems)}):")
            lines.extend(f"  - {p}" for p in problems[:20])
            if len(problems) > 20:
                lines.append(f"  ... and {len(problems) - 20} more")
        if s.stopped:
            lines.append(self._c("error", f"Reading stopped early: {s.stopped}"))
        if s.elapsed:
            lines.append(self._dim(f"{s.elapsed:.2f} s, {s.rate:,.0f} claims/s"))
        self.out.write("\n".join(lines) + "\n")
