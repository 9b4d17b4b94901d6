"""Search knows codes (issue 10): a query that is one code answers first with what identify
reads it as, never "no match"."""

from __future__ import annotations

from click.testing import CliRunner

import medcode
from medcode.cli import cli


def test_a_code_is_answered_by_its_readings_first(store):
    hits = medcode.search("99213", store=store)
    assert (hits[0].system, hits[0].code, hits[0].billable) == ("CPT", "99213", None)
    assert "Evaluation and Management" in hits[0].title
    assert [(h.system, h.code) for h in medcode.search("J1100", store=store)[:2]] == [
        ("HCPCS", "J1100"), ("ICD-10-CM", "J11.00")]
    first = medcode.search("250.00", store=store)[0]
    assert (first.system, first.code, first.title[:17]) == ("ICD-9-CM", "250.00",
                                                             "Diabetes mellitus")
    first = medcode.search("0DTJ4ZZ", store=store)[0]
    assert (first.system, first.code, first.billable) == ("ICD-10-PCS", "0DTJ4ZZ", True)
    assert medcode.search("99213", system="ICD-10-CM", store=store) == []
    assert medcode.search("diabetes neuropathy", store=store)[0].system == "ICD-10-CM"


def test_search_cli_answers_a_cpt_code(store_path):
    r = CliRunner().invoke(cli, ["--store", str(store_path), "search", "99213"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("99213") and "? = not known" in r.output
