"""JSON: ``{"claims": [...], "summary": {...}}`` written one claim at a time."""

from __future__ import annotations

import json
from typing import IO, Any

#: json.dumps(value, ensure_ascii=False) without making an encoder for each call
_encode = json.JSONEncoder(ensure_ascii=False).encode


class JsonWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.out = stream
        self.n = 0

    def start(self, meta: dict[str, Any]) -> None:
        self.out.write('{"claims": [')

    def claim(self, result: Any) -> None:
        if result.findings:
            text = _encode(result.as_dict())
        else:       # what json.dumps writes for {"claim": id, "status": "pass", "findings": []}
            text = f'{{"claim": {_encode(result.claim)}, "status": {_encode(result.status)}, ' \
                   '"findings": []}'
        self.out.write(("\n" if self.n == 0 else ",\n") + text)
        self.n += 1

    def finish(self, summary: Any) -> None:
        self.out.write(("\n" if self.n else "") + '],\n"summary": '
                       + json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) + "}\n")
