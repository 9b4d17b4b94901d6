"""What a biller and a coder do on the page, at 1366x768 and 390x844, against a real server
and the real store; every validity statement on the page is checked against the API's."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
from playwright.sync_api import expect

ON = "2026-01-15"  # dates are always given: nothing depends on today


def _ready(pg, url: str) -> None:
    pg.goto(url)
    expect(pg.locator("#about")).to_contain_text("ICD-10-CM FY2027")


def _no_sideways_scroll(pg) -> None:
    width = pg.evaluate("document.scrollingElement.scrollWidth")
    view = pg.viewport_size["width"]
    assert width <= view, f"the page scrolls sideways: {width}px in a {view}px screen"


def _release_lines(pg) -> dict[str, str]:
    items = pg.locator("#code ul.releases li")
    expect(pg.locator("#code ul.releases")).not_to_have_attribute("aria-busy", "true")
    return {t.split(" ", 1)[0]: t for t in items.all_inner_texts()}


# -- 1. no contradictions: the page says per release what the API says ----------------------
@pytest.mark.parametrize("code", ["E11.9", "G35.A", "E11.2", "0DTJ4ZZ", "250.00"])
def test_release_statements_agree_with_the_api(screen, shot, code):
    info = screen.request.get(f"/v1/codes/{code}").json()
    if "system" not in info or info.get("error"):
        pytest.skip(f"{code} is not in this store")
    system = info["system"]
    _ready(screen, f"/#/code/{system}/{code}")
    expect(screen.locator("#code h2")).to_contain_text(code)
    lines = _release_lines(screen)
    releases = [r["release"] for r in screen.request.get(f"/v1/releases?system={system}").json()]
    assert sorted(lines) == sorted(releases)
    for rel in releases:
        v = screen.request.get(f"/v1/validate?code={code}&system={system}&release={rel}").json()[0]
        text = lines[rel]
        if v["valid"]:
            assert re.search(r": valid\b", text) and "not" not in text, (rel, text)
        else:
            assert "valid (shown above)" not in text and not text.endswith(": valid"), (rel, text)
    badge = screen.locator("#code .badges .badge").first
    if info["billable"]:
        expect(badge).to_have_class(re.compile(r"\bok\b"))
    else:
        expect(badge).to_contain_text("Not billable")
    if code == "G35.A":  # new in FY2026: never "not billable" in years it did not exist
        assert "added in FY2026" in lines["FY2024"] and "added in FY2026" in lines["FY2025"]
        assert "billable" not in lines["FY2024"]
    if system == "ICD-10-PCS":
        assert "not billable" not in " ".join(lines.values())
    shot(screen, f"flow-release-{code}-{screen.size}")


def test_hcpcs_page_shows_what_the_file_says_and_its_age(hcpcs_screen, shot):
    pg = hcpcs_screen
    # the 2020 file does not answer for 2026: the API says so and names the command ...
    outside = pg.request.get(f"/v1/codes/J1100?system=HCPCS&on={ON}")
    assert outside.status >= 400
    said = outside.json()["message"]
    assert said.startswith(f"no HCPCS release loaded for {ON}") and "medcode data" in said
    # ... and the page shows the code as of the newest file, with that warning
    api = pg.request.get("/v1/codes/J1100?system=HCPCS").json()
    pg.goto(f"/#/code/HCPCS/J1100?on={ON}")
    code = pg.locator("#code")
    expect(code.locator("h2")).to_contain_text("dexamethasone")
    expect(code).to_contain_text(f"no HCPCS release loaded for {ON}")
    expect(code).not_to_contain_text("active today")
    details = code.locator("dl.details")
    expect(details).to_contain_text(f"BETOS{api['betos']}")
    expect(details).to_contain_text(f"Coverage{api['coverage']} ({api['coverage_meaning']})")
    expect(details).to_contain_text("Pricing indicator51")
    expect(details).to_contain_text("Medicare Carriers Manual2049")
    expect(details).to_contain_text(f"Added{api['add_date']}")
    assert pg.title().startswith("J1100 Injection, dexamethasone")
    shot(pg, f"flow-hcpcs-J1100-{pg.size}")
    # a date inside the file's year: no caveat
    pg.goto("/#/code/HCPCS/J1100?on=2020-06-01")
    expect(code.locator("h2")).to_contain_text("dexamethasone")
    expect(code.locator(".badges")).to_contain_text("on 2020-06-01")
    expect(code).not_to_contain_text("no HCPCS release loaded")


# -- 2. phone: a tapped result is in view; nothing scrolls sideways ------------------------
def test_tapping_a_result_shows_the_code_in_view(screen, shot):
    _ready(screen, "/")
    screen.locator("#q").fill("E11.9")
    option = screen.locator("#results [role=option]", has_text="E11.9").first
    if screen.size == "phone":
        option.tap()
    else:
        option.click()
    heading = screen.locator("#code h2")
    expect(heading).to_contain_text("Type 2 diabetes mellitus without complications")
    box = heading.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= screen.viewport_size["height"], box
    top = screen.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('#code') !== null",
                          [box["x"] + 5, box["y"] + box["height"] / 2])
    assert top, "the code heading is covered by something else"
    _no_sideways_scroll(screen)
    shot(screen, f"flow-tap-result-{screen.size}")


def test_claims_and_identify_fit_the_screen(screen, shot):
    _ready(screen, "/#/claims")
    _no_sideways_scroll(screen)
    screen.locator("#claim-text").fill(open(_data("patient_loop.837"), encoding="utf-8").read())
    screen.get_by_role("button", name="Check file").click()
    results = screen.locator("#claim-out section.claim-result")
    expect(results).to_have_count(3)
    _no_sideways_scroll(screen)
    for card in results.all():
        cbox = card.bounding_box()
        table = card.locator("table")
        if table.count():
            tbox = table.bounding_box()
            assert tbox["x"] + tbox["width"] <= cbox["x"] + cbox["width"] + 1, "findings spill out"
    shot(screen, f"flow-claims-file-{screen.size}")
    screen.goto("/#/identify")
    screen.locator("#identify-input").fill("99213 E11.9 0DTJ4ZZ J1100")
    screen.locator("#identify-input").press("Enter")
    expect(screen.locator("#identify-out section.identify")).to_have_count(4)
    _no_sideways_scroll(screen)
    shot(screen, f"flow-identify-{screen.size}")


def _data(name: str) -> str:
    from pathlib import Path
    return str(Path(__file__).resolve().parents[1] / "data" / "claims" / name)


# -- 3. the search box --------------------------------------------------------------------
def test_search_box_keys_and_messages(screen, shot):
    _ready(screen, "/")
    q = screen.locator("#q")
    status = screen.locator("#search-status")
    q.fill("99213")  # a code typed in search: identify's reading comes first (CPT)
    expect(status).not_to_contain_text("No match")
    first = screen.locator("#results [role=option]").first
    expect(first).to_contain_text("99213")
    expect(first).to_contain_text("CPT")
    # words + Enter with nothing highlighted: the best result is highlighted, no page opened
    q.fill("diabetes kidney")
    expect(screen.locator("#results [role=option]").first).to_be_visible()
    q.press("Enter")
    expect(screen.locator("#opt-0")).to_have_attribute("aria-selected", "true")
    assert "#/code/" not in screen.url
    # ArrowUp from the box goes to the last result, not the one before it
    q.fill("diabetes")
    expect(screen.locator("#results [role=option]")).to_have_count(20)
    q.press("ArrowUp")
    expect(screen.locator("#opt-19")).to_have_attribute("aria-selected", "true")
    # more than 20, with paging
    screen.locator("#more").click()
    expect(screen.locator("#results [role=option]")).to_have_count(40)
    # why each result matched
    expect(screen.locator("#results .why").first).to_contain_text("matched:")
    # the status never overlaps the results
    sbox, rbox = status.bounding_box(), screen.locator("#results").bounding_box()
    assert sbox["y"] + sbox["height"] <= rbox["y"] + 1
    # 300 characters: a plain message, no validation dump
    q.fill("fracture " * 34)
    expect(status).to_contain_text("at most 200 are searched")
    expect(status).not_to_contain_text("string_too_long")
    q.fill("<script></script>")  # markup is text: no codes, no injected element
    expect(status).to_contain_text("No match for")
    expect(screen.locator("#results [role=option]")).to_have_count(0)
    # 7th-character subcategories are flagged, not shown as plain headers
    q.fill("fx femur")
    expect(screen.locator("#results [role=option]").first).to_be_visible()
    first = screen.locator("#results [role=option]").first
    expect(first.locator(".badge")).to_have_text(re.compile("billable|add 7th character"))
    shot(screen, f"flow-search-{screen.size}")


# -- 4. dates and the URL -----------------------------------------------------------------
def test_date_is_in_the_url_and_refreshes_the_open_code(screen, shot):
    _ready(screen, f"/#/code/ICD-10-CM/G35.A?on={ON}")
    expect(screen.locator("#code .badge.ok")).to_contain_text("Billable in FY2026")
    screen.locator("#on").fill("2025-01-15")
    screen.locator("#on").dispatch_event("change")
    expect(screen.locator("#code .badge.bad")).to_have_text("Not valid in FY2025")
    expect(screen.locator("#code .status-line")).to_contain_text("added in FY2026")
    expect(screen).to_have_url(re.compile(r"on=2025-01-15"))
    screen.locator("#on").fill("2030-01-01")  # past every loaded release
    screen.locator("#on").dispatch_event("change")
    expect(screen.locator("#code h2")).to_contain_text("Relapsing-remitting multiple sclerosis")
    expect(screen.locator("#code .status-line.warn-text").first).to_contain_text(
        "no ICD-10-CM release loaded for 2030-01-01")
    expect(screen.locator("#code")).to_contain_text("nothing here is a statement about 2030-01-01")
    shot(screen, f"flow-date-outside-{screen.size}")
    # a shared link restores search text, system and date
    screen.goto("/#/?q=sepsis&system=ICD-10-CM&on=2025-03-01")
    expect(screen.locator("#q")).to_have_value("sepsis")
    expect(screen.locator("#system")).to_have_value("ICD-10-CM")
    expect(screen.locator("#on")).to_have_value("2025-03-01")
    expect(screen.locator("#results [role=option]").first).to_be_visible()


# -- 5. details ---------------------------------------------------------------------------
def test_code_page_details(screen, shot):
    _ready(screen, "/#/code/ICD-10-CM/E11.9")
    code = screen.locator("#code")
    expect(code.locator("h2")).to_contain_text("Type 2 diabetes")
    assert screen.title() == "E11.9 Type 2 diabetes mellitus without complications · medcode"
    assert code.get_attribute("aria-live") is None  # notes are not reread on every change
    # chapters are named, not bare numbers
    expect(code.locator(".note .from a", has_text="Chapter 4: Endocrine").first).to_be_visible()
    # code references in notes are links
    link = code.locator(".note a.ref", has_text="E11.A").first
    expect(link).to_be_visible()
    code.locator(".note a.ref", has_text="E10.-").first.click()
    expect(code.locator("h2")).to_contain_text("Type 1 diabetes mellitus")
    # copy button
    screen.goto("/#/code/ICD-10-CM/E11.9")
    expect(code.locator("h2")).to_contain_text("Type 2 diabetes")
    code.get_by_role("button", name="Copy code E11.9").click()
    expect(code.locator("button.copy")).to_have_text(re.compile("Copied|Selected"))
    if "Copied" in code.locator("button.copy").inner_text():
        assert screen.evaluate("navigator.clipboard.readText()") == "E11.9"
    # 7th-character rows link to their full codes
    screen.goto("/#/code/ICD-10-CM/S72.90")
    expect(code.locator("table.sevenths a", has_text="S72.90XA")).to_be_visible()
    code.locator("table.sevenths a", has_text="S72.90XD").click()
    expect(code.locator("h2")).to_contain_text("subsequent encounter for closed fracture with "
                                               "routine healing")
    shot(screen, f"flow-details-{screen.size}")


# -- 6. claims ----------------------------------------------------------------------------
def test_claim_form_refuses_negative_units_and_charges(screen):
    _ready(screen, "/#/claims")
    sent = []
    screen.on("request", lambda r: sent.append(r.url) if "/v1/claims/check" in r.url else None)
    screen.locator("#dx").fill("E11.9")
    screen.locator("[name=units]").first.fill("-2")
    screen.locator("[name=charge]").first.fill("-50")
    screen.get_by_role("button", name="Check claim").click()
    alert = screen.locator("#claim-out [role=alert]")
    expect(alert).to_contain_text("Line 1: units must be a number above 0")
    expect(alert).to_contain_text("Line 1: the charge cannot be negative")
    assert sent == []


def test_claim_file_findings_export_and_print(screen, shot):
    _ready(screen, "/#/claims")
    screen.locator("#claim-file").set_input_files(_data("claims.csv"))
    expect(screen.locator("#claim-file-status")).to_contain_text("claims.csv loaded")
    expect(screen.locator("#claim-format")).to_have_value("csv")
    screen.get_by_role("button", name="Check file").click()
    out = screen.locator("#claim-out")
    expect(out.locator("section.claim-result")).to_have_count(6)
    expect(out.locator(".claim-tools")).to_contain_text("6 claims")
    # each finding's codes link to their pages
    links = out.locator("table.findings a.code")
    assert links.count() > 0
    with screen.expect_download() as dl:
        out.get_by_role("button", name="Export findings (CSV)").click()
    text = open(dl.value.path(), encoding="utf-8").read()
    header, *rows = text.strip().splitlines()
    assert header == "claim,status,edit,severity,line,codes,message,reference,fix"
    api = screen.request.post("/v1/claims/check", data=open(_data("claims.csv"), "rb").read(),
                              headers={"Content-Type": "text/csv"}).json()
    expected = sum(max(1, len(r["findings"])) for r in api["results"])
    assert len([r for r in rows if re.match(r"^[^,]+,(pass|warn|fail),", r)]) == expected
    screen.emulate_media(media="print")
    expect(screen.locator("#claim-form")).to_be_hidden()
    expect(out.locator("section.claim-result").first).to_be_visible()
    screen.emulate_media(media="screen")
    shot(screen, f"flow-claims-csv-{screen.size}")
    links.first.click()
    expect(screen.locator("#code h2")).to_be_visible()


def test_diagnosis_autocomplete(screen):
    _ready(screen, "/#/claims")
    screen.locator("#dx").fill("I10, diabetes kidn")
    options = screen.locator("#dx-options option")
    expect(options.first).to_have_attribute("value", re.compile(r"^I10, E\d"))


# -- 7. accessibility (axe-core) and offline ---------------------------------------------
def test_no_accessibility_violations(screen, axe):
    _ready(screen, "/")
    screen.locator("#q").fill("diabetes")
    expect(screen.locator("#results [role=option]").first).to_be_visible()
    assert axe(screen) == [], "search"
    screen.goto("/#/code/ICD-10-CM/S72.001A")
    expect(screen.locator("#code h2")).to_contain_text("S72.001A")
    expect(screen.locator("#code ul.releases")).not_to_have_attribute("aria-busy", "true")
    assert axe(screen) == [], "code page"
    screen.goto("/#/identify")
    screen.locator("#identify-input").fill("99213 E11.9")
    screen.locator("#identify-input").press("Enter")
    expect(screen.locator("#identify-out section.identify")).to_have_count(2)
    assert axe(screen) == [], "identify"
    screen.goto("/#/claims")
    screen.locator("#dx").fill("E11.9")
    screen.get_by_role("button", name="Check claim").click()
    expect(screen.locator("#claim-out section.claim-result")).to_have_count(1)
    assert axe(screen) == [], "claims"
    assert screen.console_errors == []


def test_modifier_page(screen, shot):
    _ready(screen, "/")
    screen.locator("#q").fill("25")
    screen.locator("#q").press("Enter")
    code = screen.locator("#code")
    expect(code.locator("h2")).to_contain_text("Significant separately identifiable E/M")
    expect(code.locator(".badges .badge").first).to_have_text("CPT modifier")
    expect(code.locator("dl.details")).to_contain_text("an NCCI-associated modifier")
    expect(code).not_to_contain_text("null")
    shot(screen, f"flow-modifier-25-{screen.size}")
