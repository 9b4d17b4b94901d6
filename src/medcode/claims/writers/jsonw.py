"""JSON: ``{"claims": [...], "summary": {...}}`` written one claim at a time."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _text
from typing import IO, Any

#: json.dumps(value, ensure_ascii=False) without making an encoder for each call
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _finding(f: Any) -> str:
    """``_encode(f.as_dict())`` of a Finding of the usual types (texts, a line number or
    None, codes as texts), written without the dict; TypeError for any other value."""
    line, fix, codes = f.line, f.fix, f.codes
    if line is None:
        line_text = "null"
    elif type(line) is int:
        line_text = int.__repr__(line)
    else:
        raise TypeError
    return (f'{{"edit": {_text(f.edit)}, "severity": {_text(f.severity)}, '
            f'"claim": {_text(f.claim)}, "line": {line_text}, '
            f'"codes": [{", ".join(map(_text, codes))}], "message": {_text(f.message)}, '
            f'"reference": {_text(f.reference)}, '
            f'"fix": {"null" if fix is None else _text(fix)}}}')


class JsonWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.out = stream
        self.n = 0

    def start(self, meta: dict[str, Any]) -> None:
        self.out.write('{"claims": [')

    def claim(self, result: Any) -> None:
        findings = result.findings
        # the text json.dumps gives for result.as_dict(), written without the dicts
        try:
            text = (f'{{"claim": {_text(result.claim)}, "status": {_text(result.status)}, '
                    f'"findings": [{", ".join(map(_finding, findings))}]}}')
        except TypeError:       # a value of another type: the encoder says how it reads
            text = _encode(result.as_dict())
        self.out.write(("\n" if self.n == 0 else ",\n") + text)
        self.n += 1

    def finish(self, summary: Any) -> None:
        self.out.write(("\n" if self.n else "") + '],\n"summary": '
                       + json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) + "}\n")
