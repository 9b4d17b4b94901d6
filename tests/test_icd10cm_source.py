"""The ICD-10-CM parsers against the official files' own counts (DATA.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.store import sources as S
from medcode.systems import icd10cm, icd10cm_files


@pytest.fixture(scope="module")
def nodes():
    return icd10cm_files.parse_tabular(S.ICD10CM_TABULAR.locate())


@pytest.fixture(scope="module")
def items():
    return icd10cm_files.read_code_list(S.ICD10CM_LISTS["FY2026"].locate())


def test_tabular_counts_match_the_file(nodes):
    kinds = Counter(n.kind for n in nodes)
    assert kinds["chapter"] == 22
    assert kinds["block"] == 297
    assert kinds["category"] + kinds["subcategory"] == 46_881
    assert sum(1 for n in nodes if n.seven_chr_def) == 508


def test_code_list_items_and_billable_count(items):
    assert len(items) == 98_505
    assert len(icd10cm_files.billable_codes(items)) == 74_719


@pytest.mark.parametrize("release,count", [("FY2025", 74_260), ("FY2024", 74_044)])
def test_older_lists_billable_counts(release, count):
    codes = icd10cm_files.read_code_list(S.ICD10CM_LISTS[release].locate())
    assert len(icd10cm_files.billable_codes(codes)) == count


def test_naive_seventh_expansion_is_76_too_many(nodes, items):
    """The trap: sevenChrDef inherited blindly gives 74,795; the code list says 74,719."""
    listed = set(items)
    everything = set(listed) | {n.code for n in nodes}
    naive = 0
    by = {n.code: n for n in nodes}
    has_child = {n.parent for n in nodes}
    for n in nodes:
        if n.kind in ("category", "subcategory") and n.code not in has_child:
            defs = icd10cm_files._inherited_seven(n, by)
            naive += len(defs) if defs else 1
    assert naive == 74_795
    exts = {c for c, *_ in icd10cm_files.iter_extensions(nodes, listed)}
    assert "S06.1X7D".replace(".", "") not in exts and "S061X7A" in exts
    assert everything  # the lists were read


def test_block_and_category_of_the_same_name_do_not_collide(nodes):
    keys = Counter(n.code for n in nodes)
    assert keys["B99"] == 1 and keys["B99-B99"] == 1
    assert max(keys.values()) == 1


def test_qa0_letter_in_second_position_is_accepted():
    assert icd10cm.looks_like_icd10cm("QA00")
    assert not icd10cm.looks_like_icd10cm("9A00")


def test_broken_tabular_is_refused_with_the_file_name(tmp_path: Path):
    bad = tmp_path / "tabular.xml"
    bad.write_text("<ICD10CM.tabular><chapter><name>1</name>", encoding="utf-8")
    with pytest.raises(SourceError, match="tabular.xml"):
        icd10cm_files.parse_tabular(bad)


def test_code_list_with_junk_names_the_line(tmp_path: Path):
    bad = tmp_path / "codes.txt"
    bad.write_text("A000 Cholera\nnot-a-code here\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 2"):
        icd10cm_files.read_code_list(bad)
