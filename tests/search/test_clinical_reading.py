"""Clinical reading of queries (laterality, status/history, vaccines, typos, code-shaped
abbreviations) on the real store."""

from __future__ import annotations

import pytest

from medcode.textsearch import clinical, search


def codes(store, query: str, n: int = 5, **kw) -> list[str]:
    return [h.code for h in search(store, query, limit=n, **kw)]


@pytest.mark.parametrize("query, side, status", [
    ("cellulitis of left leg", "left", None), ("otitis media both ears", "bilateral", None),
    ("hx of colon cancer", None, "history"), ("s/p cabg", None, "history"),
    ("status post knee replacement", None, "history"), ("flu shot", None, "vaccine"),
    ("screening colonoscopy", None, "screening"), ("follow-up after surgery", None, "follow-up"),
    ("postoperative fever", None, None), ("pneumonia", None, None)])
def test_reading(query, side, status):
    r = clinical.read(query)
    assert (r.side, r.status) == (side, status)


def test_laterality_chooses_the_side(search_store):
    hits = search(search_store, "cellulitis of left leg", limit=5)
    assert hits[0].code == "L03.116"
    assert not any("right" in h.title.lower() for h in hits)
    assert codes(search_store, "otitis media right ear", 1) == ["H66.91"]


def test_history_routes_to_z_codes(search_store):
    hits = search(search_store, "history of breast cancer", limit=3)
    assert hits[0].code == "Z85.3" and any(m.startswith("history") for m in hits[0].matched)
    assert codes(search_store, "screening colonoscopy", 1) == ["Z12.11"]


def test_status_post_never_answers_with_the_operation(search_store):
    got = codes(search_store, "s/p appendectomy", 5)
    assert not any(c.startswith("0DTJ") or c == "47.01" for c in got)


def test_vaccine_is_the_immunization_encounter(search_store):
    hit = search(search_store, "flu shot", limit=1)[0]
    assert hit.code == "Z23" and hit.matched == ("vaccine: encounter for immunization",)
    assert not any(c.startswith("T50") for c in codes(search_store, "covid vaccine", 5))


def test_vaccine_administration_code_when_hcpcs_is_loaded(hcpcs_store):
    assert codes(hcpcs_store, "pneumonia vaccine", 2) == ["Z23", "G0009"]
    assert codes(hcpcs_store, "flu shot", 2) == ["Z23", "G0008"]


def test_misspelling_prefers_the_common_term(search_store):
    # one letter from both osteoporosis and osteopetrosis (Q78.2): the common one wins
    assert codes(search_store, "osteoperosis", 1) == ["M81.0"]


def test_diagnosis_abbreviation_shaped_like_a_pcs_code(search_store):
    # "DM2" is also an ICD-10-PCS table (radiation therapy): words unless PCS is asked for
    got = codes(search_store, "dm2 with hyperglycemia", 5)
    assert got[0] == "E11.65" and not any(len(c) == 7 and c[:1] == "D" for c in got)
    assert codes(search_store, "DM2", 1, system="ICD-10-PCS") == ["DM2"]


def test_an_operation_named_gives_todays_procedure_codes(search_store):
    assert clinical.read("laparoscopic appendectomy").procedure
    assert not clinical.read("appendicitis").procedure
    hit = search(search_store, "appendectomy", limit=1)[0]
    assert hit.system == "ICD-10-PCS" and hit.code.startswith("0DTJ")


@pytest.mark.parametrize("query, first", [
    ("s/p appendectomy", "Z90.49"),          # acquired absence, not the operation
    ("s/p cabg", "Z95.1"),                   # presence of aortocoronary bypass graft
    ("s/p left knee replacement", "Z96.652"),
    ("status post amputation left below knee", "Z89.512"),
    ("history of mi", "I25.2"),              # old MI is the history code outside chapter 21
    ("on blood thinners", "Z79.01"),         # "on <drug>": long-term (current) use
])
def test_status_lexicon_finds_the_status_code(search_store, query, first):
    hits = search(search_store, query, limit=5)
    assert hits[0].code == first, [h.code for h in hits]
    assert not any(h.system == "ICD-10-PCS" for h in hits)


def test_status_lexicon_is_used_only_for_a_status_query(search_store):
    # the plain operation is still the operation, and "mi" alone is still an acute MI
    assert search(search_store, "cholecystectomy", limit=1)[0].system == "ICD-10-PCS"
    assert codes(search_store, "mi", 1)[0].startswith("I21")


def test_both_ears_is_bilateral(search_store):
    hit = search(search_store, "hearing loss both ears", limit=1)[0]
    assert hit.code == "H91.93" and "laterality: bilateral" in hit.matched


def test_a_procedure_query_is_not_its_status_code(search_store):
    # Z98.4- "Cataract extraction status" says the same words: the operation comes first
    assert codes(search_store, "cataract extraction", 1)[0][:3] == "08D"


def test_administration_named_puts_the_hcpcs_service_first(hcpcs_store):
    assert codes(hcpcs_store, "administration of influenza vaccine", 2) == ["G0008", "Z23"]


