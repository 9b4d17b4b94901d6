"""The text normaliser, stemmer and title marking the index and queries share."""

from __future__ import annotations

from medcode.textsearch.query import code_forms, code_pieces
from medcode.textsearch.stem import stem
from medcode.textsearch.tokens import marked_stems, query_words


def test_stemmer_joins_word_forms():
    assert stem("fracture") == stem("fractures") == stem("fractured")
    assert stem("diabetes") == stem("diabetic")
    assert stem("infection") == stem("infections")
    assert stem("anemia") == stem("anemic")
    assert stem("chlamydia") == stem("chlamydial")
    assert stem("sinusitis") != stem("sinus")  # an inflammation keeps its name
    assert stem("e11") == "e11" and stem("2") == "2"


def test_marked_stems():
    assert marked_stems("Essential (primary) hypertension") == [
        "~essent", "~primar", "hypertens"]
    # "without ..." negates, "unspecified" after a comma loosens the rest of its clause
    assert marked_stems("Cystitis, unspecified without hematuria") == [
        "cystitis", "~unspecif", "~without", "!hematur"]
    assert marked_stems("Cystitis, unspecified with hematuria") == [
        "cystitis", "~unspecif", "hematur"]
    # guideline I.C.4.a.2: type 2 is the default type of diabetes
    assert "~2" in marked_stems("Type 2 diabetes mellitus without complications")
    assert marked_stems("Replacement of Right Knee Joint with Synthetic Substitute, Open "
                        "Approach", pcs=True)[-4:] == ["~synthet", "~substitut", "~open",
                                                       "~approach"]


def test_query_words_are_bounded_and_plain():
    assert query_words("Alzheimer's  DISEASE!") == ["alzheimers", "disease"]
    assert len(query_words("word " * 10_000)) <= 48
    assert query_words(None) == []  # type: ignore[arg-type]


def test_code_pieces_and_forms():
    assert code_pieces("E11.9 and 250.00, (99213)") == ["E11.9", "250.00", "99213"]
    assert code_pieces("type 2 diabetes") == []
    assert code_forms("25000")[:3] == ["25000", "250.00", "25.000"]


def test_a_negated_phrase_ends_where_the_site_begins():
    # "of right hand" is where the laceration is, not part of what is absent
    assert marked_stems("Laceration without foreign body of right hand") == [
        "lacer", "~without", "!foreign", "!bodi", "right", "hand"]
    # ... but "loss of consciousness" is one absent thing
    assert marked_stems("Concussion without loss of consciousness") == [
        "concuss", "~without", "!loss", "!conscious"]
