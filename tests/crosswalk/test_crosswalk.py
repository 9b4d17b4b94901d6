"""Crosswalks on the real official files: CMS GEMs 2018, WHO ICD-10 2019, WHO ICD-11 MMS
2024-01 and WHO's ICD-10 <-> ICD-11 maps (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner

import medcode
from medcode.cli.app import cli

ON = dt.date(2026, 1, 15)


def _count(store, sql, *args):
    return store.conn.execute(sql, args).fetchone()[0]


# -- every row of every file ---------------------------------------------------------------------
def test_every_gem_row_is_loaded(store):
    counts = dict(store.conn.execute("SELECT map, count(*) FROM gem GROUP BY map"))
    assert counts["gem-dx-9-10"] == 23_912
    assert counts["gem-dx-10-9"] == 78_838
    assert counts["gem-pr-9-10"] == 73_593
    assert counts["gem-pr-10-9"] > 70_000          # derived from the forward file
    assert _count(store, "SELECT count(*) FROM gem WHERE map = 'gem-pr-10-9' AND derived = 0") == 0


def test_gem_flags_are_the_files_flags(store):
    from medcode.store.load_crosswalk import GEM_DX_FORWARD
    with open(GEM_DX_FORWARD.locate(), newline="") as fh:
        rows = list(csv.DictReader(fh))
    for name in ("approximate", "no_map", "combination"):
        assert sum(int(r[name]) for r in rows) == _count(
            store, f"SELECT sum({name}) FROM gem WHERE map = 'gem-dx-9-10'")


def test_icd11_counts_2024_01(store):
    kinds = dict(store.conn.execute(
        "SELECT kind, count(*) FROM codes WHERE system = 'ICD-11' GROUP BY kind"))
    assert kinds == {"chapter": 28, "block": 1_353, "category": 34_663}
    assert _count(store, "SELECT count(*) FROM codes WHERE system = 'ICD-11' AND "
                  "billable_mask != 0") == 30_298
    rel = store.releases("ICD-11")[-1]
    assert rel.name == "2024-01" and rel.billable == 30_298


def test_who_icd10_counts_from_its_file(store):
    import xml.etree.ElementTree as ET

    from medcode.store.load_crosswalk import WHO_ICD10
    items = list(ET.parse(WHO_ICD10.locate()).getroot().iter("item"))
    assert len(items) == 12_542
    assert _count(store, "SELECT count(*) FROM codes WHERE system = 'ICD-10'") == 12_542
    chapters = _count(store, "SELECT count(*) FROM codes WHERE system = 'ICD-10' AND "
                      "kind = 'chapter'")
    assert chapters == 22


def test_who_maps_kept_apart(store):
    counts = dict(store.conn.execute("SELECT map, count(*) FROM who_map GROUP BY map"))
    # WHO's files: 12,598 / 15,659 / 17,909 lines, each with one header line
    assert counts == {"who-10-11-one": 12_597, "who-10-11-multi": 15_658,
                      "who-11-10-one": 17_908}


# -- maps ----------------------------------------------------------------------------------------
def _one(store, code, to, frm=None, on=ON):
    return medcode.map(code, to, from_=frm, on=on, store=store)[0]


def test_250_00_to_e11_9_approximate(store):
    a = _one(store, "250.00", "ICD-10-CM")
    assert a["from"] == "ICD-9-CM"
    assert [(t["code"], t["approximate"], t["valid"]) for t in a["targets"]] == [
        ("E11.9", True, True)]


def test_47_01_to_pcs_and_back(store):
    a = _one(store, "47.01", "ICD-10-PCS", on=dt.date(2024, 1, 2))
    assert [t["code"] for t in a["targets"]] == ["0DTJ4ZZ"]
    back = _one(store, "0DTJ4ZZ", "ICD-9-CM")
    assert "47.01" in [t["code"] for t in back["targets"]]
    assert all(t.get("derived") for t in back["targets"])


def test_e11_9_backward(store):
    a = _one(store, "E11.9", "ICD-9-CM")
    assert a["from"] == "ICD-10-CM"
    assert [t["code"] for t in a["targets"]] == ["250.00"]


def test_combination_is_scenarios_of_choice_lists(store):
    """806.00 (C1-C4 fracture with cord injury): 4 scenarios, each one spinal-cord code AND
    one of two fracture codes; never flattened into alternatives."""
    a = _one(store, "806.00", "ICD-10-CM")
    combos = {c["scenario"]: c["choice_lists"] for c in a["combinations"]}
    assert combos[1] == [["S14.101A"], ["S12.000A", "S12.001A"]]
    assert combos[4] == [["S14.104A"], ["S12.300A", "S12.301A"]]
    assert len(combos) == 4
    assert all(t["combination"] for t in a["targets"])


def test_no_map_is_kept(store):
    src = store.conn.execute("SELECT source FROM gem WHERE map = 'gem-dx-9-10' AND no_map = 1 "
                             "LIMIT 1").fetchone()[0]
    from medcode.systems.icd9cm import display
    a = _one(store, display(src, "diagnosis"), "ICD-10-CM")
    assert a["targets"] and all(t["no_map"] for t in a["targets"])
    assert "no map" in a["message"]


def test_targets_deleted_since_2018_name_their_descendants(store):
    """A 2018 GEM target that is not a valid code in FY2026 says so and lists the codes
    now under it."""
    rel = store.resolve("ICD-10-CM", on=ON)
    rows = store.conn.execute(
        "SELECT g.source, g.target FROM gem g JOIN codes c ON c.system = 'ICD-10-CM' AND "
        "c.code = g.target WHERE g.map = 'gem-dx-9-10' AND g.no_map = 0 AND "
        "c.billable_mask & ? = 0 AND c.node_mask & ? LIMIT 1", (rel.bit, rel.bit)).fetchall()
    assert rows, "the FY2026 release split some 2018 GEM targets"
    src, tgt = rows[0]
    from medcode.systems.icd9cm import display
    a = _one(store, display(src, "diagnosis"), "ICD-10-CM")
    hit = [t for t in a["targets"] if t["code"].replace(".", "") == tgt][0]
    assert hit["valid"] is False and hit["current"]
    assert all(c["code"].replace(".", "").startswith(tgt) for c in hit["current"])


def test_who_icd10_to_icd11(store):
    e11 = _one(store, "E11", "ICD-11", frm="ICD-10")
    assert {(t["code"], t["kind"]) for t in e11["targets"]} == {
        ("5A11", "one-to-one"), ("5A11", "one-to-many")}
    i10 = _one(store, "I10", "ICD-11")
    assert "BA00.Z" in [t["code"] for t in i10["targets"]]
    back = _one(store, "5A11", "ICD-10")
    assert [t["code"] for t in back["targets"]] == ["E11"]


def test_icd10cm_and_who_told_apart(store):
    only_cm = _one(store, "E11.65", "ICD-10")
    assert only_cm["from"] == "ICD-10-CM"
    assert [(t["code"], t["approximate"]) for t in only_cm["targets"]] == [("E11.6", True)]
    only_who = _one(store, "B20.0", "ICD-10-CM")
    assert only_who["from"] == "ICD-10"
    assert only_who["targets"][0]["code"] == "B20"
    both = medcode.identify("A00.0", store=store)
    assert {c.system for c in both.candidates if c.valid} == {"ICD-10-CM", "ICD-10"}
    u071 = {c.system: c.title for c in medcode.identify("U07.1", store=store).candidates}
    assert "COVID-19" in u071["ICD-10-CM"] and "COVID-19" in u071["ICD-10"]
    assert not [c for c in medcode.identify("E11.65", store=store).candidates
                if c.system == "ICD-10" and c.valid]


def test_icd9_to_icd11_goes_through_the_maps(store):
    a = _one(store, "250.00", "ICD-11")
    t = [t for t in a["targets"] if t["code"] == "5A11"]
    assert t and t[0]["approximate"] and t[0]["via"]


def test_gem_targets_in_validate(store):
    from medcode.codes.readings import gem_targets
    assert gem_targets(store, "250.00", ON) == ("E11.9",)
    v = medcode.validate("250.00", on=ON, store=store)
    assert not v.valid and "E11.9" in v.message


# -- ICD-11 --------------------------------------------------------------------------------------
def test_icd11_lookup_leaf_residual_hierarchy(store):
    info = medcode.lookup("BA00.Z", store=store).to_dict()
    assert info["system"] == "ICD-11" and info["billable"] is True
    assert info["residual"] is True and info["residual_kind"] == "unspecified"
    assert [a["code"] for a in info["ancestors"]] == ["11", "BlockL1-BA0", "BA00"]
    head = medcode.lookup("BA00", store=store, system="ICD-11").to_dict()
    assert head["billable"] is False and "BA00.Z" in [c["code"] for c in head["children"]]


def test_icd11_cluster_each_part_explained(store):
    info = medcode.lookup("2C82.0&XK8G", store=store).to_dict()
    parts = info["postcoordination"]
    assert [(p["code"], p["separator"], p["found"]) for p in parts] == [
        ("2C82.0", None, True), ("XK8G", "&", True)]
    assert parts[1]["title"] == "Left" and "extension" in parts[1]["role"]
    bad = medcode.lookup("2C82.0&XQQQ", store=store).to_dict()
    assert bad["billable"] is False and "XQQQ" in bad["message"]


def test_icd11_identified_in_data_not_by_shape(store):
    found = medcode.identify("5A11", store=store).candidates[0]
    assert found.system == "ICD-11" and found.valid and found.title == "Type 2 diabetes mellitus"
    shape_only = medcode.identify("5A1Z", store=store).candidates
    assert not any(c.valid for c in shape_only if c.system == "ICD-11")


# -- CLI -----------------------------------------------------------------------------------------
def test_cli_map_json(store_path):
    r = CliRunner().invoke(cli, ["--store", str(store_path), "map", "250.00", "E11.9",
                                 "--to", "icd-10-cm", "--on", "2026-01-15", "--json"])
    out = json.loads(r.output)
    assert out[0]["targets"][0]["code"] == "E11.9"
    assert out[1]["message"] == "E11.9 is already a ICD-10-CM code"
    assert set(out[0]) >= {"input", "from", "to", "targets"}
    assert r.exit_code == 1   # one input had nothing to map


def test_cli_map_text_and_errors(store_path):
    r = CliRunner().invoke(cli, ["--store", str(store_path), "map", "806.00", "--to",
                                 "ICD-10-CM"])
    assert r.exit_code == 0
    assert "scenario 1: S14.101A + one of (S12.000A, S12.001A)" in r.output
    r = CliRunner().invoke(cli, ["--store", str(store_path), "map", "250.00", "--to",
                                 "ICD-10-CM", "--on", "2010-01-01"])
    assert r.exit_code == 3 and "ICD-9-CM until 2015-09-30" in r.output
    r = CliRunner().invoke(cli, ["--store", str(store_path), "map", "250.00", "--to", "CPT"])
    assert r.exit_code == 2 and "cannot map to 'CPT'" in r.output


@pytest.mark.parametrize("bad", ["not-a-file.txt"])
def test_import_icd11_refuses_a_wrong_file(store_path, tmp_path, bad):
    import shutil

    from medcode.errors import SourceError
    from medcode.store.imports import import_files
    target = tmp_path / "medcode.sqlite"
    shutil.copyfile(store_path, target)
    wrong = tmp_path / "SimpleTabulation-wrong.txt"
    wrong.write_text("code\ttitle\nA\tB\n", encoding="utf-8")
    before = target.read_bytes()
    with pytest.raises(SourceError, match="not a WHO ICD-11 SimpleTabulation"):
        import_files(target, "icd11", [wrong])
    assert target.read_bytes() == before
