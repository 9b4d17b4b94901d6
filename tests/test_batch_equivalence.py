"""The batch paths give the per-code answers: identify_many == identify, validate_many ==
validate(...).valid, and the short path of the shape rules == the general rules (issue 10:
the batch paths were made fast; none of their answers may change)."""

from __future__ import annotations

import random

import pytest

import medcode
from medcode.codes.identification import BULK_AFTER, identify, identify_many
from medcode.errors import NoRelease
from medcode.systems.formats import _general_shapes, shapes_of
from medcode.systems.icd10cm import display

ODD = ["J1100", "j1100", " J11.00 ", "V58.67", "V5867", "25000", "250.00", "99201", "99213",
       "0001U", "0001F", "1234T", "0002M", "E1.19", " e11.9 ", "S72.0XXA", "25", "-25", "LT",
       "", " ", "E8809", "E880.9", "3606", "36.06", "01.01", "QA00", "XA00.0", "1A00", "BA00.0",
       "Е11.9", "E11..9", "E11.9X", "0DTJ4ZZ", "0dtj4zz", "H401131", "H40.1131", "B20", "B2",
       "E119", "E11.", "A1.", "ZZZ", "??", "x" * 50, "V58", "V586", "V58.6", "v58.67", "E880",
       "E8809", "e8809", "E11A", "V1A.2", "V12A", "X58", "X5809"]


