"""CodiEsp (CLEF eHealth 2020) English notes and gold codes from ../shared/data/codiesp.

The data stays outside the repository (test data only, CC BY 4.0, Barcelona Supercomputing
Center); this module only reads it and scores rankings with the task's MAP.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("CODIESP_DIR") or
            Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "codiesp")


def available() -> bool:
    return (ROOT / "train" / "trainD.tsv").is_file()


def load(split: str) -> list[tuple[str, str, set[str], set[str]]]:
    """(id, text, gold diagnoses, gold procedures) for each note of ``split`` (train/dev),
    codes as CodiEsp writes them: lower case, diagnoses dotted."""
    base = ROOT / split
    gold: dict[str, tuple[set[str], set[str]]] = {}
    for kind, i in (("D", 0), ("P", 1)):
        for line in (base / f"{split}{kind}.tsv").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                doc, code = line.split("\t")[:2]
                gold.setdefault(doc, (set(), set()))[i].add(code.strip().lower())
    out = []
    for path in sorted((base / "text_files_en").glob("*.txt")):
        d, p = gold.get(path.stem, (set(), set()))
        out.append((path.stem, path.read_text(encoding="utf-8"), d, p))
    return out


def norm(system: str, code: str) -> str:
    """A suggestion's code in CodiEsp's spelling."""
    return code.lower() if system == "ICD-10-CM" else code.replace(".", "").lower()


def average_precision(ranked: list[str], gold: set[str]) -> float:
    """The task's AP: mean over gold codes of precision at the rank each is found (0 when
    missed), predictions de-duplicated."""
    if not gold:
        return 0.0
    hits, total, seen = 0, 0.0, set()
    k = 0
    for code in ranked:
        if code in seen:
            continue
        seen.add(code)
        k += 1
        if code in gold:
            hits += 1
            total += hits / k
    return total / len(gold)


def scores(rankings: list[list[str]], golds: list[set[str]], k: int = 10) -> dict[str, float]:
    """MAP over notes with gold codes, and micro precision / recall at k."""
    aps, tp, pred, gold_n = [], 0, 0, 0
    for ranked, gold in zip(rankings, golds):
        if not gold:
            continue
        aps.append(average_precision(ranked, gold))
        top = list(dict.fromkeys(ranked))[:k]
        tp += len(set(top) & gold)
        pred += len(top)
        gold_n += len(gold)
    return {"MAP": sum(aps) / max(1, len(aps)), f"P@{k}": tp / max(1, pred),
            f"R@{k}": tp / max(1, gold_n), "notes": len(aps)}
