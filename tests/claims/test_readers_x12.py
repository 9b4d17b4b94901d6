"""X12 837P reader on every real file in ../shared/data/x12 and on fixtures written here.

Expected values were read off the files by hand (segment numbers count from the ISA = 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from medcode.claims.formats import claim_to_dict, read_claims
from medcode.claims.formats.x12 import read_x12
from medcode.errors import ClaimFormatError
from medcode.models import Claim

X12 = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "x12"
DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def shared(name: str) -> Path:
    path = X12 / name
    if not path.exists():
        pytest.skip(f"{path.name} is absent (not redistributable: "
                    "other projects' X12 samples are read from ../shared/data)")
    return path


def items_of(path: Path | bytes) -> list[Claim | ClaimFormatError]:
    """Everything the X12 reader meets, in file order: claims, unreadable claims (scope
    "record") and file problems (scope "file", which ``read_claims`` keeps aside in
    ``reader.file_problems`` instead of yielding them)."""
    with read_claims(path) as reader:
        items = list(reader)
    if reader.format.value != "x12":
        return items
    assert all(isinstance(i, Claim) or i.scope == "record" for i in items)
    assert all(p.scope == "file" for p in reader.file_problems)
    everything: list[Claim | ClaimFormatError] = []
    claims, problems = iter(items), iter(reader.file_problems)
    data = path.read_bytes() if isinstance(path, Path) else path
    for item in read_x12([data], str(path) if isinstance(path, Path) else "<bytes>"):
        if isinstance(item, ClaimFormatError) and item.scope == "file":
            assert str(next(problems)) == str(item)
        else:
            assert next(claims) is not None
        everything.append(item)
    return everything


def claims_of(path: Path | bytes) -> tuple[list[Claim | ClaimFormatError], list[str]]:
    with read_claims(path) as reader:
        items = list(reader)
    return items, [str(p) for p in reader.file_problems]


def summary(items: list) -> list[str]:
    """'C:<id>' for a claim, 'E:<segment>:<id>' for an error."""
    out = []
    for i in items:
        if isinstance(i, Claim):
            out.append(f"C:{i.id}")
        else:
            m = re.search(r"segment (\d+) \((\S+)\)", i.where or "")
            out.append(f"E:{m.group(1)}:{m.group(2)}" if m else f"E:{i.where}")
    return out


def line_tuple(ln) -> tuple:
    return (ln.code, ln.modifiers, ln.units, ln.charge, ln.date, ln.pointers)


PAIR = ["C:A37YH556", "C:A37YH667"]
# file -> what the reader yields, in order
EXPECTED = {
    "imsweb/x12_valid.txt": PAIR,
    "imsweb/x12_valid_different_separators.txt": PAIR,
    "imsweb/x12_no_errors.txt": ["C:A37YH556", "C:A37YH556"],
    "imsweb/x12_multiple_gs.txt": PAIR * 3,
    "imsweb/x12_multiple_st.txt": PAIR * 2,
    "imsweb/x12_multiple_isa.txt": PAIR + ["C:A37YH5561", "C:A37YH6672"],
    "imsweb/x12_ambiguous_loop.txt": ["C:A37YH556"],
    "imsweb/x12_writer_test.txt": ["C:A37YH556"],
    "imsweb/x12_bad_segment_identifier.txt": [
        "E:6:?", "E:11:Nd4", "E:20:NM31", "C:A37YH556", "E:18:HL", "C:A37YH667"],
    "imsweb/x12_bad_valid_code.txt": ["E:8:HL"] + PAIR,
    "imsweb/x12_loop_errors1_exceeds_max_1_parent.txt": ["E:8:HL", "C:A37YH556"],
    "imsweb/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": [
        "C:A37YH556", "E:27:HL", "C:A37YH556"],
    "imsweb/x12_loop_errors3_missing_loops.txt": ["E:8:HL", "C:A37YH556"],
    "imsweb/x12_missing_elements.txt": ["E:7:NM1", "C:A37YH556", "E:31:CLM"],
    "imsweb/x12_missing_required_loop_in_one_repeat.txt": [
        "C:A37YH667", "E:18:HL", "C:A37YH556"],
    "imsweb/x12_missing_required_loops_mult_repeats.txt": [
        "C:A37YH556", "E:33:SV1", "C:A37YH556", "C:A37YH556", "E:59:SV1"],
    "imsweb/x12_segment_errors.txt": ["E:10:N4", "E:21:CLM"],
    "imsweb/x12_segments_out_of_order.txt": ["E:12:N4", "E:16:N4", "E:17:N3"] + PAIR,
    "uhin/837.edi": ["C:1606"],
}
RAISES = {
    "imsweb/x12_999_accepted.txt": r"holds no 837P professional claim: it is a 999 "
                                   r"implementation acknowledgment \(a 999 tells the sender",
    "imsweb/x12_999_rejected.txt": r"it is a 999 implementation acknowledgment",
    "imsweb/x12_no_isa_line.txt": r"must begin with a 106-character ISA header, but starts "
                                  r"with 'GS\*HC\*SENDER CODE",
    "imsweb/x12_bad_first_line.txt": r"segment 1 \(ISA\), interchange 1: ISA02 authorization "
                                     r"information is 9 characters, X12 requires exactly 10",
}


def test_every_shared_x12_file_is_covered() -> None:
    if not X12.is_dir():
        pytest.skip(f"{X12} is absent (not redistributable: "
                    "other projects' X12 samples are read from ../shared/data)")
    files = {str(p.relative_to(X12)) for p in X12.glob("*/*") if p.name != "LICENSE"}
    files.discard("imsweb/x12_many_claims.txt")       # counted in its own test
    assert files == set(EXPECTED) | set(RAISES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_file_yields_claims_and_errors_in_order(name: str) -> None:
    items = items_of(shared(name))
    assert summary(items) == EXPECTED[name]
    for item in items:
        if isinstance(item, ClaimFormatError):
            assert item.where.startswith(f"{shared(name)}: segment ")
            assert ", interchange " in item.where


@pytest.mark.parametrize("name", sorted(RAISES))
def test_unreadable_shared_file_raises(name: str) -> None:
    with pytest.raises(ClaimFormatError, match=RAISES[name]) as info:
        read_claims(shared(name))
    assert str(shared(name)) in str(info.value)


def test_uhin_837_icd10_claim() -> None:
    (claim,) = items_of(shared("uhin/837.edi"))
    assert claim.id == "1606"
    assert claim.patient.birth_date == dt.date(1946, 11, 11) and claim.patient.sex == "F"
    assert claim.diagnoses == ("R69",) and claim.diagnosis_qualifiers == ("ABK",)
    (line,) = claim.lines
    # SV1*HC:90834*2*UN*1***1 and DTP*472*RD8*20240815-20240820 (start date taken)
    assert line_tuple(line) == ("90834", (), 1, 2, dt.date(2024, 8, 15), (1,))
    assert claim.extra["total_charge"] == 2 and claim.extra["place_of_service"] == "11"
    assert claim.source.endswith("837.edi: segment 21 (CLM), interchange 1")


def test_imsweb_valid_claims_with_icd9_qualifiers() -> None:
    first, second = items_of(shared("imsweb/x12_valid.txt"))
    # HI*BK*8901*BF*87200*BF:5559 : qualifier and code split over elements, read with a note
    assert first.diagnoses == ("8901", "87200", "5559")
    assert first.diagnosis_qualifiers == ("BK", "BF", "BF")
    assert len(first.extra["x12_notes"]) == 2 and "read as BK:8901" in first.extra["x12_notes"][0]
    assert [line_tuple(ln) for ln in first.lines] == [
        ("99211", ("25",), 1, 12.25, dt.date(2005, 3, 14), (1,))]
    assert second.diagnoses == ("1987", "4134", "5559")
    assert [line_tuple(ln) for ln in second.lines] == [
        ("478331", ("25",), 1, 12.25, dt.date(2005, 3, 22), (1, 2, 3))]
    assert second.lines[0].extra == {"place_of_service": "11", "lx": "2"}
    # no DMG in 2010BA: patient unknown
    assert first.patient.birth_date is None and first.patient.sex is None
    other = items_of(shared("imsweb/x12_valid_different_separators.txt"))   # ~ ^ and _
    assert [dataclasses.replace(c, source=None) for c in other] == \
        [dataclasses.replace(c, source=None) for c in (first, second)]


def test_imsweb_claims_with_patient_demographics() -> None:
    for name, day in (("imsweb/x12_ambiguous_loop.txt", dt.date(2005, 3, 14)),
                      ("imsweb/x12_writer_test.txt", dt.date(2020, 5, 24))):
        (claim,) = items_of(shared(name))
        assert claim.patient.birth_date == dt.date(1961, 11, 24) and claim.patient.sex == "M"
        assert claim.diagnoses == ("1739",) and claim.diagnosis_qualifiers == ("BK",)
        assert [line_tuple(ln) for ln in claim.lines] == [
            ("99211", ("25",), 5, 12.25, day, (1, 2, 3))]


def test_multiple_isa_tells_the_interchange() -> None:
    items = items_of(shared("imsweb/x12_multiple_isa.txt"))
    assert [c.source.rsplit(", ", 1)[1] for c in items] == ["interchange 1"] * 2 + \
        ["interchange 2"] * 2


def test_malformed_shared_files_say_what_is_wrong() -> None:
    def errors(name: str) -> list[str]:
        return [i.reason for i in items_of(shared(name)) if isinstance(i, ClaimFormatError)]

    assert errors("imsweb/x12_bad_segment_identifier.txt")[:2] == [
        ("the segment id is empty (2-3 capital letters/digits, starting with a letter); "
        "segment text: '*IC*DAVID ANGELASZEK*TE*3016809770*EX*123'"),
        ("'Nd4' is not a segment id (2-3 capital letters/digits, starting with a letter); "
        "segment text: 'Nd4*CALVERTON*MD*20705'")]
    assert errors("imsweb/x12_bad_valid_code.txt") == [
        ("loop 2000A has no billing provider name NM1*85 (loop 2010AA), which is required "
        "(found NM1*117, NM1*87)")]
    assert errors("imsweb/x12_missing_elements.txt") == [
        "NM102 entity type '' must be 1 (person) or 2 (organisation)",
        ("claim A37YH667 not read: CLM05 (place of service, facility code qualifier, frequency "
        "code) is empty; it is required")]
    (mult,) = errors("imsweb/x12_missing_required_loops_mult_repeats.txt")[:1]
    assert mult.startswith("claim A37YH667 not read: SV1 is not inside a service line")
    assert "segment 34 (DTP): DTP02 date format 'RD9' is not D8 or RD8" in mult
    assert errors("imsweb/x12_segment_errors.txt")[1] == (
        "claim A37YH556 not read: the claim has no HI diagnosis segment (required in loop "
        "2300)")
    assert errors("imsweb/x12_loop_errors1_exceeds_max_1_parent.txt") == [
        ("loop 2000A repeats the billing provider name NM1*85 (2 times); loop 2010AA may "
        "appear once")]


def test_many_claims_file_count() -> None:
    path = shared("imsweb/x12_many_claims.txt")
    # counted another way: `grep -o 'CLM\*' x12_many_claims.txt | wc -l` gives 820
    raw = path.read_text()
    assert sum(1 for seg in raw.split("~") if seg.strip().startswith("CLM*")) == 820
    items = items_of(path)
    assert len(items) == 820 and all(isinstance(i, Claim) for i in items)
    assert sum(len(c.lines) for c in items) == 820
    assert {c.id for c in items} == {"A37YH556", "A37YH667"}


def test_own_fixture_patient_loop_and_repeated_hi() -> None:
    pt1, pt2, sub = items_of(DATA / "patient_loop.837")      # '|' '^' '~' + CRLF
    # 2000C patient (DMG in 2010CA), not the subscriber (born 1958, F)
    assert pt1.patient.birth_date == dt.date(2015, 6, 12) and pt1.patient.sex == "M"
    assert pt1.diagnoses == ("J02.9", "R50.9", "R05.9", "Z20.822", "J30.9")   # two HI segments
    assert pt1.diagnosis_qualifiers == ("ABK", "ABF", "ABF", "ABF", "ABF")
    assert [line_tuple(ln) for ln in pt1.lines] == [
        ("99214", ("25", "95", "GT", "KX"), 1, 180, dt.date(2026, 4, 11), (1, 3, 4)),
        ("87880", ("QW",), 1, 70, dt.date(2026, 4, 10), (1,))]    # claim-level DTP*472 fallback
    assert pt2.patient == pt1.patient and pt2.lines[0].date == dt.date(2026, 4, 20)
    # the next 2000B has no child: the subscriber is the patient; bad DOB kept as given
    assert sub.id == "SUB-003" and sub.patient.sex == "M"
    assert sub.patient.birth_date is None
    assert sub.patient.extra == {"raw_birth_date": "19700230"}
    assert sub.lines[0].units == 2


def test_own_fixture_two_interchanges_with_other_separators() -> None:
    items = items_of(DATA / "two_interchanges.837")   # '*' ':' '~' then '|' '>' newline
    assert summary(items) == ["C:A-1", "C:B-1", "C:B-2"]
    # SV104 'abc' is kept for LINE-UNITS to report; the claim itself is readable
    assert items[1].lines[0].units == 1 and items[1].lines[0].extra["raw_units"] == "abc"
    b2 = items[2]
    assert b2.diagnoses == ("R51.9", "G44.209") and b2.lines[0].pointers == (1, 2)


def test_non_837_transaction_after_claims_is_reported() -> None:
    body = shared("imsweb/x12_valid.txt").read_bytes().rstrip() + b"\n" + \
        shared("imsweb/x12_999_accepted.txt").read_bytes()
    items = items_of(body)
    assert summary(items) == PAIR + ["E:41:ST", "E:48:IEA"]
    assert items[2].reason == ("transaction ST*999 is a 999 implementation acknowledgment, "
                               "not an 837P professional claim; skipped")
    assert "IEA02 control number '000000001' does not match ISA13 '000000286'" in str(items[3])


def test_institutional_837_is_refused() -> None:
    body = shared("uhin/837.edi").read_bytes().replace(b"ST*837*800000372*005010X222A1",
                                                       b"ST*837*800000372*005010X223A2")
    with pytest.raises(ClaimFormatError, match="837I institutional claim"):
        read_claims(body)


def test_truncated_file_reports_the_cut() -> None:
    text = shared("uhin/837.edi").read_bytes()
    cut = text[:text.index(b"DTP*472")]
    items = items_of(cut)
    assert summary(items) == ["E:21:CLM", "E:3:ST", "E:2:GS", "E:1:ISA"]
    assert items[0].reason.startswith("claim 1606 not read: the transaction was cut off: the "
                                      "file ends (truncated?)")
    assert "has no IEA trailer" in items[3].reason


def test_x12_streams_without_reading_the_whole_file(tmp_path: Path) -> None:
    text = shared("uhin/837.edi").read_text()
    head, rest = text.split("CLM*", 1)
    claim = "CLM*" + rest.split("SE*", 1)[0]
    body = head + "".join(claim.replace("CLM*1606", f"CLM*N{i}") for i in range(20000)) + \
        "SE*1*800000372~\nGE*1*800000372~\nIEA*1*800000372~\n"
    path = tmp_path / "big.837"
    path.write_text(body)
    with open(path, "rb") as fp, read_claims(fp) as reader:
        assert next(reader).id == "N0"
        consumed = fp.tell()
        assert consumed < 400_000 < path.stat().st_size      # not the whole 3.6 MB
        assert sum(1 for _ in reader) == 19999


@pytest.mark.parametrize("name", ["uhin/837.edi", "imsweb/x12_valid.txt",
                                  "imsweb/x12_writer_test.txt"])
def test_x12_to_json_to_claim_round_trip(name: str) -> None:
    for claim in items_of(shared(name)):
        text = json.dumps(claim_to_dict(claim))
        (again,) = items_of(text.encode())
        assert dataclasses.replace(again, source=None) == dataclasses.replace(claim,
                                                                              source=None)
        assert again.extra == claim.extra