def _real(store, n: int, seed: int = 5) -> list[str]:
    """Real codes of every loaded system in the forms people write, with repeats."""
    rnd = random.Random(seed)
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    cm = q("SELECT code FROM codes WHERE system='ICD-10-CM'")
    pcs = q("SELECT code FROM codes WHERE system='ICD-10-PCS'")
    icd9 = q("SELECT code FROM codes WHERE system='ICD-9-CM'")
    hcpcs = q("SELECT code FROM codes WHERE system='HCPCS'") or ["J1100", "A0021", "G0008"]
    out = list(ODD)
    for _ in range(n):
        r = rnd.random()
        c = rnd.choice(cm)
        out.append(display(c) if r < 0.25 else c if r < 0.4 else rnd.choice(pcs) if r < 0.5
                   else rnd.choice(icd9) if r < 0.6 else rnd.choice(icd9).replace(".", "")
                   if r < 0.65 else rnd.choice(hcpcs) if r < 0.72
                   else f"{rnd.randint(0, 99999):05d}" if r < 0.82
                   else f"{rnd.randint(0, 9999):04d}{rnd.choice('FTUAMX')}" if r < 0.86
                   else f"{rnd.choice('ABCEGHJKLMPQRSTUVXZ')}{rnd.randint(0, 9999):04d}"
                   if r < 0.92 else " " + display(c).lower() if r < 0.96 else c[:-1] + "Q")
    out += out[: n // 4]                           # claim-like repetition
    return out


@pytest.mark.parametrize("context", [None, "diagnosis", "procedure"])
def test_identify_many_equals_identify(store, hcpcs_store, context):
    for s in (store, hcpcs_store):
        codes = _real(s, BULK_AFTER + 2000)          # past BULK_AFTER: the in-memory lists
        many = list(identify_many(s, codes, context=context))
        assert len(many) == len(codes)
        for code, got in zip(codes, many):
            one = identify(s, code, context=context)
            assert got == one, code
            assert got.as_dict() == one.as_dict(), code


def test_identify_many_memo_limit_keeps_answers(store):
    codes = _real(store, 3000, seed=9)
    small = list(identify_many(store, codes, memo_size=50))
    assert small == [identify(store, c) for c in codes]


def test_identify_many_never_leaves_the_cycle_collector_paused(store):
    """identify_many over a list pauses the cycle collector while it works a slice out, never
    while the caller's code runs (between answers), and leaves a caller's own choice alone."""
    import gc
    codes = _real(store, BULK_AFTER + 5000, seed=3)        # several slices
    assert gc.isenabled()
    seen = []
    for _r in identify_many(store, codes):
        seen.append(gc.isenabled())
    assert len(seen) == len(codes) and all(seen) and gc.isenabled()
    it = identify_many(store, codes)
    next(it)
    assert gc.isenabled()
    it.close()                                  # a caller that stops early
    assert gc.isenabled()
    gc.disable()
    try:
        assert not any(gc.isenabled() for _ in identify_many(store, codes)) and not gc.isenabled()
    finally:
        gc.enable()


def test_identification_is_immutable(store):
    from dataclasses import FrozenInstanceError
    r = identify(store, "J1100")
    with pytest.raises(FrozenInstanceError):
        r.input = "E11.9"  # type: ignore[misc]
    assert r == identify(store, "J1100") and hash(r) == hash(identify(store, "J1100"))
    assert r.best is r.candidates[0] and r.ambiguous
    assert [c.as_dict()["system"] for c in r.plausible] == ["HCPCS", "ICD-10-CM"]


def test_short_shape_path_equals_general_rules(store):
    """Every loaded code, dotted and not, upper and lower case, and every 5-character CPT
    and HCPCS shape: the short path gives exactly the general rules' readings."""
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    strings: set[str] = set(ODD)
    for c in q("SELECT code FROM codes WHERE system='ICD-10-CM'"):
        strings.update((c, display(c), c + "Q", display(c)[:-1]))
    strings.update(q("SELECT code FROM codes WHERE system IN ('ICD-10-PCS', 'ICD-9-CM')"))
    strings.update(f"{i:05d}" for i in range(0, 100_000, 3))
    strings.update(f"{i:04d}{x}" for i in range(0, 10_000, 7) for x in "FTUAMXZ")
    strings.update(f"{x}{i:04d}" for x in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   for i in range(0, 10_000, 37))
    listed = lambda kind, code: code.startswith(("25", "40", "V", "E8"))  # noqa: E731
    for raw in strings:
        s = raw.strip().upper()
        if not s or not s.replace(".", "").isalnum():
            continue
        assert shapes_of(s) == _general_shapes(s), s
        assert shapes_of(s, listed) == _general_shapes(s, listed), s


def test_validate_many_equals_validate_with_repeats_and_odd_inputs(store, hcpcs_store):
    for s in (store, hcpcs_store):
        codes: list = _real(s, 3000, seed=3)
        codes += [None, 5, b"E11.9", "E11.9", " e11.9 ", "e11.9", "E11.9"]
        for day in ("2014-06-01", "2025-11-01"):
            fast = medcode.validate_many(codes, on=day, store=s)
            assert len(fast) == len(codes)
            # a second batch: the strings not valid as written are answered from what the
            # first one remembered (validset.MEMO_MAX); the answers are the same
            assert medcode.validate_many(codes[::-1], on=day, store=s) == fast[::-1]
            for code, got in zip(codes, fast):
                if not isinstance(code, str):
                    assert got is False
                    continue
                try:
                    slow = medcode.validate(code, on=day, store=s).valid
                except NoRelease:
                    slow = False        # validate_many never raises for one code
                assert got == slow, (code, day)
        assert any(fast) and not all(fast)


def _every_shape(store, step: int = 1) -> list[str]:
    """Every loaded code (every ``step``-th) as written, with and without its dot, one
    character short and one too many; every 5-digit number (CPT/ICD-9 collisions), CPT Category
    II/III/PLA shapes, HCPCS shapes of every letter; the odd inputs."""
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    out: set[str] = set(ODD)
    for system in ("ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "ICD-10", "ICD-11", "HCPCS"):
        for c in q(f"SELECT code FROM codes WHERE system='{system}'")[::step]:
            plain = c.replace(".", "")
            out.update((c, plain, display(plain), c[:-1], c + "Q", plain + "X"))
    out.update(f"{i:05d}" for i in range(0, 100_000, step))
    out.update(f"{i:04d}{x}" for i in range(0, 10_000, 3 * step) for x in "FTUAMXZ")
    out.update(f"{x}{i:04d}" for x in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
               for i in range(0, 10_000, 11 * step))
    out.update(f"{x}{i:04d}"[:3] + "." + f"{i:04d}"[2:] for x in "AEJVXZ"
               for i in range(0, 10_000, 97))
    return sorted(out)


@pytest.mark.parametrize("context", [None, "diagnosis", "procedure"])
def test_fast_readings_equal_the_general_rules(store, hcpcs_store, context):
    """identify_many's short path (fastreadings) gives, field for field, what the shape rules
    and the judge give (identification._readings), for every loaded code and the shapes
    around them, with and without HCPCS, with and without WHO ICD-10 loaded."""
    from medcode.codes.fastreadings import fast_readings
    from medcode.codes.identification import _RANKS, _Facts, _readings
    rank = _RANKS[context]
    cases = [(store, True), (hcpcs_store, True)] + [(store, False)] * (context is None)
    for s, who in cases:
        f, ref = _Facts(s), _Facts(s)          # separate caches: nothing shared but the store
        for facts in (f, ref):
            facts.bulk()
            if not who:     # a store without the WHO lists: that reading is judged by shape
                facts.is_loaded = {**facts.is_loaded, "ICD-10": False}
        fast = fast_readings(f, context)
        assert fast is not None
        shortcut = 0
        for raw in _every_shape(s, step=2 if context is None else 5):
            code = raw.strip().upper()
            if not code or not code.replace(".", "").replace("-", "").isalnum():
                continue
            got = fast(code)
            if got is not None:
                shortcut += 1
                assert got == _readings(ref, code, rank), code
        assert shortcut > 50_000            # the short path answered most of them


def test_validate_many_first_batch_knows_headers(store_path):
    """A store just opened: the day's sets already answer the store's ICD-10-CM codes not
    valid as written (headers, codes of other releases), in both forms; a first batch of
    them, and of the ways people write them, gets validate's answers."""
    s = medcode.open_store(store_path)
    q = lambda sql: [r[0] for r in s.conn.execute(sql)]  # noqa: E731
    rnd = random.Random(4)
    cm = q("SELECT code FROM codes WHERE system='ICD-10-CM'")
    heads = q("SELECT code FROM codes WHERE system='ICD-10-CM' AND billable_mask = 0")
    codes: list[str] = []
    for c in rnd.sample(heads, min(300, len(heads))) + rnd.sample(cm, 300):
        codes += [c, display(c), " " + display(c).lower(), c.lower(), c + "Q", display(c) + "."]
    for day in ("2025-11-01", "2024-03-01", None):
        fast = medcode.validate_many(codes, on=day, store=s)
        assert fast == medcode.validate_many(codes, on=day, store=s)
        for code, got in zip(codes, fast):
            try:
                slow = medcode.validate(code, on=day, store=s).valid
            except NoRelease:
                slow = False
            assert got == slow, (code, day)
        assert any(fast) and not all(fast)
