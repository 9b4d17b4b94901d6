"""Snapshot every ranked search answer on the relevance sets, to prove a speed-up changed none.

    python bench/search_snapshot.py --store PATH --out before.json
    python bench/search_snapshot.py --store PATH --compare before.json

For each query of tests/search/*.tsv: the top 20 hits (code, system, title, billable, score,
matched, kind, release, 7th characters) plain, with ``billable=True``, in prefix mode (whole
query and cut short), and for ICD-10-CM alone. ``--compare`` prints every difference and
exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "search"))
import relevance


def snapshot(store_path: Path) -> dict[str, list]:
    import medcode
    from medcode.textsearch import search
    store = medcode.open_store(store_path)
    queries = list(dict.fromkeys(c.query for c in relevance.load_all()))
    out: dict[str, list] = {}
    for q in queries:
        variants = {
            "plain": dict(limit=20),
            "billable": dict(limit=20, billable=True),
            "cm": dict(limit=20, system="ICD-10-CM"),
            "dated": dict(limit=10, on="2020-06-01"),
            "prefix": dict(limit=20, prefix=True),
            "typing": dict(limit=10, prefix=True, q=q[: max(1, len(q) * 2 // 3)]),
        }
        for name, kw in variants.items():
            text = kw.pop("q", q)
            hits = search(store, text, **kw)
            out[f"{name}\t{text}"] = [h.as_dict() for h in hits]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", type=Path)
    args = ap.parse_args()
    got = snapshot(args.store)
    if args.out:
        args.out.write_text(json.dumps(got, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{len(got)} ranked answers written to {args.out}")
    if args.compare:
        want = json.loads(args.compare.read_text(encoding="utf-8"))
        diffs = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
        for k in diffs[:50]:
            print(f"DIFF {k!r}:\n  before {want.get(k)}\n  after  {got.get(k)}")
        print(f"{len(got)} ranked answers compared: {len(diffs)} differ")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
