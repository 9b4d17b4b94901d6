"""JSON: ``{"claims": [...], "summary": {...}}`` written one claim at a time."""

from __future__ import annotations

import json
from typing import IO, Any


class JsonWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.out = stream
        self.n = 0

    def start(self, meta: dict[str, Any]) -> None:
        self.out.write('{"claims": [')

    def claim(self, result: Any) -> None:
        self.out.write(("\n" if self.n == 0 else ",\n")
                       + json.dumps(result.as_dict(), ensure_ascii=False))
        self.n += 1

    def finish(self, summary: Any) -> None:
        self.out.write(("\n" if self.n else "") + '],\n"summary": '
                       + json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) + "}\n")
