"""Fit the suggester's learned part on CodiEsp **train** only and write the packaged model.

    .venv/bin/python bench/train_suggest.py                 # all 500 train notes -> package
    .venv/bin/python bench/train_suggest.py --holdout 100   # fit on 400, score the last 100
                                                            # (development; dev is untouched)

What is counted: notes per code (priors), notes per word/word-pair ("gram"), and notes per
(gram, code) for pairs seen in at least MIN_PAIR notes. The ranker's weights are then fitted
on the same notes with each note left out of the counts it is scored with (leave-one-out),
so the weights see the counts as an unseen note would.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _codiesp  # noqa: E402

import medcode  # noqa: E402
from medcode.suggester import core  # noqa: E402
from medcode.suggester.lexicon import CM, PCS, lexicon  # noqa: E402
from medcode.suggester.model import KNN_TERMS, Model, fit, key  # noqa: E402
from medcode.suggester.text import tokenize  # noqa: E402

MIN_GRAM = 2      # a gram must be in this many notes
MIN_PAIR = core.ASSOC_PAIRS  # and with the code in this many
MIN_P = 0.1       # and P(code | gram) at least this (before leaving a note out)
#: AdaGrad steps of the ranker's fit, per system (150 stopped short once the crossed
#: features came in; on two 100-note train holdouts diagnoses gained up to 2,000 steps,
#: procedures peaked near 600)
EPOCHS = {CM: 2000, PCS: 600}
#: whether the fit weighs gold and non-gold candidates alike: diagnoses rank better fitted
#: as they come (scores are then the share of such candidates that are gold), procedures
#: with the classes balanced (two train holdouts)
BALANCED = {CM: False, PCS: True}
OUT = Path(__file__).resolve().parents[1] / "src" / "medcode" / "data" / "suggest" / \
    "model.json.gz"


def gold_keys(d: set[str], p: set[str]) -> set[str]:
    """Gold codes as model keys, diagnoses brought to today's code set (_codiesp.current)."""
    store = medcode.open_store()
    return {key(CM, _codiesp.current(store, c).replace(".", "").upper()) for c in d} | {
        key(PCS, c.upper()) for c in p}


def count(notes) -> Model:
    prior: Counter[str] = Counter()
    df: Counter[str] = Counter()
    pair: Counter[tuple[str, str]] = Counter()
    for _id, text, d, p in notes:
        gk = gold_keys(d, p)
        prior.update(gk)
        gs = set(core.grams(tokenize(text)[0]))
        df.update(gs)
        for g in gs:
            for k in gk:
                pair[(g, k)] += 1
    knn_df: Counter[str] = Counter()
    tfs = []
    for _id, text, d, p in notes:
        tf = core.stem_counts(tokenize(text)[0])
        knn_df.update(tf)
        tfs.append((tf, sorted(gold_keys(d, p))))
    n = len(notes)
    knn_notes = []
    for tf, gk in tfs:
        top = sorted(tf, key=lambda s: (-(1 + math.log(tf[s])) * math.log((n + 1) /
                                                                          (knn_df[s] + 1)), s))
        knn_notes.append([[[s, tf[s]] for s in sorted(top[:KNN_TERMS])], gk])
    vocab = {s for terms, _ in knn_notes for s, _ in terms}
    assoc: dict[str, list[list]] = {}
    for (g, k), n in pair.items():
        if n >= MIN_PAIR and df[g] >= MIN_GRAM and n / (df[g] + 2) >= MIN_P:
            assoc.setdefault(g, []).append([k, n])
    for v in assoc.values():
        v.sort(key=lambda kv: -kv[1])
    return Model(len(notes), dict(prior), {g: df[g] for g in assoc}, assoc, {}, {},
                 {s: knn_df[s] for s in sorted(vocab)}, knn_notes)


def rows_for(store, model: Model, notes):
    """Feature rows of every candidate of every note, each note left out of the counts."""
    lex = lexicon(store)
    systems = core._systems(store, None, None)
    seen = []
    hits: dict[str, list[int]] = {}
    for i, (_id, text, d, p) in enumerate(notes):
        gk = gold_keys(d, p)
        toks = tokenize(text)[0]
        g_in = set(core.grams(toks))
        _t, cands, _ = core.analyse(store, text, systems, model, loo=(g_in, gk), skip=i)
        seen.append((_t, cands, gk))
        for c in cands.values():
            k = key(c.system, c.code)
            h = hits.setdefault(k, [0, 0])
            h[0] += k in gk
            h[1] += 1
    model.hits = hits
    out: dict[str, list] = {CM: [], PCS: []}
    for toks, cands, gk in seen:
        for c in cands.values():
            x = core.features(lex, c, toks, model, gold=gk)
            out[c.system].append((x, 1 if key(c.system, c.code) in gk else 0))
    return out


def rank(store, model: Model, notes, system: str) -> list[list[str]]:
    out = []
    for _id, text, _d, _p in notes:
        sug = core.suggest(store, text, system=system, limit=1000, model=model)
        out.append([_codiesp.norm(s.system, s.code) for s in sug])
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdout", type=int, default=0,
                    help="fit on all but the last N train notes and score those N")
    ap.add_argument("--split", type=int, default=0,
                    help="with --holdout: score the N notes that end N*split notes before the "
                         "last (0: the last N; 1: the N before them; ...) for a second split")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the model")
    args = ap.parse_args()
    if not _codiesp.available():
        print(f"CodiEsp not found at {_codiesp.ROOT}", file=sys.stderr)
        return 2
    store = medcode.open_store()
    notes = _codiesp.load("train")
    if args.holdout:
        end = len(notes) - args.holdout * args.split
        held = notes[end - args.holdout:end]
        fit_notes = notes[:end - args.holdout] + notes[end:]
    else:
        fit_notes = notes
    t0 = time.perf_counter()
    model = count(fit_notes)
    rows = rows_for(store, model, fit_notes)
    for system, r in rows.items():
        model.weights[system] = fit(r, epochs=EPOCHS[system], balanced=BALANCED[system])
        print(f"{system}: {len(r)} candidate rows, {sum(y for _, y in r)} gold", flush=True)
    print(f"fitted in {time.perf_counter() - t0:.1f} s; {len(model.assoc)} grams, "
          f"{sum(len(v) for v in model.assoc.values())} pairs")
    if args.holdout:
        for system, i in ((CM, 2), (PCS, 3)):
            gold = [n[i] if i == 3 else {_codiesp.current(store, c) for c in n[i]} for n in held]
            s = _codiesp.scores(rank(store, model, held, system), gold)
            print(f"train-holdout {system}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float)
                                                          else f"{k} {v}" for k, v in s.items()))
    out = args.out
    if args.holdout and out == OUT:
        return 0          # a development fit never replaces the packaged model
    if not args.no_write:
        out.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True).encode()
        out.write_bytes(gzip.compress(data, 9, mtime=0))
        print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
