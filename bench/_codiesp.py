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


def current(store, code: str, system: str = "ICD-10-CM") -> str:
    """A CodiEsp gold diagnosis in today's code set (the newest release loaded), by one fixed
    rule applied alike to training and scoring: CodiEsp (2019 codes) leaves injuries without
    their 7th character (``t14.90``, ``w19.xxx``: the initial encounter ``A`` is added) and
    some of its codes have been subdivided since (``r51`` -> R51.9, ``m54.5`` -> M54.50: the
    child whose title says "unspecified" most, then the one ending in 9, then 0). Procedures and
    codes still billable are returned unchanged (CodiEsp spelling)."""
    if system != "ICD-10-CM":
        return code
    bit = store.resolve(system).bit or -1

    def billable(c: str) -> bool:
        r = store.row(system, c)
        return bool(r and r[5] & bit)

    c = code.replace(".", "").upper()
    for _ in range(4):
        if billable(c):
            break
        padded = (c + "XXX")[:6] + "A" if len(c) < 7 else c
        if billable(c + "A") or billable(padded):
            c = c + "A" if billable(c + "A") else padded
            break
        kids = store.conn.execute("SELECT code, title FROM codes WHERE system = ? AND parent = ? "
                                  "ORDER BY code", (system, c)).fetchall()
        if not kids:
            return code
        c = max(kids, key=lambda kt: (kt[1].lower().count("unspecified"), kt[0][-1] == "9",
                                      kt[0][-1] == "0"))[0]
    if not billable(c):
        return code
    return norm(system, c[:3] + "." + c[3:] if len(c) > 3 else c)
