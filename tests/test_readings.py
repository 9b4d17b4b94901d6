"""Every code read as what it is: codes of more than one shape, ICD-9-CM after 2015, right
suggestions (issue 10). Every call passes its date."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

import medcode
from medcode.cli import cli
from medcode.codes.identification import identify, identify_many
from medcode.errors import NoRelease

DAY = "2024-09-15"


def test_j1100_is_first_hcpcs_and_ambiguous_without_hcpcs(store):
    r = identify(store, "J1100")
    assert [(c.system, c.plausible) for c in r.candidates] == [("HCPCS", True),
                                                              ("ICD-10-CM", True)]
    assert r.ambiguous and r.as_dict()["ambiguous"] is True


def test_j1100_in_a_diagnosis_position_is_first_icd10cm(store, hcpcs_store):
    for s in (store, hcpcs_store):
        r = identify(s, "J1100", context="diagnosis")
        assert r.best.system == "ICD-10-CM" and r.best.code == "J11.00" and r.ambiguous


def test_unambiguous_shapes(store):
    assert not identify(store, "E11.9").ambiguous        # WHO ICD-10 reading does not count
    assert not identify(store, "99213").ambiguous
    assert not identify(store, "250.00").ambiguous       # a dotted code is never CPT
    assert identify(store, "25000").ambiguous            # CPT 25000 or ICD-9-CM 250.00
    r = identify(store, "J1199")                         # no ICD-10-CM J11.99: HCPCS only
    assert [c.system for c in r.plausible] == ["HCPCS"] and not r.ambiguous


def test_identify_many_matches_identify(store):
    codes = ["J1100", "E11.9", "25000", "99213", "0DTJ4ZZ", "V58.67", "LT", "zz", "J1100"]
    codes += [f"{n:05d}" for n in range(99190, 99240)]
    many = [r.as_dict() for r in identify_many(store, codes * 700)]   # past the bulk load
    one = [identify(store, c).as_dict() for c in codes * 700]
    assert many == one


def test_validate_j1100_follows_the_readings(store, hcpcs_store):
    v = medcode.validate("J1100", on=DAY, store=store)
    assert not v.valid and v.status == "ambiguous" and v.extra["ambiguous"]
    assert {x["system"] for x in v.extra["readings"]} == {"HCPCS", "ICD-10-CM"}
    assert medcode.validate("J1100", on=DAY, store=store, system="ICD-10-CM").valid
    hcpcs = medcode.validate("J1100", on=DAY, store=store, system="HCPCS")
    assert hcpcs.status == "not_loaded" and "medcode data import hcpcs" in hcpcs.message
    # the 2020 HCPCS file serves 2020 only: on DAY the HCPCS reading cannot be checked, and
    # the answer says which file to load rather than answering from 2020
    late = medcode.validate("J1100", on=DAY, store=hcpcs_store)
    assert not late.valid and "medcode data fetch hcpcs --quarter 2024Q3" in late.message
    with pytest.raises(NoRelease, match="2020-01-01 to 2020-12-31"):
        medcode.validate("J1100", on=DAY, store=hcpcs_store, system="HCPCS")
    assert medcode.validate("J1100", on="2020-06-01", store=hcpcs_store, system="HCPCS").valid
    # a reading that cannot be checked on the date is not silently dropped
    no_cm = medcode.validate("J1100", on="2020-06-01", store=hcpcs_store)
    assert not no_cm.valid and no_cm.status == "ambiguous"


def test_validate_cli_exit_codes(store_path):
    run = CliRunner().invoke
    base = ["--store", str(store_path), "validate", "--on", DAY]
    r = run(cli, [*base, "J1100"])
    assert r.exit_code == 1 and "2 readings" in r.output and "J11.00" in r.output
    assert run(cli, [*base, "J1100", "--system", "icd-10-cm"]).exit_code == 0
    assert run(cli, [*base, "J1100", "--system", "HCPCS"]).exit_code == 1
    r = run(cli, [*base, "J1100", "--json"])
    (d,) = json.loads(r.output)
    assert d["ambiguous"] is True and len(d["readings"]) == 2


def test_validate_many_follows_the_policy(store):
    assert medcode.validate_many(["J1100", "J11.00", "j11.00", "E11.9"], on=DAY,
                                 store=store) == [False, True, True, True]
    assert medcode.validate_many(["J1100"], on=DAY, store=store,
                                 system="ICD-10-CM") == [True]


def _sample(store, n=1200, seed=4):
    rnd = random.Random(seed)
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    from medcode.systems.icd10cm import display
    cm = q("SELECT code FROM codes WHERE system='ICD-10-CM'")
    pcs = q("SELECT code FROM codes WHERE system='ICD-10-PCS' LIMIT 5000")
    icd9 = q("SELECT code FROM codes WHERE system='ICD-9-CM'")
    hcpcs = q("SELECT code FROM codes WHERE system='HCPCS'") or ["J1100", "A0021"]
    out = ["J1100", "V58.67", "V5867", "25000", "250.00", "99201", "99213", "0001U", "E1.19",
           " e11.9 ", "S72.0XXA", "25", "", "E8809", "3606", "36.06", "E880.9"]
    for _ in range(n):
        r = rnd.random()
        c = rnd.choice(cm)
        out.append(display(c) if r < 0.3 else c if r < 0.5 else rnd.choice(pcs) if r < 0.6
                   else rnd.choice(icd9) if r < 0.7 else rnd.choice(icd9).replace(".", "")
                   if r < 0.75 else rnd.choice(hcpcs) if r < 0.85
                   else f"{rnd.randint(99100, 99499)}" if r < 0.95 else c.lower() + " ")
    return out


@pytest.mark.parametrize("day", ["2014-06-01", DAY, "2025-11-01"])
def test_validate_many_equals_validate(store, hcpcs_store, day):
    from medcode.errors import NoRelease
    for s in (store, hcpcs_store):
        codes = _sample(s)
        fast = medcode.validate_many(codes, on=day, store=s)
        for code, got in zip(codes, fast):
            try:
                slow = medcode.validate(code, on=day, store=s).valid
            except NoRelease:
                slow = False        # validate_many never raises for one code
            assert got == slow, (code, day)


def test_icd9_code_after_2015_is_named_not_misread(store):
    v = medcode.validate("V58.67", on=DAY, store=store)
    assert v.system == "ICD-9-CM" and not v.valid
    assert "Long-term (current) use of insulin" in v.message
    assert "V58.6" not in v.suggestions and "closest" not in v.message
    v = medcode.validate("250.00", on=DAY, store=store)
    assert v.system == "ICD-9-CM" and "25000" not in v.message
    assert medcode.validate("250.00", on="2014-06-01", store=store).valid


def test_dotted_code_is_never_cpt_or_hcpcs(store):
    v = medcode.validate("250.00", on=DAY, store=store, system="CPT")
    assert v.status == "wrong_system" and "never CPT or HCPCS" in v.message
    assert medcode.validate("J11.00", on=DAY, store=store, system="HCPCS").status == \
        "wrong_system"
    v = medcode.validate("2500.0", on=DAY, store=store)
    assert "procedure" not in v.message


def test_closest_is_billable_and_related(store):
    v = medcode.validate("E11.99", on=DAY, store=store)
    assert v.suggestions == ("E11.9",) and "closest billable code is E11.9" in v.message
    for code in ("Z99.899", "E11.69X"):
        v = medcode.validate(code, on=DAY, store=store)
        assert all(s[:3] == code[:3] for s in v.suggestions)
        assert all(medcode.validate(s, on=DAY, store=store, system="ICD-10-CM").valid
                   for s in v.suggestions)


def test_misplaced_placeholder_lists_the_real_subcategories(store):
    v = medcode.validate("S72.0XXA", on=DAY, store=store)
    assert v.status == "placeholder" and v.extra["placeholder"] == "misplaced"
    assert "5th and 6th characters" in v.message and "S72.00" in v.message
    assert "S72.09" in v.message and "allowed: " not in v.message
    assert v.suggestions and all(s.startswith("S72.0") and s.endswith("A")
                                 for s in v.suggestions)
    assert "S72.001A" in v.suggestions


def test_lookup_lists_every_reading(store):
    d = medcode.lookup("J1100", on=DAY, store=store).to_dict()
    assert d["system"] == "HCPCS" and d["billable"] is None and d["ambiguous"] is True
    assert [(a["system"], a["code"]) for a in d["also"]] == [("ICD-10-CM", "J11.00")]
    d = medcode.lookup("J1100", on=DAY, store=store, system="ICD-10-CM").to_dict()
    assert d["code"] == "J11.00"
