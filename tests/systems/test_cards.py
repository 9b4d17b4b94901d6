"""The `medcode systems` cards: every system, every field, rendered as plain text."""

from __future__ import annotations

from dataclasses import fields

import pytest

from medcode.models import CodeSystem
from medcode.systems.cards import SYSTEM_CARDS, SystemCard, card, render_cards


def test_one_card_per_contract_system() -> None:
    assert [c.system for c in SYSTEM_CARDS] == [s.value for s in CodeSystem]


@pytest.mark.parametrize("c", SYSTEM_CARDS, ids=lambda c: c.system)
def test_every_field_filled(c: SystemCard) -> None:
    for f in fields(c):
        value = getattr(c, f.name)
        assert isinstance(value, str) and len(value.strip()) >= 3, (c.system, f.name)


@pytest.mark.parametrize("system,field,fact", [
    ("ICD-10-CM", "updates", "October 1"),
    ("ICD-10-CM", "updates", "April 1"),
    ("ICD-10-CM", "on_claims", "box 21"),
    ("ICD-10-CM", "on_claims", "ABK"),
    ("ICD-10-PCS", "on_claims", "BBR"),
    ("ICD-10-PCS", "structure", "7 characters"),
    ("ICD-9-CM", "updates", "2015-10-01"),
    ("CPT", "maintained_by", "American Medical Association"),
    ("CPT", "updates", "January 1"),
    ("CPT", "updates", "PLA codes quarterly"),
    ("CPT", "on_claims", "24D"),
    ("CPT", "on_claims", "SV1"),
    ("HCPCS", "updates", "quarterly"),
    ("HCPCS", "maintained_by", "CMS"),
    ("ICD-11", "updates", "2022-01-01"),
    ("ICD-11", "on_claims", "not adopted in the US"),
])
def test_key_facts(system: str, field: str, fact: str) -> None:
    assert fact in getattr(card(system), field)


def test_render_all_and_some() -> None:
    text = render_cards()
    flat = " ".join(text.split())
    for c in SYSTEM_CARDS:
        assert f"{c.system}: {c.full_name}" in flat
    assert text.count("  Maintained by: ") == len(SYSTEM_CARDS)
    assert all(len(line) <= 88 for line in text.splitlines())
    one = render_cards(["cpt"], width=60)
    assert one.startswith("CPT: ") and "ICD-10-CM" not in one.split("\n")[0]
    assert all(len(line) <= 60 for line in one.splitlines())


def test_unknown_system() -> None:
    with pytest.raises(KeyError, match="no card"):
        card("SNOMED")
