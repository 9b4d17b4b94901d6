"""Real claim files from public repositories (tests/data/claims/real, SOURCES.md): for each,
the number of claims (one per CLM segment), the diagnoses and pointers read, the findings
(edit@line:codes), and the file-level problems; institutional files are refused, naming the
type and version.

The expected values were read off the files: ICD-9-CM diagnoses (BK/BF) on 2005-2006 dates;
DX-INVALID only for ICD-9 category headers that need more digits (278.0 -> 278.00/278.01,
354 -> 354.0-354.9, 854.0 -> 854.00-854.19) and 035.91, which is no ICD-9-CM code (035 has
no subdivisions); CLAIM-FORMAT for files whose HI/SV1 elements separate components with '>'
while their ISA16 says ':' (a clearinghouse rejects these too); one file problem in each
4010 file (the version note).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.claims.engine import check_claims
from medcode.claims.formats import read_claims
from medcode.errors import ClaimFormatError

REAL = Path(__file__).resolve().parents[1] / "data" / "claims" / "real"

# file -> (file problems, [(claim id, diagnoses, pointers per line, findings)]), or the claim
# type named when the file is refused
EXPECTED: dict[str, Any] = {
    'linuxforhealth/837_004010X096A1__automobile-accident.837': '837I',
    'linuxforhealth/837_004010X096A1__homeowners.837': '837I',
    'linuxforhealth/837_004010X096A1__institutional-ppo-repriced.837': '837I',
    'linuxforhealth/837_004010X096A1__institutional.837': '837I',
    'linuxforhealth/837_004010X096A1__workers-compensation.837': '837I',
    'linuxforhealth/837_004010X098A1__coordination-of-benefits.837': (1, [
        ('26407789', ('4779', '2724', '2780', '53081'),
         ((1, 2, 3, 4), (1, 2), (1, 2)), ('DX-INVALID:2780',))]),
    'linuxforhealth/837_004010X098A1__dependent-commercial-insurance-01.837': (1, [
        ('686868686', ('8472',), ((1,), (1,), (1,), (1,), (1,), (1,)), ())]),
    'linuxforhealth/837_004010X098A1__dependent-commercial-insurance-02.837': (1, [
        ('888228888', ('81602', '354'), ((1,), (1,), (1,), (1, 2)), ('DX-INVALID:354',))]),
    'linuxforhealth/837_004010X098A1__dependent-commercial-insurance-03.837': (1, [
        ('900000032', ('8842',), ((1,), (1,)), ())]),
    'linuxforhealth/837_004010X098A1__patient-is-dependent.837': (1, [
        ('26463774', ('0340', 'V7389'), ((1,), (1,), (2,), (2,)), ())]),
    'linuxforhealth/837_004010X098A1__patient-is-subscriber.837': (1, [
        ('26462967', ('0340', 'V7389'), ((1,), (1,), (2,), (2,)), ())]),
    'linuxforhealth/837_005010X222A2__demo.ambulance.example5.837': (0, [
        ('051068', ('8628', 'E8888', '9592', '8540'),
         ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)), ('DX-INVALID:8540',))]),
    'linuxforhealth/837_005010X222A2__demo.autoaccident.837': (0, [
        ('900000032', ('8540',), ((1,), (1,)), ('DX-INVALID:8540',))]),
    'linuxforhealth/837_005010X222A2__demo.cob.2ndary.example4.837': (0, [
        ('#1', None, None, ('CLAIM-FORMAT',))]),
    'linuxforhealth/837_005010X222A2__demo.cob.example3.A.837': (0, [
        ('26407789', ('4779', '2724', '2780', '53081'),
         ((1, 2, 3, 4), (1, 2), (1, 2)), ('DX-INVALID:2780',))]),
    'linuxforhealth/837_005010X222A2__demo.cob.example3.B.837': (0, [
        ('26407789', ('4779', '2724', '2780', '53081'),
         ((1, 2, 3, 4), (1, 2), (1, 2)), ('DX-INVALID:2780',))]),
    'linuxforhealth/837_005010X222A2__demo.cob.example3.C.837': (0, [
        ('26407789', ('4779', '2724', '2780', '53081'),
         ((1, 2, 3, 4), (1, 2), (1, 2)), ('DX-INVALID:2780',))]),
    'linuxforhealth/837_005010X222A2__demo.cob.example4.837': (0, [
        ('101KEN6055', ('71516', '71906'), ((1, 2),), ())]),
    'linuxforhealth/837_005010X222A2__demo.drug.example10.1.837': (0, [
        ('CLMNO12345', ('03591',), ((1,), (1,)), ('DX-INVALID:03591',))]),
    'linuxforhealth/837_005010X222A2__demo.drug.example10.2.837': (0, [
        ('CLMNO12345', ('4659',), ((1,), (1,), (1,), (1,), (1,), (1,)), ())]),
    'linuxforhealth/837_005010X222A2__demo.drug.example10.3.837': (0, [
        ('CLMNO12345', ('4659',), ((1,), (1,), (1,), (1,), (1,), (1,)), ())]),
    'linuxforhealth/837_005010X222A2__demo.example1.837': (0, [
        ('26463774', ('0340', 'V7389'), ((1,), (1,), (2,), (2,)), ())]),
    'linuxforhealth/837_005010X222A2__demo.example11.837': (0, [
        ('#1', None, None, ('CLAIM-FORMAT',))]),
    'linuxforhealth/837_005010X222A2__demo.example12.837': (0, [
        ('#1', None, None, ('CLAIM-FORMAT',))]),
    'linuxforhealth/837_005010X222A2__demo.example2.837': (0, [
        ('26462967', ('0340', 'V7389'), ((1,), (1,), (2,), (2,)), ())]),
    'linuxforhealth/837_005010X222A2__demo.example6.837': (0, [
        ('#1', None, None, ('CLAIM-FORMAT',))]),
    'linuxforhealth/837_005010X222A2__demo.example7.837': (0, [
        ('R03996273 #01', ('496', '51881', '2859'), ((1, 2), (1, 2)), ('PTR-UNUSED:285.9',))]),
    'linuxforhealth/837_005010X222A2__demo.example8.837': (0, [
        ('SMI123', ('436', '3449'), ((1, 2),), ())]),
    'linuxforhealth/837_005010X222A2__demo.example9.837': (0, [
        ('#1', None, None, ('CLAIM-FORMAT',))]),
    'linuxforhealth/837_005010X223A3__institutional-claim.837i': '837I',
    'linuxforhealth/837_005010X223A3__out-of-network-repriced-claim.837i': '837I',
    'linuxforhealth/837_005010X223A3__ppo-repriced-claim.837i': '837I',
    'linuxforhealth/837_005010X223A3__two-claims-single-provider.837i': '837I',
    'linuxforhealth/demo-file__demo.837': (0, [
        ('26463774', ('0340', 'V7389'), ((1,), (1,), (2,), (2,)), ())]),
    'linuxforhealth/demo-file__demo.837i': '837I',
}


def _findings(result: Any) -> tuple[str, ...]:
    return tuple(sorted({f.edit + (f"@{f.line}" if f.line else "")
                         + (":" + ",".join(f.codes) if f.codes and f.edit != "CLAIM-FORMAT"
                            else "") for f in result.findings}))


def test_every_real_file_is_pinned() -> None:
    files = {str(p.relative_to(REAL)) for p in REAL.rglob("*")
             if p.is_file() and p.name not in ("LICENSE", "SOURCES.md")}
    assert files == set(EXPECTED)
    assert len([v for v in EXPECTED.values() if not isinstance(v, str)]) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file(store: Any, name: str) -> None:
    want = EXPECTED[name]
    if isinstance(want, str):
        with pytest.raises(ClaimFormatError) as info:
            read_claims(REAL / name)
        assert f"it is an {want} " in info.value.reason
        assert "medcode checks professional claims (837P) only" in info.value.reason
        return
    problems, claims = want
    with read_claims(REAL / name) as reader:
        items = list(reader)
    results = list(check_claims(items, store))
    assert len(reader.file_problems) == problems, [str(p) for p in reader.file_problems]
    if "004010X098A1" in name:
        assert "is version 004010X098A1, the 4010 837P" in str(reader.file_problems[0])
    got = []
    for item, result in zip(items, results, strict=True):
        if isinstance(item, ClaimFormatError):
            got.append((result.claim, None, None, _findings(result)))
        else:
            got.append((item.id, item.diagnoses, tuple(ln.pointers for ln in item.lines),
                        _findings(result)))
    assert got == claims
