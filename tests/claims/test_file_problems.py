"""Problems of the file around the claims (X12 envelopes, loops outside a claim) are
reported once for the file: never counted as claims, and the exit code follows the claims."""

from __future__ import annotations

import io
import json
from typing import Any

from medcode.claims.formats import read_claims
from medcode.claims.report import run_check

# one claim (J02.9 acute pharyngitis; 99213 office visit) and an IEA whose control number
# (000000999) does not match ISA13 (000000001)
ONE = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260504*1200*^*"
       "00501*000000001*0*T*:~GS*HC*S*R*20260504*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
       "BHT*0019*00*1*20260504*1200*CH~NM1*41*2*SUBMITTER*****46*1~NM1*40*2*RECEIVER*****46*2~"
       "HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*TOWN*NY*10001~"
       "REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*X1~"
       "DMG*D8*19700101*F~NM1*PR*2*PAYER*****PI*P1~CLM*C1*100***11:B:1*Y*A*Y*Y~"
       "HI*ABK:J029~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260504~SE*19*0001~GE*1*1~"
       "IEA*1*000000999~")


def test_envelope_problem_is_not_a_claim() -> None:
    with read_claims(io.BytesIO(ONE.encode()), name="one.837") as reader:
        items = list(reader)
    assert [i.id for i in items] == ["C1"]              # one CLM segment, one claim
    (problem,) = reader.file_problems
    assert problem.scope == "file"
    assert "IEA02 control number '000000999' does not match ISA13 '000000001'" in str(problem)


def test_report_lists_file_problems_and_exit_follows_the_claims(store: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(io.BytesIO(ONE.encode()), None, "json", out, store, err=err)
    report = json.loads(out.getvalue())
    assert code == 0, report                           # the only claim passes
    assert report["summary"]["claims"] == 1 and report["summary"]["status"]["pass"] == 1
    (problem,) = report["summary"]["file_problems"]
    assert "does not match ISA13" in problem
    text = io.StringIO()
    run_check(io.BytesIO(ONE.encode()), None, "text", text, store, err=err)
    assert "File problems (not claims; 1):" in text.getvalue()
    assert "1 claim checked" in text.getvalue()
