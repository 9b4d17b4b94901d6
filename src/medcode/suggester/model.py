"""The learned part: code frequencies and word-code associations counted on the CodiEsp
training notes, and a logistic ranker over a few features of each candidate.

The numbers live in ``medcode/data/suggest/model.json.gz`` (written by
``bench/train_suggest.py`` from ``codiesp/train`` only; CC BY 4.0, see the README beside it).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

FEATURES: tuple[str, ...] = (
            "bias", "lex", "lex_subsumed_only", "mentions", "specificity", "by_title", "tight",
            "assoc_max", "assoc_sum", "log_prior", "seen", "negated", "uncertain", "family",
            "history", "position", "lex_x_prior", "sentences", "search", "other",
            "code_precision", "code_candidates", "assoc_x_lex", "knn", "knn_notes",
            "knn_x_lex", "siblings", "best_in_category", "unspecified", "part_only",
            "code_length", "assoc_notes", "assoc_negated")
#: base features whose pairwise products and squares the ranker also weighs (how much a
#: learned phrase counts depends on the code's prior, a mention on its category, ...)
CROSSED = ("lex", "assoc_max", "assoc_sum", "log_prior", "code_precision", "knn",
           "best_in_category", "specificity", "mentions", "negated", "siblings",
           "code_candidates", "knn_notes", "position", "history", "sentences", "assoc_notes")
_CROSS_AT = tuple(FEATURES.index(f) for f in CROSSED)
_PAIRS = tuple((a, b) for n, a in enumerate(_CROSS_AT) for b in _CROSS_AT[n + 1:])
FEATURES = FEATURES + tuple(f"{FEATURES[a]}*{FEATURES[b]}" for a, b in _PAIRS) + tuple(
    f"{FEATURES[a]}^2" for a in _CROSS_AT)


def crossed(x: list[float]) -> list[float]:
    """The products FEATURES lists after the base features, from the base features ``x``."""
    return [x[a] * x[b] for a, b in _PAIRS] + [x[a] * x[a] for a in _CROSS_AT]
#: neighbours a note's codes are voted by (the most similar training notes)
KNN_K = 10
#: stems kept per training note (its highest tf-idf ones)
KNN_TERMS = 80
FILE = ("data", "suggest", "model.json.gz")


@dataclass
class Model:
    docs: int = 0
    prior: dict[str, int] = field(default_factory=dict)           # "CM:E119" -> notes
    df: dict[str, int] = field(default_factory=dict)              # gram -> notes
    assoc: dict[str, list[list]] = field(default_factory=dict)    # gram -> [[key, notes], ...]
    weights: dict[str, list[float]] = field(default_factory=dict)  # system -> FEATURES weights
    hits: dict[str, list[int]] = field(default_factory=dict)      # key -> [gold, candidate]
    #: nearest training notes: stem -> notes holding it; per note its top stems (with their
    #: counts) and its gold keys
    knn_df: dict[str, int] = field(default_factory=dict)
    knn_notes: list[list] = field(default_factory=list)           # [[[stem, tf], ...], [keys]]

    def __post_init__(self) -> None:
        self._postings: dict[str, list[tuple[int, float]]] | None = None

    def to_json(self) -> dict:
        return {"format": 1, "features": list(FEATURES), "docs": self.docs, "prior": self.prior,
                "df": self.df, "assoc": self.assoc, "weights": self.weights,
                "hits": self.hits, "knn_df": self.knn_df, "knn_notes": self.knn_notes}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        if d.get("format") != 1 or d.get("features") != list(FEATURES):
            raise ValueError("suggest model of another format")
        return cls(d["docs"], d["prior"], d["df"], d["assoc"], d["weights"], d["hits"],
                   d.get("knn_df", {}), d.get("knn_notes", []))

    def idf(self, s: str) -> float:
        return math.log((len(self.knn_notes) + 1) / (self.knn_df.get(s, 0) + 1))

    def postings(self) -> dict[str, list[tuple[int, float]]]:
        """stem -> (training note, its normalised tf-idf weight there)."""
        if self._postings is None:
            post: dict[str, list[tuple[int, float]]] = {}
            for i, (terms, _keys) in enumerate(self.knn_notes):
                vec = [(s, (1 + math.log(tf)) * self.idf(s)) for s, tf in terms]
                norm = math.sqrt(sum(w * w for _, w in vec)) or 1.0
                for s, w in vec:
                    post.setdefault(s, []).append((i, w / norm))
            self._postings = post
        return self._postings

    def neighbours(self, tf: dict[str, int], skip: int = -1, k: int = KNN_K
                   ) -> dict[str, tuple[float, int]]:
        """key -> (similarity-weighted share of the ``k`` nearest training notes holding
        the code, how many of them do), for a note of stem counts ``tf``."""
        if not self.knn_notes:
            return {}
        post = self.postings()
        sim: dict[int, float] = {}
        for s, n in tf.items():
            hits = post.get(s)
            if hits:
                w = (1 + math.log(n)) * self.idf(s)
                for i, v in hits:
                    sim[i] = sim.get(i, 0.0) + w * v
        sim.pop(skip, None)
        top = sorted(sim.items(), key=lambda iv: (-iv[1], iv[0]))[:k]
        total = sum(v for _, v in top) or 1.0
        out: dict[str, list[float]] = {}
        for i, v in top:
            for kk in self.knn_notes[i][1]:
                o = out.setdefault(kk, [0.0, 0])
                o[0] += v / total
                o[1] += 1
        return {kk: (o[0], int(o[1])) for kk, o in out.items()}

    def score(self, system: str, x: list[float]) -> float:
        w = self.weights.get(system)
        if not w:  # an untrained model: words found in titles, nothing else
            return 1.0 / (1.0 + math.exp(-(2 * x[1] + x[4] - 2 * x[11] - 1)))
        z = sum(a * b for a, b in zip(w, x))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def packaged() -> Model:
    path = resources.files("medcode").joinpath(*FILE)
    try:
        with path.open("rb") as fh:
            return Model.from_json(json.loads(gzip.decompress(fh.read())))
    except FileNotFoundError:
        return Model()


def key(system: str, code: str) -> str:
    return ("CM:" if system == "ICD-10-CM" else "PCS:") + code


def fit(rows: list[tuple[list[float], int]], epochs: int = 150, l2: float = 1e-4,
        rate: float = 1.0, balanced: bool = True) -> list[float]:
    """Logistic regression by full-batch gradient descent with AdaGrad steps (with numpy
    when it is installed, else in pure Python: the same steps). ``balanced``: weigh the
    classes so that gold and non-gold rows count alike."""
    try:
        import numpy
    except ImportError:
        pass
    else:
        if rows:
            return _fit_np(numpy, rows, epochs, l2, rate, balanced)
    n = len(FEATURES)
    w = [0.0] * n
    g2 = [1e-8] * n
    pos = sum(y for _, y in rows) or 1
    neg = (len(rows) - pos) or 1
    cw = {1: len(rows) / (2 * pos), 0: len(rows) / (2 * neg)} if balanced else {1: 1.0, 0: 1.0}
    for _ in range(epochs):
        grad = [0.0] * n
        for x, y in rows:
            z = sum(a * b for a, b in zip(w, x))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            d = (p - y) * cw[y]
            for j in range(n):
                grad[j] += d * x[j]
        for j in range(n):
            gj = grad[j] / len(rows) + l2 * w[j]
            g2[j] += gj * gj
            w[j] -= rate * gj / math.sqrt(g2[j])
    return w


def _fit_np(np, rows, epochs: int, l2: float, rate: float, balanced: bool) -> list[float]:
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    pos = y.sum() or 1
    neg = (len(rows) - y.sum()) or 1
    cw = np.where(y == 1, len(rows) / (2 * pos), len(rows) / (2 * neg)) if balanced else \
        np.ones(len(rows))
    w = np.zeros(x.shape[1])
    g2 = np.full(x.shape[1], 1e-8)
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30.0, 30.0)))
        g = x.T @ ((p - y) * cw) / len(rows) + l2 * w
        g2 += g * g
        w -= rate * g / np.sqrt(g2)
    return [float(v) for v in w]
