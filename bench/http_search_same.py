"""Every byte of /v1/search's answers (status, headers, body), to prove an HTTP-path change
changed none: the bench's distinct queries (bench_http.scenarios) plus edge cases (filters,
codes, bad parameters), sent in process to the ASGI app.

    PYTHONPATH=/old/tree/src .venv/bin/python bench/http_search_same.py --store S before.tsv
    .venv/bin/python bench/http_search_same.py --store S after.tsv && cmp before.tsv after.tsv
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

EDGES = ["q=E11.9", "q=heart%20attack&limit=5", "q=diab&prefix=1", "q=fracture&billable=true",
         "q=fracture&billable=false&limit=3", "q=fracture&system=icd-10-cm",
         "q=fracture&on=2019-06-01", "q=x&limit=0", "q=", "", "q=a&limit=abc",
         "q=a&system=nope", "q=a&on=2020-13-01", "q=a&prefix=maybe", "q=caf%C3%A9%20%E2%80%A8x",
         "q=99213", "q=J1100", "q=tibia&release=FY2024", "q=a&q=knee", "q=knee&limit=200",
         "q=knee&limit=201", "q=" + "a" * 201, "q=%00%01", "q=vaccine%20influenza",
         "q=250.00", "q=0DTJ4ZZ"]


async def answer(app, path: str) -> tuple[int, list, bytes]:
    raw, _, qs = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": raw, "raw_path": raw.encode(),
             "query_string": qs.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000")], "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8000), "state": {}}
    out: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg: dict) -> None:
        out.append(msg)

    await app(scope, receive, send)
    return out[0]["status"], sorted(out[0]["headers"]), b"".join(
        m.get("body", b"") for m in out[1:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("-n", type=int, default=4000, help="scenario queries")
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_http

    import medcode
    from medcode.api import create_app
    paths = bench_http.scenarios(args.store)["search"][:args.n]
    edges = ["/v1/search?" + e if e else "/v1/search" for e in EDGES]
    app = create_app(medcode.open_store(args.store))

    async def run() -> None:
        with args.out.open("w", encoding="utf-8", errors="surrogateescape") as f:
            for p in edges + paths + edges:
                status, headers, body = await answer(app, p)
                f.write(f"{p}\t{status}\t{headers!r}\t"
                        f"{body.decode('utf-8', 'surrogateescape')}\n")
    asyncio.run(run())
    print(f"{len(paths) + 2 * len(edges)} answers written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
