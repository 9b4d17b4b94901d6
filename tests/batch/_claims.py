"""Claims on real codes for the batch and Spark tests, as JSON Lines text (with a few
deliberate errors, and two records that cannot be read)."""

from __future__ import annotations

import json

DX = ["E11.9", "I10", "E78.5", "J45.909", "M17.11", "K21.9", "E11", "Z00.00", "F02.80",
      "S72.001", "N40.0", "E10.9", "W19.XXXA", "O80", "N39.0"]
PX = ["99213", "99214", "20610", "36415", "85025", "J1100", "11042", "99215"]


def claim_objects(n: int) -> list[dict]:
    out = []
    for i in range(n):
        dx = [DX[(i * k) % len(DX)] for k in (1, 3, 7)]
        day = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}"
        lines = [{"code": PX[(i + k) % len(PX)], "modifiers": ["25"] if k == 0 else [],
                  "units": 1 + (i % 3 == 0 and k == 2) * 4, "charge": 50.0 + k,
                  "date": day if i % 17 else "2025-02-30", "pointers": [1, 2, 3][: 1 + k]}
                 for k in range(1 + i % 3)]
        out.append({"id": f"C{i:04d}",
                    "patient": {"birth_date": f"{1940 + i % 60}-0{1 + i % 9}-15",
                                "sex": "FM"[i % 2]},
                    "diagnoses": dx, "lines": lines})
    return out


def jsonl(n: int, bad_every: int = 0) -> bytes:
    rows = []
    for i, obj in enumerate(claim_objects(n)):
        if bad_every and i % bad_every == bad_every - 1:
            rows.append('{"id": "broken", "lines": [')
        else:
            rows.append(json.dumps(obj))
        if i == 5:
            rows.append("")              # a blank line is skipped, not counted
    return ("\n".join(rows) + "\n").encode()
