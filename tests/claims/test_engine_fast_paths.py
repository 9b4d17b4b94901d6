"""The checking engine's fast paths give the findings of the general paths (issue 14: claim
checking was made fast; no finding may change). Each fast path is turned off in turn and
the results of a varied set of claims on real codes must stay the same, finding for
finding: remembered billable diagnoses, preloaded tabular nodes, modifiers judged once per
(list, date), pointers judged well-formed at a glance."""

from __future__ import annotations

import pytest

from medcode.claims.edits import dx_list, modifiers
from medcode.claims.edits.facts import StoreFacts
from medcode.claims.engine import Checker
from medcode.claims.formats import claim_from_dict

DX = ["E11.9", "I10", "E78.5", "J45.909", "M17.11", "K21.9", "E11", "Z00.00", "F02.80",
      "S72.001", "N40.0", "E10.9", "W19.XXXA", "O80", "N39.0"]
PX = ["99213", "99214", "20610", "36415", "85025", "J1100", "11042", "99215"]


def claim_objects(n: int) -> list[dict]:
    out = []
    for i in range(n):
        day = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}"
        lines = [{"code": PX[(i + k) % len(PX)], "modifiers": ["25"] if k == 0 else [],
                  "units": 1 + (i % 3 == 0 and k == 2) * 4, "charge": 50.0 + k,
                  "date": day if i % 17 else "2025-02-30", "pointers": [1, 2, 3][: 1 + k]}
                 for k in range(1 + i % 3)]
        out.append({"id": f"C{i:04d}", "diagnoses": [DX[(i * k) % len(DX)] for k in (1, 3, 7)],
                    "patient": {"birth_date": f"{1940 + i % 60}-0{1 + i % 9}-15",
                                "sex": "FM"[i % 2]}, "lines": lines})
    return out

ODD_LINES = [
    {"code": "20610", "modifiers": ["XS"], "pointers": [1]},
    {"code": "20610", "modifiers": ["59", "XS"], "pointers": [1, 1]},
    {"code": "99213", "modifiers": ["25", "25"], "pointers": [4]},
    {"code": "J1100", "modifiers": ["GA", "ZZ"], "pointers": [1, 2, 3, 4, 5]},
    {"code": "36415", "modifiers": ["2", "-25", "91", "05"], "pointers": []},
    {"code": "11042", "modifiers": ["a1", "LT", "RT", "59", "76"], "pointers": ["A", "Q"]},
    {"code": "G0008", "modifiers": ["Q0"], "pointers": [2]},
]
#: values the line edits report (LINE-DATE, LINE-UNITS, LINE-CHARGE): a claim with one of
#: these cannot be judged clean at a glance
ODD_AMOUNTS = [{"units": 0}, {"units": -2}, {"charge": -5.0}, {"charge": "12,5x"},
               {"units": "two"}, {"date": None}, {"date": "2025-13-01"}, {"date": "1850-01-01"},
               {"date": "2031-01-01"}, {"units": 2.5, "charge": 0}, {"pointers": [0]}]
ODD_DX = [["E11.9", "E10.9", "I10"], ["F02.80", "G30.9"], ["E11.9!", "E11"], ["O80", "Z37.0"],
          ["S72.001A", "W19.XXXA", "Y92.009"], ["25000", "250.00"], ["Z00.00", "Z34.00"]]


def _claims() -> list:
    objs = claim_objects(240)
    for i, obj in enumerate(objs):
        if i % 3 == 0:
            extra = dict(ODD_LINES[i % len(ODD_LINES)])
            extra.update(units=1, charge=20.0, date=obj["lines"][0]["date"])
            obj["lines"].append(extra)
        if i % 5 == 0:
            obj["diagnoses"] = ODD_DX[i % len(ODD_DX)]
        if i % 11 == 0:
            obj["lines"][0]["date"] = "2014-06-01"           # an ICD-9 era date
        if i % 4 == 1:
            obj["lines"][-1].update(ODD_AMOUNTS[(i // 4) % len(ODD_AMOUNTS)])
    return [claim_from_dict(o) for o in objs]


def _results(store, **kw) -> list:
    checker = Checker(store, preload=kw.get("preload", False))
    checker.facts = StoreFacts(store)                       # nothing remembered yet
    if kw.get("preload"):
        checker.facts.preload()
    checker.today = __import__("datetime").date(2026, 12, 2)
    return [checker.check(c).as_dict() for c in _claims()]


@pytest.fixture(params=["store", "hcpcs_store"])
def any_store(request):
    return request.getfixturevalue(request.param)


def test_fast_paths_find_what_the_general_paths_find(any_store, monkeypatch):
    fast = _results(any_store, preload=True)
    assert sum(len(r["findings"]) for r in fast) > 300
    edits = {f["edit"] for r in fast for f in r["findings"]}
    assert {"MOD-FORMAT", "MOD-INVALID", "PTR-RANGE", "DX-INVALID", "DX-HEADER"} <= edits
    monkeypatch.setattr(StoreFacts, "billable_dx", lambda self, raw, key, rels: None)
    monkeypatch.setattr(modifiers, "_well_formed", lambda mods: False)
    monkeypatch.setattr(modifiers, "_active", lambda facts, mod, day: False)
    monkeypatch.setattr(dx_list, "_pointers_fine", lambda ptrs, raw, n: False)
    slow = _results(any_store, preload=False)
    assert len(slow) == len(fast)
    for a, b in zip(fast, slow, strict=True):
        assert a == b, a["claim"]


def test_idle_edits_find_nothing(any_store, monkeypatch):
    """An edit the engine skips on a claim (``ClaimContext.idle``: diagnoses all valid, lines
    all clean, every diagnosis pointed to, modifiers well formed...) finds nothing there:
    running every edit on every claim gives the same results."""
    from medcode.claims.edits import context
    fast = _results(any_store, preload=True)
    edits = {f["edit"] for r in fast for f in r["findings"]}
    assert {"LINE-DATE", "LINE-UNITS", "LINE-CHARGE", "PTR-MISSING", "PTR-RANGE",
            "PTR-UNUSED", "MOD-FORMAT", "MOD-59X"} <= edits
    monkeypatch.setattr(context, "IDLE_WHEN", {})
    assert _results(any_store, preload=True) == fast


def test_each_fast_path_alone(store, monkeypatch):
    fast = _results(store, preload=True)
    for target, name, off in [
            (StoreFacts, "billable_dx", lambda self, raw, key, rels: None),
            (modifiers, "_well_formed", lambda mods: False),
            (dx_list, "_pointers_fine", lambda ptrs, raw, n: False)]:
        with monkeypatch.context() as m:
            m.setattr(target, name, off)
            assert _results(store) == fast, name
