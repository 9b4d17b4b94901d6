"""Write tests/search/relevance_index.tsv: queries drawn from the official ICD-10-CM Drug
table, Neoplasm table and External Cause Index, phrased the way people say them, each with
the code the table gives. Drawn blind (seeded sample, fixed templates) -- never from
medcode's answers.

    python tests/search/make_index_queries.py
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

OUT = Path(__file__).with_name("relevance_index.tsv")
DRUG = [  # (template, column)
    ("{} overdose", "poisoning, accidental (unintentional)"),
    ("adverse reaction to {}", "adverse effect"),
    ("intentional overdose of {}", "poisoning, intentional self-harm"),
    ("underdosing of {}", "underdosing"),
]
NEOPLASM = [
    ("cancer of the {}", "malignant primary"),
    ("metastatic cancer to {}", "malignant secondary"),
    ("benign tumor of {}", "benign"),
]
_PLAIN = re.compile(r"^[a-z]{5,}$")


def _code(code: str) -> str:
    return code if code.endswith("-") else code + "-"


def main() -> int:
    from medcode.systems.icd10cm_index import bundled_path, read_index
    rng = random.Random(13)
    lines = ["# Queries drawn from the official ICD-10-CM index tables (April 2026) by",
             "# tests/search/make_index_queries.py (seeded sample, fixed templates), blind.",
             "# query <TAB> code from the table (\"-\": or any code below) <TAB> category"]
    seen: set[str] = set()

    drug: dict[str, dict[str, str]] = {}
    for e in read_index(bundled_path("drug"), "drug"):
        name = e.path[0].lower()
        if len(e.path) == 1 and _PLAIN.match(name) and e.code:
            drug.setdefault(name, {})[e.column or ""] = e.code
    names = sorted(n for n, cols in drug.items() if len(cols) == 6)
    for i, name in enumerate(rng.sample(names, 60)):
        template, col = DRUG[i % len(DRUG)]
        q = template.format(name)
        if q not in seen:
            seen.add(q)
            lines.append(f"{q}\t{_code(drug[name][col])}\tdrug")

    sites: dict[str, dict[str, str]] = {}
    for e in read_index(bundled_path("neoplasm"), "neoplasm"):
        if len(e.path) == 2 and e.code and not e.nemod[1]:
            site = e.path[1].split(",")[0].strip().lower()
            if _PLAIN.match(site.replace(" ", "")) and site.count(" ") <= 1:
                sites.setdefault(site, {})[e.column or ""] = e.code
    usable = sorted(s for s, cols in sites.items() if all(c in cols for _t, c in NEOPLASM))
    for i, site in enumerate(rng.sample(usable, 60)):
        template, col = NEOPLASM[i % len(NEOPLASM)]
        q = template.format(site)
        if q not in seen:
            seen.add(q)
            lines.append(f"{q}\t{_code(sites[site][col])}\tneoplasm")

    ext = []
    for e in read_index(bundled_path("external"), "external"):
        if len(e.path) in (2, 3) and e.code and e.tag == "code":
            words = [p.split(",")[0].strip().lower() for p in e.path]
            q = " ".join(words)
            if re.fullmatch(r"[a-z ]{6,60}", q) and "nec" not in q.split():
                ext.append((q, e.code))
    ext = sorted(set(ext))
    by_query: dict[str, list[str]] = {}
    for q, c in ext:
        by_query.setdefault(q, []).append(c)
    for q in rng.sample(sorted(by_query), 40):
        if q not in seen:
            seen.add(q)
            lines.append(f"{q}\t{', '.join(_code(c) for c in by_query[q])}\texternal")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 3} queries to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
