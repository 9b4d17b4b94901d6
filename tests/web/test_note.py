"""The "code this note" box in headless Chromium: evidence highlighted, codes accepted into
the claim form."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
from playwright.sync_api import expect


def test_code_this_note(page, shot):
    page.goto("/#/note")
    expect(page.locator("#view-note")).to_be_visible()
    expect(page.locator("#view-lookup")).to_be_hidden()
    page.fill("#note-text", "Type 2 diabetic with peripheral neuropathy. No fever.")
    page.select_option("#note-system", "ICD-10-CM")
    page.click("#note-form button[type=submit]")
    # the first note builds the code-word lexicon (seconds on a loaded machine)
    expect(page.locator("#note-out")).to_contain_text("E11.40", timeout=90_000)
    expect(page.locator("#note-marked mark").first).to_be_visible()
    assert "neuropathy" in " ".join(page.locator("#note-marked mark").all_text_contents())
    page.click('button[data-accept="E11.40"]')
    expect(page.locator("#note-status")).to_contain_text("E11.40 added")
    shot(page, "20-code-this-note")
    page.click('nav a[data-view="claims"]')
    expect(page.locator("#dx")).to_have_value("E11.40")
    assert page.console_errors == []
