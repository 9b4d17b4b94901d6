"""X12 837P (005010X222A1) professional claims -> Claim records, streamed segment by segment.

What is read: envelopes ISA/IEA, GS/GE, ST/SE (several of each per file); the HL hierarchy
(20 = 2000A billing provider, 22 = 2000B subscriber, 23 = 2000C patient); the patient's
birth date and sex from DMG in 2010BA (subscriber NM1*IL, used when the claim sits in
2000B) or 2010CA (patient NM1*QC, loop 2000C); loop 2300 CLM (CLM01 id, CLM02 total charge,
CLM05 place of service), HI diagnoses (ABK/ABF = ICD-10-CM, BK/BF = ICD-9-CM; every HI
segment of the claim, qualifiers kept in ``Claim.diagnosis_qualifiers``), claim-level
DTP*472 as a fallback date; loop 2400 LX, SV1 (``HC:code:mod1..mod4``, charge, unit code,
units, place of service, SV107 pointers) and DTP*472 (D8, or RD8 whose start date is taken).

Errors. A file that cannot be read at all raises ClaimFormatError: no ISA, an ISA that is
not 106 fixed-width characters, or no 837 transaction (e.g. a 999 acknowledgment; what
comes before the first 837 transaction is held back until one is found). Else
every problem is *yielded* as a ClaimFormatError whose ``where`` is
``"<file>: segment N (ID), interchange K"`` (N counts segments from the file's first ISA = 1):

* a problem inside a claim (CLM up to the next CLM/HL/SE: bad HI, SV1 without LX, no HI,
  no service line, empty CLM05, an unknown DTP date format) replaces that
  claim by one error that names it; reading resumes at the next CLM;
* a problem outside claims (bad segment id, NM1 without NM102, N3/N4 out of order, a
  required 2010AA/2010BA/2010BB/2010CA name loop missing or a 2010AA repeated, envelope
  trailers missing or with the wrong control number) is a *file problem*: a
  ClaimFormatError with ``scope == "file"``, which ``ClaimReader`` keeps in
  ``file_problems`` instead of yielding it, so the number of claims read always equals the
  number of CLM segments; the claims around it are still yielded.

Not checked: SE01/GE01/IEA01 counts and HL01/HL02 numbering (the imsweb "valid" samples
get both wrong), code values other than the ones read. Tolerated with a note in
``Claim.extra["x12_notes"]``: an HI qualifier and code in separate elements (``HI*BK*8901``,
as in the imsweb samples) are read as ``BK:8901``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from medcode.errors import ClaimFormatError
from medcode.models import Claim, Patient

from .values import parse_sex
from .x12claim import ClaimLoop, Line, build_claim, d8, dtp, read_hi, read_sv1
from .x12tokens import Segment, iter_segments

__all__ = ["read_x12"]

_NOT_837 = {"999": "a 999 implementation acknowledgment", "997": "a 997 functional "
            "acknowledgment", "835": "an 835 payment/remittance advice", "277": "a 277 claim "
            "status/acknowledgment", "276": "a 276 claim status request", "270": "a 270 "
            "eligibility inquiry", "271": "a 271 eligibility response", "834": "an 834 "
            "enrollment", "278": "a 278 authorization request", "820": "an 820 premium payment"}
_OTHER_837 = {"X223": "an 837I institutional claim", "X096": "an 837I institutional claim",
              "X224": "an 837D dental claim", "X097": "an 837D dental claim"}


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.skip = False                 # inside a transaction we do not read
        self.seen_837 = False
        self.kinds: list[str] = []
        self.level: str | None = None
        self.hl: Segment | None = None
        self.names: list[str] = []        # NM101 values seen in the current HL loop
        self.nm1 = ""
        self.prev = ""
        self.subscriber = Patient()
        self.patient = Patient()
        self.claim: ClaimLoop | None = None
        self.line: Line | None = None

    # -- helpers ------------------------------------------------------------------------
    def err(self, seg: Segment, msg: str, scope: str = "file") -> ClaimFormatError:
        """A problem of the file around the claims (scope "file"), or of one claim
        (scope "record")."""
        return ClaimFormatError(msg, seg.where(self.name), scope)

    def problem(self, seg: Segment, msg: str) -> Iterator[ClaimFormatError]:
        """Attach to the open claim, or yield on its own."""
        if self.claim is not None:
            self.claim.problems.append((seg, msg))
        else:
            yield self.err(seg, msg)

    def end_loop(self) -> Iterator[ClaimFormatError]:
        hl, names = self.hl, self.names
        if hl is None or self.skip:
            return
        need = {"20": [("85", "billing provider name NM1*85 (loop 2010AA)")],
                "22": [("IL", "subscriber name NM1*IL (loop 2010BA)"),
                       ("PR", "payer name NM1*PR (loop 2010BB)")],
                "23": [("QC", "patient name NM1*QC (loop 2010CA)")]}.get(self.level or "", [])
        loop = {"20": "2000A", "22": "2000B", "23": "2000C"}.get(self.level or "", "")
        for code, what in need:
            if code not in names:
                found = f" (found NM1*{', NM1*'.join(names)})" if names else ""
                yield self.err(hl, f"loop {loop} has no {what}, which is required{found}")
        if self.level == "20" and names.count("85") > 1:
            yield self.err(hl, "loop 2000A repeats the billing provider name NM1*85 "
                               f"({names.count('85')} times); loop 2010AA may appear once")

    def finish_claim(self, cut: str | None = None) -> Iterator[Claim | ClaimFormatError]:
        c, self.claim, self.line = self.claim, None, None
        if c is None:
            return
        if cut:
            c.problems.append((c.clm, cut))
        if not c.has_hi:
            c.problems.append((c.clm, ("the claim has no HI diagnosis segment (required in "
                                      "loop 2300)")))
        if not c.lines:
            c.problems.append((c.clm, ("the claim has no service line (loop 2400: LX then "
                                      "SV1, at least one is required)")))
        for ln in c.lines:
            if ln.sv1 is None:
                c.problems.append((ln.lx, "service line LX has no SV1 professional service"))
        cid = c.clm.el(1) or "(no id)"
        if c.problems:
            seg, msg = c.problems[0]
            more = "".join(f"; also segment {s.number} ({s.id}): {m}"
                           for s, m in c.problems[1:4])
            yield self.err(seg, f"claim {cid} not read: {msg}{more}", "record")
            return
        yield build_claim(c, cid, self.name)

    def close_transaction(self, seg: Segment, why: str) -> Iterator[Claim | ClaimFormatError]:
        if self.st is None:
            return
        yield from self.finish_claim(f"the transaction was cut off: {why}")
        yield from self.end_loop()
        yield self.err(self.st, f"transaction ST*{self.st.el(1)}*{self.st.el(2)} is not "
                                f"closed by SE: {why}")
        self.st, self.skip, self.hl = None, False, None

    def envelope(self, s: Segment) -> Iterator[Claim | ClaimFormatError]:
        sid = s.id
        if sid == "ISA":
            yield from self.close_transaction(s, "a new ISA interchange starts")
            if self.isa is not None:
                yield self.err(s, f"interchange {self.isa.interchange} has no IEA trailer "
                                  "before this ISA")
            self.isa, self.gs = s, None
        elif sid == "IEA":
            yield from self.close_transaction(s, "the IEA trailer comes first")
            if self.isa is None:
                yield self.err(s, "IEA trailer without an ISA header")
            elif s.el(2) != self.isa.el(13):
                yield self.err(s, f"IEA02 control number {s.el(2)!r} does not match ISA13 "
                                  f"{self.isa.el(13)!r}")
            self.isa, self.gs = None, None
        elif sid == "GS":
            yield from self.close_transaction(s, "a new GS group starts")
            if self.isa is None:
                yield self.err(s, "GS group header outside an interchange (no ISA before it)")
            self.gs = s
        elif sid == "GE":
            yield from self.close_transaction(s, "the GE trailer comes first")
            if self.gs is None:
                yield self.err(s, "GE trailer without a GS group header")
            elif s.el(2) != self.gs.el(6):
                yield self.err(s, f"GE02 control number {s.el(2)!r} does not match GS06 "
                                  f"{self.gs.el(6)!r}")
            self.gs = None
        elif sid == "ST":
            yield from self.close_transaction(s, "a new ST transaction starts")
            yield from self.start(s)
        elif sid == "SE":
            if self.st is None:
                yield self.err(s, "SE trailer without an ST header")
                return
            yield from self.finish_claim()
            yield from self.end_loop()
            if s.el(2) != self.st.el(2):
                yield self.err(s, f"SE02 control number {s.el(2)!r} does not match ST02 "
                                  f"{self.st.el(2)!r}")
            self.st, self.skip, self.hl = None, False, None

    def start(self, s: Segment) -> Iterator[ClaimFormatError]:
        self.st, self.skip, self.hl, self.level, self.names = s, False, None, None, []
        if self.gs is None:
            yield self.err(s, "ST transaction outside a GS functional group")
        version = s.el(3) or (self.gs.el(8) if self.gs else "")
        kind = None
        if s.el(1) != "837":
            kind = _NOT_837.get(s.el(1), f"an X12 {s.el(1) or '(no type)'} transaction")
        else:
            kind = next((v for k, v in _OTHER_837.items() if k in version), None)
        if kind is None:
            self.seen_837 = True
            return
        self.skip = True
        self.kinds.append(kind)
        yield self.err(s, f"transaction ST*{s.el(1)} is {kind}, not an 837P professional "
                          "claim; skipped")

    def segment(self, s: Segment) -> Iterator[Claim | ClaimFormatError]:
        if s.problem:
            if not self.skip:
                yield from self.problem(s, s.problem)
            self.prev = s.id
            return
        if s.id in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
            yield from self.envelope(s)
        elif self.st is None:
            yield self.err(s, f"segment {s.id} is outside a transaction (no ST before it)")
        elif not self.skip:
            yield from self.body(s)
        self.prev = s.id

    def body(self, s: Segment) -> Iterator[Claim | ClaimFormatError]:
        sid, c = s.id, self.claim
        if sid == "HL":
            yield from self.finish_claim()
            yield from self.end_loop()
            self.hl, self.level, self.names, self.nm1 = s, s.el(3), [], ""
            if self.level in ("20", "22"):
                self.subscriber = self.patient = Patient()
            elif self.level == "23":
                self.patient = Patient()
            elif self.level != "20":
                yield self.err(s, f"HL03 level {s.el(3)!r} is not one of 20 (billing "
                                  "provider), 22 (subscriber), 23 (patient)")
        elif sid == "NM1":
            self.nm1 = s.el(1)
            if c is None:
                self.names.append(s.el(1))
            if s.el(2) not in ("1", "2"):
                yield from self.problem(s, f"NM102 entity type {s.el(2)!r} must be 1 "
                                           "(person) or 2 (organisation)")
        elif sid == "N3" and self.prev != "NM1":
            yield from self.problem(s, f"N3 address must come right after its NM1 name "
                                       f"segment, not after {self.prev}")
        elif sid == "N4" and self.prev != "N3":
            yield from self.problem(s, f"N4 city/state/ZIP must come right after N3, not "
                                       f"after {self.prev}")
        elif sid == "DMG" and c is None:
            self.dmg(s)
        elif sid == "CLM":
            yield from self.finish_claim()
            c = self.claim = ClaimLoop(s, self.patient)
            if self.level not in ("22", "23"):
                c.problems.append((s, ("CLM is not inside a subscriber (HL*22) or patient "
                                      "(HL*23) loop")))
            if not s.el(1):
                c.problems.append((s, "CLM01 claim id is empty"))
            if not s.el(5):
                c.problems.append((s, ("CLM05 (place of service, facility code qualifier, "
                                      "frequency code) is empty; it is required")))
        elif c is None:
            if sid in ("HI", "LX", "SV1"):
                yield self.err(s, f"{sid} is outside a claim (no CLM before it)")
        elif sid == "HI":
            read_hi(s, c)
        elif sid == "LX":
            self.line = Line(s)
            c.lines.append(self.line)
        elif sid == "SV1":
            read_sv1(s, c, self.line)
        elif sid == "DTP" and s.el(1) == "472":
            date, raw, problem = dtp(s)
            if problem:
                c.problems.append((s, problem))
            if self.line is not None:
                self.line.date, self.line.raw_date = date, raw
            else:
                c.date, c.raw_date = date, raw

    def dmg(self, s: Segment) -> None:
        """Birth date and sex of the subscriber (2010BA) or patient (2010CA); a birth date
        that does not parse is kept in ``Patient.extra["raw_birth_date"]``."""
        if (self.level, self.nm1) not in (("22", "IL"), ("23", "QC")):
            return
        birth, raw = d8(s.el(2)) if s.el(1) in ("D8", "") else (None, s.el(2) or None)
        p = Patient(birth_date=birth, sex=parse_sex(s.el(3)),
                    extra={"raw_birth_date": raw} if raw else {})
        if self.level == "22":
            self.subscriber = p
        self.patient = p

    def finish(self) -> Iterator[Claim | ClaimFormatError]:
        if self.st is not None:
            yield from self.close_transaction(self.st, "the file ends (truncated?)")
        if self.gs is not None:
            yield self.err(self.gs, "group GS is not closed by GE before the end of the file")
        if self.isa is not None:
            yield self.err(self.isa, f"interchange {self.isa.interchange} has no IEA trailer "
                                     "(the file ends first; truncated?)")
        if not self.seen_837:
            if self.kinds:
                what = "; ".join(sorted(set(self.kinds)))
                extra = (" (a 999 tells the sender whether its claim file was accepted; it "
                         "carries no claims)" if any("999" in k for k in self.kinds) else "")
                raise ClaimFormatError(f"holds no 837P professional claim: it is {what}"
                                       f"{extra}", self.name)
            raise ClaimFormatError("holds no X12 transaction (no ST segment)", self.name)


def read_x12(chunks: Iterable[bytes], name: str) -> Iterator[Claim | ClaimFormatError]:
    """Claims of an X12 837P file, read lazily from byte chunks (see module docstring)."""
    reader = _Reader(name)
    held: list[Claim | ClaimFormatError] = []   # errors before the first 837 transaction
    for seg in iter_segments(chunks, name):
        for item in reader.segment(seg):
            if not reader.seen_837:
                if len(held) < 1000:
                    held.append(item)
                continue
            if held:
                yield from held
                held = []
            yield item
    tail = list(reader.finish())     # raises when the file held no 837 transaction
    yield from held
    yield from tail