def test_hcpcs_item_named_before_its_parts(hcpcs_store):
    # "Replacement, handgrip, cane, crutch, or walker" (A4636) is not a cane
    assert codes(hcpcs_store, "cane", 1, system="HCPCS")[0] in ("E0100", "E0105")


@pytest.mark.parametrize("query, item", [
    ("suction machine", 1), ("ketorolac injection", 1), ("injection of ondansetron", 1),
    ("replacement battery for tens unit", 2), ("fall from wheelchair", 0),
    ("mechanical complication of insulin pump", 0), ("dependence on wheelchair", 0),
    ("presence of insulin pump", 0), ("pneumonia", 0), ("pacemaker insertion", 0)])
def test_item_reading(query, item):
    assert clinical.read(query).item == item


def test_an_item_named_gives_the_hcpcs_item(hcpcs_store):
    hits = search(hcpcs_store, "suction machine", limit=3)
    assert all(h.system == "HCPCS" for h in hits)
    assert {"E0600", "K0743"} & {h.code for h in hits[:2]}  # the suction pumps
    assert "item: HCPCS Level II" in hits[0].matched
    # a fall from one is an external cause, not the item
    assert codes(hcpcs_store, "fall from wheelchair", 1)[0].startswith(("V00.81", "W05"))


@pytest.mark.parametrize("query, status", [
    ("has pacemaker", "history"), ("had a stroke", "history"), ("presence of stent", "history"),
    ("on warfarin", "history"), ("hashimoto thyroiditis", None)])
def test_status_verbs(query, status):
    assert clinical.read(query).status == status


def test_has_a_device_is_its_presence(search_store):
    assert codes(search_store, "has a defibrillator", 1) == ["Z95.810"]


def test_a_regional_code_for_a_part_without_its_own(search_store):
    """Cellulitis of the foot is coded to the lower limb (L03.11-): broader region words."""
    assert codes(search_store, "cellulitis of left foot", 1) == ["L03.116"]


def test_an_unstated_intent_is_accidental(search_store):
    """Guidelines I.C.19.e.5.b, I.C.20.f: no documented intent -> accidental."""
    assert codes(search_store, "poisoning by aspirin", 1) == ["T39.011"]
    assert codes(search_store, "poisoning by aspirin intentional self-harm", 1) == ["T39.012"]
    assert clinical.read("assault with knife").intent
    assert not clinical.read("knife wound").intent


def test_nec_means_the_other_specified_code(search_store):
    assert codes(search_store, "secondary malignant neoplasm nec", 1) == ["C79.89"]


def test_cancer_is_the_primary_site_unless_called_secondary(search_store):
    """The Neoplasm Table's default column for cancer is Malignant Primary."""
    assert codes(search_store, "cancer of the pubic bone", 1)[0].startswith("C41.4")
    assert codes(search_store, "metastatic cancer to bone", 1) == ["C79.51"]
    assert clinical.read("mets to liver").secondary


def test_maternal_and_newborn_codes_only_when_named(search_store):
    """Chapter 15 codes are for the mother's record, chapter 16 for the newborn's."""
    assert codes(search_store, "hyponatremia", 1) == ["E87.1"]
    assert codes(search_store, "hyponatremia of newborn", 1) == ["P74.22"]
    assert clinical.read("pregnant with nausea").populations == "O"


def test_two_title_words_typed_as_one(search_store):
    """Titles write pre-eclampsia and Non-Hodgkin: the typed one-word forms find them."""
    assert codes(search_store, "preeclampsia", 1)[0].startswith("O14")
    assert codes(search_store, "nonhodgkin lymphoma", 1)[0].startswith("C85")


@pytest.mark.parametrize("query, first", [
    ("ultrasound of abdomen", "BW40ZZZ"), ("x-ray of left knee", "BQ08ZZZ")])
def test_imaging_names_the_pcs_imaging_code(search_store, query, first):
    assert codes(search_store, query, 1) == [first]


def test_bilateral_without_a_bilateral_code_takes_each_side(search_store):
    """Guideline I.B.13: no bilateral code -> the right and the left codes."""
    assert set(codes(search_store, "bilateral foot pain", 2)) == {"M79.671", "M79.672"}
    assert codes(search_store, "bilateral knee osteoarthritis", 1) == ["M17.0"]


@pytest.mark.parametrize("query, first", [
    ("l4 l5 disc herniation", "M51.26"), ("l5-s1 herniated disc", "M51.27")])
def test_a_vertebral_level_names_its_region(search_store, query, first):
    assert codes(search_store, query, 1) == [first]


@pytest.mark.parametrize("query, first", [
    ("uncontrolled diabetes", "E11.65"), ("poorly controlled type 1 diabetes", "E10.65"),
    ("uncontrolled epilepsy", "G40.919"), ("uncontrolled hypertension", "I10")])
def test_uncontrolled_reads_as_the_index_says(search_store, query, first):
    assert codes(search_store, query, 1) == [first]


@pytest.mark.parametrize("query, first", [
    ("pre-op exam", "Z01.818"), ("surgical clearance", "Z01.818"),
    ("medication refill", "Z76.0")])
def test_encounter_words_billers_use(search_store, query, first):
    assert codes(search_store, query, 1) == [first]
