"""The crosswalks on the web page: a code's mappings on its page and the convert box."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
from playwright.sync_api import expect


def test_code_page_shows_mappings_both_ways(page, shot):
    page.goto("/#/code/ICD-10-CM/E11.9")
    maps = page.locator("#code section.mappings")
    # the first map request of a server reads the map tables (seconds on a loaded machine)
    expect(maps.locator("h4", has_text="E11.9 → ICD-9-CM")).to_be_visible(timeout=60_000)
    expect(maps.locator("section.mapping", has_text="→ ICD-9-CM")).to_contain_text("250.00")
    expect(maps.locator("section.mapping", has_text="→ ICD-11")).to_contain_text("5A11")
    shot(page, "12-code-mappings")


def test_convert_box_shows_combination_scenarios(page, shot):
    page.goto("/#/convert")
    expect(page.locator("#view-lookup")).to_be_hidden()
    page.locator("#convert-input").fill("806.00 250.00")
    page.locator("#convert-to").select_option("ICD-10-CM")
    page.locator("#convert-input").press("Enter")
    out = page.locator("#convert-out")
    expect(out.locator("section.mapping")).to_have_count(2, timeout=60_000)
    expect(out).to_contain_text("scenario 1: S14.101A + one of (S12.000A, S12.001A)")
    expect(out).to_contain_text("E11.9")
    expect(out).to_contain_text("approximate")
    assert not page.outside_requests  # type: ignore[attr-defined]
    shot(page, "12-convert")
