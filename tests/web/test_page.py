"""The web page end to end in headless Chromium, keyboard first, at 1366x768."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
from playwright.sync_api import expect


def _features(page) -> dict:
    return page.request.get("/v1/about").json()["features"]


def test_page_loads_offline_and_fits_a_laptop_screen(page, shot):
    page.goto("/")
    expect(page).to_have_title("medcode: look up codes")
    expect(page.locator("#about")).to_contain_text("ICD-10-CM FY2027 (to 2027-09-30")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 1366, f"horizontal scroll: page is {width}px wide"
    shot(page, "01-home")
    assert page.outside_requests == []  # no CDN, no fonts from elsewhere
    assert page.console_errors == []


def test_keyboard_reaches_the_search_box_with_visible_focus(page):
    page.goto("/")
    expect(page.locator("#about")).to_contain_text("FY2027")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the search box is not reachable with Tab")
    # the skip link, brand and section links come first; focus is drawn
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_search_then_arrow_keys_and_enter_open_a_code(page, shot):
    page.goto("/")
    expect(page.locator("#about")).to_contain_text("FY2027")
    page.locator("#q").focus()
    page.keyboard.type("E11.9")
    option = page.locator("#results [role=option]").first
    expect(option).to_contain_text("E11.9")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    assert page.locator("#q").get_attribute("aria-activedescendant") == "opt-0"
    page.keyboard.press("Enter")
    heading = page.locator("#code h2")
    expect(heading).to_contain_text("Type 2 diabetes mellitus without complications")
    expect(heading).to_be_focused()
    expect(page.locator("#code .crumbs")).to_contain_text("E08-E13")
    expect(page.locator("#code .badge.ok")).to_contain_text("Billable in FY2027")  # today: pinned
    expect(page).to_have_url(re.compile(r"#/code/ICD-10-CM/E11\.9\?q=E11\.9$"))  # search kept
    shot(page, "02-code-E11.9")


def test_text_search_when_available(page, shot):
    if not _features(page)["search"]:
        pytest.skip("medcode.search is not in the library yet: the page falls back to "
                    "exact lookup (tested above)")
    page.goto("/")
    page.locator("#q").fill("diabetes kidney")
    expect(page.locator("#results [role=option]").first).to_be_visible()
    assert page.locator("#results [role=option]").count() > 1
    shot(page, "03-search")


def test_unknown_code_shows_the_reason_and_suggestions(page):
    page.goto("/")
    page.locator("#q").fill("W21.89A")
    expect(page.locator("#search-status")).to_contain_text("placeholder")
    expect(page.locator("#results [role=option]").first).to_contain_text("W21.89XA")


def test_code_page_notes_seventh_characters_and_breadcrumb(page, shot):
    page.goto("/#/code/ICD-10-CM/S72.001A")
    expect(page.locator("#code h2")).to_contain_text("initial encounter for closed fracture")
    expect(page.locator("#code")).to_contain_text("7th character A")
    expect(page.locator("#code tr.current")).to_contain_text("initial encounter for closed")
    expect(page.locator("#code .note .from").first).to_contain_text("Inherited from")
    expect(page.locator("#code .note", has_text="Excludes1")).to_contain_text("S72")
    expect(page.locator("#code .releases")).to_contain_text("FY2026")
    shot(page, "04-code-S72.001A")
    # keyboard: Tab from the heading reaches the breadcrumb? it is above; use Shift+Tab
    crumb = page.locator("#code .crumbs a", has_text="S72.001")
    crumb.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#code h2")).to_contain_text("Fracture of unspecified part of neck of "
                                                      "right femur")
    expect(page.locator("#code h3", has_text="7th characters")).to_be_visible()


def test_header_code_lists_children(page):
    page.goto("/#/code/ICD-10-CM/E11.2")
    expect(page.locator("#code .badge.warn")).to_contain_text("Not billable")
    expect(page.locator("#code ul.children li")).to_have_count(3)


def test_identify_box(page, shot):
    page.goto("/#/identify")
    expect(page.locator("#view-lookup")).to_be_hidden()
    box = page.locator("#identify-input")
    box.fill("99213 E11.9")
    box.press("Enter")
    out = page.locator("#identify-out")
    if _features(page)["identify"]:
        expect(out.locator("section.identify")).to_have_count(2)
        expect(out).to_contain_text("CPT")
    else:
        expect(out).to_contain_text("Identify is not available")
        expect(out).to_contain_text("procedure code (CPT Category I)")
    shot(page, "05-identify")


def test_claim_form(page, shot):
    page.goto("/#/claims")
    expect(page.locator("#view-lookup")).to_be_hidden()
    expect(page.locator("#view-identify")).to_be_hidden()
    expect(page.locator("#lines tr")).to_have_count(1)
    page.locator("#add-line").click()
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator("#lines tr").nth(1).locator("input").first).to_be_focused()
    page.keyboard.type("J3490")
    page.locator("#dx").fill("E11.9, I10")
    page.locator("[name=birth_date]").fill("1960-04-02")
    page.locator("#dx").press("Enter")  # Enter submits the form
    out = page.locator("#claim-out")
    if _features(page)["claims"]:
        expect(out.locator("section.claim-result h2")).to_contain_text("Claim C1")
    else:
        expect(out).to_contain_text("claim checking is not available")
        expect(page.locator("#claims-note")).to_contain_text("not available")
    shot(page, "06-claims")


def test_enter_on_a_procedure_code_finds_its_system(page):
    if "ICD-10-PCS" not in page.request.get("/v1/about").json()["systems"]:
        pytest.skip("ICD-10-PCS is not in this store")
    page.goto("/")
    expect(page.locator("#about")).to_contain_text("ICD-10-PCS")
    page.locator("#q").fill("0DTJ4ZZ")
    page.locator("#q").press("Enter")
    expect(page.locator("#code h2")).to_contain_text("Resection of Appendix")
    expect(page.locator("#code .crumbs")).to_contain_text("0DT")
    expect(page.locator("#code .badges")).to_contain_text("ICD-10-PCS")
    expect(page.locator("#code table.axes tbody tr")).to_have_count(7)
    expect(page.locator("#code table.axes")).to_contain_text("Percutaneous Endoscopic")


def test_api_reference_page_works_offline(page, shot):
    page.goto("/")
    page.get_by_role("link", name="API reference").click()
    expect(page.locator("#ops")).to_contain_text("GET /v1/codes/{code}")
    expect(page.locator("#ops")).to_contain_text("/fhir/CodeSystem/$lookup")
    assert page.outside_requests == [] and page.console_errors == []
    shot(page, "07-api-reference")
