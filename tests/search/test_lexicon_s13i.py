"""Issue 13 (s13i): spine regions, a third batch of abbreviations, tumour morphology with its
tissue, everyday and external-cause wording, and HCPCS Level II wording -- on the real store,
with queries that are in no relevance file."""

from __future__ import annotations

import pytest

from medcode.textsearch import search


def codes(store, query: str, n: int = 5) -> list[str]:
    return [h.code for h in search(store, query, limit=n)]


def test_spine_region_reads_as_the_dorsopathy_region(search_store):
    # "spine" is in no M40-M54 title: without the reading the query found nothing
    assert codes(search_store, "lumbar spine stenosis", 2)[0].startswith("M48.06")


@pytest.mark.parametrize("query, code", [("cvi", "I87.2"), ("itching", "L29.9"),
                                         ("prickly heat", "L74.0"), ("hot flushes", "N95.1")])
def test_abbreviations_and_everyday_words(search_store, query, code):
    assert code in codes(search_store, query, 2)


def test_morphology_names_its_tissue(search_store):
    # a sarcoma of soft tissue is coded in C49 (connective and soft tissue), not C76
    assert any(c.startswith("C49.1") for c in codes(search_store, "rhabdomyosarcoma of arm", 3))


@pytest.mark.parametrize("query, prefix", [("building fire", "X00"),
                                           ("scalded by hot coffee", "X1")])
def test_external_causes_as_people_tell_them(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)


@pytest.mark.parametrize("query, prefix", [
    ("thoracic vertebroplasty", "0PU"), ("reduction mammaplasty", "0HB"),
    ("shoulder hemiarthroplasty", "0RR"), ("left rotator cuff repair", "0LQ2"),
    ("ear tubes", "099")])
def test_more_procedure_names_land_in_their_pcs_table(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)


def test_a_usual_approach_in_the_procedure_name_wording(search_store):
    # a cerclage is done through the vagina: Via Natural or Artificial Opening (7)
    assert codes(search_store, "cerclage", 1) == ["0UVC7ZZ"]


def test_right_and_left_is_bilateral(search_store):
    assert codes(search_store, "right and left carotid body drainage", 1)[0].startswith("0G98")


@pytest.mark.parametrize("query, code", [
    ("ileal carcinoid", "C7A.012"), ("right upper lobe pneumonia", "J18.1"),
    ("dry amd", "H35.319"), ("djd knee", "M17.9")])
def test_site_adjectives_and_coder_wording(search_store, query, code):
    assert codes(search_store, query, 1) == [code]


def test_djd_of_the_spine_is_spondylosis(search_store):
    assert codes(search_store, "djd cervical region", 1)[0].startswith("M47.8")


def test_a_reaction_to_a_drug_is_an_adverse_effect(search_store):
    # guideline I.C.19.e.5.a: a drug properly given -> adverse effect (5th/6th char 5)
    assert codes(search_store, "reaction to ciprofloxacin", 1)[0].startswith("T36.8X5")


@pytest.mark.parametrize("query, code", [
    ("coughing up blood", "R04.2"), ("charley horse in calf", "R25.2"),
    ("lou gehrig", "G12.21")])
def test_more_everyday_words_and_eponyms(search_store, query, code):
    assert code in codes(search_store, query, 3)


@pytest.mark.parametrize("query, prefix", [("dilation and curettage", "0UDB"),
                                           ("normal delivery", "10E0"),
                                           ("cabg rima", "021")])
def test_more_procedure_names(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)


def test_a_dosage_form_is_a_hcpcs_item(hcpcs_store):
    # "... tablet" names the drug as supplied (a HCPCS code), not its poisoning (a T-code)
    assert codes(hcpcs_store, "ondansetron tablet", 1)[0].startswith("Q0162")


def test_a_reaction_to_a_vaccine_is_not_the_immunization_encounter(search_store):
    # guideline I.C.19.e.5.a: the adverse effect (T50.A-/T50.B-), not Z23
    assert codes(search_store, "allergic reaction to tetanus vaccine", 1)[0].startswith("T50.A")
    assert codes(search_store, "side effects of flu shot", 1)[0] == "T50.B95"


@pytest.mark.parametrize("query, prefix", [("quetiapine overdose", "T43.59"),
                                           ("gabapentin adverse effect", "T42.6X5"),
                                           ("long term use of clopidogrel", "Z79.02")])
def test_a_generic_drug_missing_from_the_table_reads_as_its_class(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)


@pytest.mark.parametrize("query, code", [
    ("suicide attempt overdose of quetiapine", "T43.592"),
    ("suicide attempt by drowning", "X71.9")])
def test_a_suicide_attempt_is_coded_by_its_means_as_intentional_self_harm(search_store, query,
                                                                         code):
    assert codes(search_store, query, 1) == [code]


def test_self_harm_named_steps_the_accident_blocks_down():
    from medcode.textsearch import clinical
    reading = clinical.read("jumped from a roof suicide attempt")
    assert reading.harm and reading.active
    fall, _ = clinical.adjust(reading, "ICD-10-CM", "W13.2", "Fall from, out of or through roof",
                              "code")
    harm, _ = clinical.adjust(reading, "ICD-10-CM", "X80",
                              "Intentional self-harm by jumping from a high place", "code")
    assert fall < harm
    assert not clinical.read("fall from roof").harm


@pytest.mark.parametrize("query, code", [("tailbone pressure ulcer stage 2", "L89.152"),
                                         ("cervical carcinoma", "C53.9")])
def test_index_see_references_as_wording(search_store, query, code):
    # the Index: pressure ulcer of the coccyx -> sacral region; cervical cancer -> cervix uteri
    assert codes(search_store, query, 1) == [code]


def test_a_needlestick_is_contact_with_a_hypodermic_needle(search_store):
    # the first hit at every limit (the widening no longer depends on the limit)
    for limit in (1, 5):
        assert codes(search_store, "needle stick injury", limit)[0].startswith("W46")
