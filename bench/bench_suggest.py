"""Suggest codes for the CodiEsp **dev** notes (held out: the packaged model is fitted on
codiesp/train only, by bench/train_suggest.py) and print the task's figures and speed.

    .venv/bin/python bench/bench_suggest.py            # quality + in-process speed + CLI
    .venv/bin/python bench/bench_suggest.py --no-cli

Figures: diagnoses MAP (CodiEsp's definition), micro P@10 and R@10; procedures MAP.
Baseline in the same run: `medcode search` on every sentence, hits pooled by best score
(the issue's "MAP 0.10" method). CodiEsp stays in ../shared/data (CC BY 4.0, test data only).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _codiesp  # noqa: E402

import medcode  # noqa: E402
from medcode.suggester import suggest  # noqa: E402
from medcode.suggester.text import sentences  # noqa: E402

CM, PCS = "ICD-10-CM", "ICD-10-PCS"


def baseline(store, text: str, system: str) -> list[str]:
    best: dict[str, float] = {}
    for a, b in sentences(text):
        for h in medcode.search(text[a:b], system=system, billable=True, limit=10, store=store):
            c = _codiesp.norm(system, h.code)
            best[c] = max(best.get(c, 0.0), h.score)
    return sorted(best, key=lambda c: -best[c])


def fmt(d: dict) -> str:
    return ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in d.items())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    if not _codiesp.available():
        print(f"skipped: CodiEsp not found at {_codiesp.ROOT}")
        return 0
    store = medcode.open_store()
    dev = _codiesp.load("dev")
    suggest(store, "warm up: fever.")
    for system, i in ((CM, 2), (PCS, 3)):
        strict = [n[i] for n in dev]
        today = [{_codiesp.current(store, c, system) for c in g} for g in strict]
        ranked = [[_codiesp.norm(s.system, s.code) for s in
                   suggest(store, text, system=system, limit=1000)] for _id, text, *_ in dev]
        print(f"dev {system} suggest, gold in today's codes: "
              f"{fmt(_codiesp.scores(ranked, today))}")
        if system == CM:
            print(f"dev {system} suggest, gold as CodiEsp spells it: "
                  f"{fmt(_codiesp.scores(ranked, strict))}")
            kept = [[_codiesp.norm(s.system, s.code) for s in
                     suggest(store, text, system=system, limit=1000, demote=1.0)]
                    for _id, text, *_ in dev]
            print(f"dev {system} suggest, negated mentions not demoted (CodiEsp codes them): "
                  f"{fmt(_codiesp.scores(kept, today))}")
        if not args.no_baseline:
            base = [baseline(store, n[1], system) for n in dev]
            print(f"dev {system} baseline (search per sentence), gold in today's codes: "
                  f"{fmt(_codiesp.scores(base, today))}", flush=True)
    # speed in process: notes cut to 400 words
    notes = [" ".join(n[1].split(" ")[:400]) for n in dev if len(n[1].split(" ")) >= 400]
    times = []
    for text in notes[:50]:
        t0 = time.perf_counter()
        suggest(store, text)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"in process, 400-word note: median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms over {len(times)} notes")
    if not args.no_cli:
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for _id, text, *_ in dev:
                p = Path(tmp) / f"{_id}.txt"
                p.write_text(text, encoding="utf-8")
                files.append(str(p))
            exe = Path(sys.executable).with_name("medcode")
            t0 = time.perf_counter()
            r = subprocess.run([str(exe), "suggest", "--json", *files], capture_output=True)
            dt = time.perf_counter() - t0
            print(f"CLI, {len(files)} notes in one call: {dt:.1f} s (exit {r.returncode}, "
                  f"{len(r.stdout) // 1024} KiB of JSON)")
    print("(machine shared with other jobs: speed figures are upper bounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
