"""The API docs work offline: Swagger UI from the installed package at /docs, the plain
reference at /static/api.html with an example request and a live response for every route."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
from playwright.sync_api import expect


def test_swagger_ui_is_served_by_this_server(page, shot):
    pytest.importorskip("swagger_ui_bundle", reason="swagger-ui-bundle-v2 (the [api] extra)")
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("medcode")
    expect(page.locator(".opblock-summary-path", has_text="/v1/claims/check")).to_be_visible()
    page.locator(".opblock-summary", has_text="/v1/claims/check").click()
    expect(page.locator(".opblock-body")).to_contain_text("birth_date")  # the request example
    assert page.outside_requests == [], "the docs page loaded something from another host"
    assert page.console_errors == [], page.console_errors  # CSP self-only holds
    csp = page.request.get("/docs").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe" not in csp
    shot(page, "docs-swagger")


def test_api_reference_has_request_and_response_examples(page, shot, axe):
    page.goto("/static/api.html")
    claims = page.locator("section.op", has_text="POST /v1/claims/check")
    expect(claims.locator("pre.example").first).to_contain_text('"diagnoses"')
    expect(claims).to_contain_text("application/edi-x12")
    claims.get_by_role("button", name="Show the response").click()
    expect(claims.locator("pre.example").nth(1)).to_contain_text('"findings"')
    expect(claims).to_contain_text("HTTP 200")
    # descriptions show code spans, not markdown backticks; example links are real URLs
    lookup = page.locator("section.op", has_text="GET /v1/codes/{code}")
    expect(lookup.locator(".desc")).not_to_contain_text("`")
    assert "…" not in "".join(page.locator("section.op a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"))
    href = lookup.locator("a", has_text="GET /v1/codes/").get_attribute("href")
    assert page.request.get(href).json()["code"] == "S72.001A"
    lookup.get_by_role("button", name="Show the response").click()
    expect(lookup.locator("pre.example")).to_contain_text('"parent": "S72.001"')
    fhir = page.locator("section.op", has_text="POST /fhir/CodeSystem/$lookup")
    fhir.get_by_role("button", name="Show the response").click()
    expect(fhir.locator("pre.example").nth(1)).to_contain_text("Type 2 diabetes mellitus")
    # every documented GET /v1 route has an example request
    for sec in page.locator("section.op", has_text="GET /v1/").all():
        expect(sec.locator("a", has_text="GET /v1/")).to_have_count(1)
    assert page.outside_requests == [] and page.console_errors == []
    assert axe(page) == []
    shot(page, "api-reference")
