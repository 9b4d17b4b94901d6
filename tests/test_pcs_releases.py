"""ICD-10-PCS FY2025 and FY2026 from the official tables XML, beside FY2024."""

from __future__ import annotations

import datetime as dt

from medcode.codes.validity import validate


def test_counts_and_periods(store):
    rels = {r.name: r for r in store.releases("ICD-10-PCS")}
    assert {n: r.billable for n, r in rels.items()} == {
        "FY2024": 78_603, "FY2025": 78_948, "FY2026": 79_115}
    assert rels["FY2026"].effective_from == dt.date(2025, 10, 1)
    assert rels["FY2026"].effective_to == dt.date(2026, 9, 30)


def test_codes_by_release(store):
    def ok(code: str, day: dt.date) -> bool:
        return validate(store, code, on=day, system="ICD-10-PCS").valid
    assert ok("00H033J", dt.date(2025, 11, 1)) and not ok("00H033J", dt.date(2025, 5, 1))
    assert ok("0SG604Z", dt.date(2025, 5, 1)) and not ok("0SG604Z", dt.date(2025, 11, 1))


def test_new_code_title_composed(store):
    import medcode
    info = medcode.lookup("00H033J", on="2025-11-01", system="ICD-10-PCS", store=store)
    assert info.title == "Insertion of Infusion Device into Brain, Temporary, Percutaneous Approach"


def test_diff_pcs(store):
    from medcode.codes.releases import diff_releases
    d = diff_releases(store, "ICD-10-PCS", "FY2025", "FY2026")
    assert "00H033J" in {i["code"] for i in d["added"]}
    assert "0SG604Z" in {i["code"] for i in d["deleted"]}
    assert d["counts"]["added"] - d["counts"]["deleted"] == 79_115 - 78_948


def test_title_composition_against_fy2024_official(store, shared_data):
    """The composed title of every FY2024 code the FY2025 tables still hold, against its
    official FY2024 title (figure in the report: 96.9%)."""
    from medcode.store.load_pcs import _official_titles
    from medcode.systems.pcs_tables import parse_tables
    from medcode.systems.pcs_titles import compose_title, learn_templates
    labels = parse_tables(shared_data / "cms/icd10pcs/icd10pcs_tables_2025.xml").codes()
    official = _official_titles(store.conn)
    templates = learn_templates(official, labels)
    both = [c for c in labels if c in official]
    same = sum(compose_title(c, labels[c], templates) == official[c] for c in both)
    assert len(both) > 78_000 and same / len(both) > 0.96
    assert compose_title("0DTJ4ZZ", labels["0DTJ4ZZ"], templates) == \
        "Resection of Appendix, Percutaneous Endoscopic Approach"
