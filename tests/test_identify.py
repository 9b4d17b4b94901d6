"""identify, lookup of every system, `medcode systems`, and the CPT import (synthetic text)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import medcode
from medcode.cli import cli
from medcode.errors import UnknownCode


def _systems(ident):
    return [(c.system, c.valid) for c in ident.candidates]


def test_embedded_counts(store):
    count = lambda s, k=None: store.conn.execute(  # noqa: E731
        "SELECT count(*) FROM codes WHERE system = ? AND billable_mask & 1"
        + (" AND kind = ?" if k else ""), (s, k) if k else (s,)).fetchone()[0]
    assert count("ICD-10-PCS") == 78_603
    assert count("ICD-9-CM", "diagnosis") == 14_567
    assert count("ICD-9-CM", "procedure") == 3_882


def test_cpt_and_not_icd9(store):
    r = medcode.identify("99213", store=store)
    assert _systems(r) == [("CPT", False)]
    assert r.candidates[0].kind == "Category I" and not r.candidates[0].loaded
    assert "Evaluation and Management" in r.candidates[0].reason


def test_pla_and_category_iii(store):
    assert medcode.identify("0001U", store=store).best.kind == "PLA"
    assert medcode.identify("0001T", store=store).best.kind == "Category III"


def test_v_code_is_ambiguous_between_icd9_and_icd10cm(store):
    r = medcode.identify("V20.2", store=store)
    found = {c.system for c in r.candidates if c.valid}
    # WHO ICD-10 has V20.2 too (found in its data), but it never counts on a US claim
    assert found == {"ICD-10-CM", "ICD-9-CM", "ICD-10"} and r.ambiguous
    assert {c.system for c in r.plausible} == {"ICD-10-CM", "ICD-9-CM"}
    assert r.as_dict()["ambiguous"] is True


def test_icd9_diagnosis_with_dot(store):
    r = medcode.identify("250.00", store=store)
    assert _systems(r) == [("ICD-9-CM", True)]
    assert "Diabetes mellitus" in r.best.title


def test_dotless_icd9_loses_to_cpt_but_is_reported(store):
    r = medcode.identify("25000", store=store)
    assert [c.system for c in r.candidates] == ["CPT", "ICD-9-CM"]
    assert r.candidates[1].valid and r.candidates[1].code == "250.00"


def test_pcs_code(store):
    r = medcode.identify("0DTJ4ZZ", store=store)
    assert r.best.system == "ICD-10-PCS" and r.best.valid


def test_hcpcs_found_when_imported(hcpcs_store):
    r = medcode.identify("J1100", store=hcpcs_store)
    assert [(c.system, c.valid) for c in r.candidates] == [("HCPCS", True), ("ICD-10-CM", True)]
    assert "dexamethasone" in r.best.title.lower()


def test_malformed_input_is_reported_not_raised(store):
    r = medcode.identify("Е11.9", store=store)
    assert r.error and "U+0415" in r.error and not r.candidates


def test_lookup_pcs_explains_every_axis(store):
    d = medcode.lookup("0DTJ4ZZ", store=store).to_dict()
    assert d["system"] == "ICD-10-PCS" and d["billable"]
    got = [(a["axis_name"], a["meaning"]) for a in d["axes"]]
    assert got == [("Section", "Medical and Surgical"), ("Body System", "Gastrointestinal System"),
                   ("Root Operation", "Resection"), ("Body Part", "Appendix"),
                   ("Approach", "Percutaneous Endoscopic"), ("Device", "No Device"),
                   ("Qualifier", "No Qualifier")]
    assert [a["code"] for a in d["ancestors"]] == ["0", "0D", "0DT"]


def test_lookup_cpt_without_licence(store):
    d = medcode.lookup("99213", store=store).to_dict()
    assert d["system"] == "CPT" and d["category"] == "Category I"
    assert d["section"] == "Evaluation and Management"
    assert "descriptor not loaded: CPT text is licensed by the AMA" in d["message"]
    assert "medcode data import cpt FILE" in d["message"]
    assert d["billable"] is None                      # not known without descriptors


def test_lookup_cpt_by_date(store):
    old = medcode.lookup("99201", on="2005-03-01", store=store).to_dict()
    assert old["billable"] is None and old["status"] == "not_loaded"
    gone = medcode.lookup("99201", on="2024-03-01", store=store).to_dict()
    assert gone["billable"] is False and gone["status"] == "not_in_release"
    assert "until 2020-12-31" in gone["message"]


def test_lookup_modifiers(store, hcpcs_store):
    assert medcode.lookup("25", store=store).to_dict()["kind"] == "modifier"
    lt = medcode.lookup("LT", store=hcpcs_store).to_dict()
    assert lt["system"] == "HCPCS" and "left side" in lt["title"].lower()


def test_lookup_hcpcs_by_date(hcpcs_store):
    d = medcode.lookup("J1100", on="2020-06-01", store=hcpcs_store).to_dict()
    assert d["system"] == "HCPCS" and d["billable"] is True
    assert any(a["system"] == "ICD-10-CM" for a in d["also"])


def test_lookup_icd9_after_2015_is_not_billable(store):
    d = medcode.lookup("250.00", on="2016-01-01", store=store).to_dict()
    assert d["system"] == "ICD-9-CM" and d["billable"] is False
    assert "2015-10-01" in d["message"]


def test_lookup_system_filter(store):
    d = medcode.lookup("V20.2", system="icd-9-cm", store=store).to_dict()
    assert d["system"] == "ICD-9-CM"
    with pytest.raises(UnknownCode):
        medcode.lookup("0DTJ4ZZ", system="ICD-9-CM", store=store)


def test_cpt_import_with_synthetic_descriptors(store_path, tmp_path):
    own = tmp_path / "medcode.sqlite"
    shutil.copyfile(store_path, own)
    licensed = tmp_path / "cpt.txt"
    licensed.write_text("99213\tSynthetic descriptor for 99213\n"
                        "0001U\tSynthetic descriptor for 0001U\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--store", str(own), "data", "import", "cpt", str(licensed)])
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own)
    d = medcode.lookup("99213", store=s).to_dict()
    assert d["title"] == "Synthetic descriptor for 99213" and d["billable"]
    assert medcode.identify("0001U", store=s).best.valid
    s.close()
    bad = tmp_path / "junk.txt"
    bad.write_text("hello\tworld\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--store", str(own), "data", "import", "cpt", str(bad)])
    assert r.exit_code == 3 and "line 1" in r.output


def test_identify_cli_json_and_stdin(store_path):
    r = CliRunner().invoke(cli, ["--store", str(store_path), "identify", "-", "--json"],
                           input="99213\n250.00\nV20.2\n")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [d["input"] for d in data] == ["99213", "250.00", "V20.2"]
    for d in data:
        for c in d["candidates"]:
            assert {"system", "kind", "valid", "reason"} <= set(c)


def test_systems_cards():
    r = CliRunner().invoke(cli, ["systems"])
    assert r.exit_code == 0
    for name in ("ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "CPT", "HCPCS", "ICD-11"):
        assert name in r.output
    assert "American Medical Association" in r.output
