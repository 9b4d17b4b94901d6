"""Clinical reading of a query: what a coder infers beyond the words.

* laterality ("left", "right", "bilateral", "both"): codes of the stated side rank first,
  codes of the other side drop, the unspecified side drops a little (ICD-10-PCS: the other
  side's operations drop);
* status and encounters ("history of", "hx", "s/p", "status post", "follow-up",
  "screening", "encounter for", "vaccine", "shot"): the Z codes that code them rank first
  and procedure codes drop (the user described a patient, not an operation);
* vaccines: the encounter for immunization (Z23) and, when the HCPCS file is loaded, the
  Medicare administration code of the vaccine named (G0008 influenza, G0009 pneumococcal,
  G0010 hepatitis B) are offered first;
* items: a query whose head noun is equipment, a supply, an orthosis or prosthesis, a drug
  injection or a transport ("cpap machine", "knee brace", "ketorolac injection",
  "ambulance mileage") asks for the HCPCS Level II item: HCPCS codes rank up, diagnosis
  status codes ("dependence on wheelchair") and procedures down, and HCPCS parts and
  accessories the query did not name ("replacement", "attachment") down.

Everything here adjusts scores after the text ranking; it never removes a match.
"""

from __future__ import annotations

import re
from collections import namedtuple

_SIDES = {"left": "left", "lt": "left", "right": "right", "rt": "right",
          "bilateral": "bilateral", "both": "bilateral", "bilat": "bilateral"}
_OPPOSITE = {"left": ("right", "bilateral"), "right": ("left", "bilateral"),
             "bilateral": ("left", "right")}
_STATUS = re.compile(r"\b(?:hx|history|status\s+post|s\s+p|personal\s+history|long\s+term\s+use|"
                     r"presence\s+of|former|ex)\b"  # "former smoker", "ex-smoker"
                     r"|^ on "  # "on insulin", "on blood thinners": long-term drug therapy
                     r"|^ (?:has|have|had|wears|uses) (?:an? )?")  # "has pacemaker": a status
#: "on insulin": long-term (current) drug therapy is coded Z79.-
_ON_DRUG = re.compile(r"^ on ")
#: a follow-up examination after treatment of cancer is Z08, of anything else Z09
_CANCER = re.compile(r"\b(?:cancer|ca|malignan\w*|carcinoma|tumou?r|neoplasm|lymphoma|"
                     r"leukemia|melanoma|sarcoma|onc\w*)\b")
#: ICD-10-CM guidelines I.C.19.e.5.b and I.C.20.f: when the intent is not documented, an
#: injury or poisoning is coded as accidental -- assault, self-harm and undetermined intent
#: codes only when the query names the intent
_INTENT_NAMED = re.compile(r"\b(?:assault\w*|attack\w*|self\s*harm|self\s*inflicted|suicid\w*|"
                           r"intentional\w*|homicid\w*|undetermined|legal|police|war|"
                           r"terroris\w*|abuse\w*|maltreat\w*|fight\w*|punch\w*|stab\w*|"
                           r"shot\s+by|beat\w*)\b")
#: self-harm or assault named: the accidents' own blocks (V00-X58) are not the event's code
#: ("jumped from building suicide attempt" is X80, not the fall W13.9)
_HARM = re.compile(r"\b(?:suicid\w*|self\s*harm|self\s*inflicted|intentional\w*|assault\w*|"
                   r"homicid\w*)\b")
_INTENT_TITLE = re.compile(r"intentional self-harm|\bassault\b|\bundetermined\b|"
                           r"legal intervention|war operations|terrorism")
#: the Neoplasm Table's default column for "cancer", "carcinoma", "malignancy" is Primary:
#: secondary (metastatic) codes only when the query says so
_SECONDARY_NAMED = re.compile(r"\b(?:metasta\w*|secondar\w*|mets?|spread\w*)\b")
#: chapter 15 (O) codes are for the mother's record, chapter 16 (P) for the newborn's
#: (guidelines I.C.15.a.1, I.C.16.a.1): only when the query names pregnancy or a newborn
_PREGNANCY_NAMED = re.compile(r"\b(?:pregnan\w*|preg|obstetric\w*|maternal|antepartum|"
                              r"postpartum|puerper\w*|labou?r|deliver\w*|gestation\w*|"
                              r"trimester|prenatal|ectopic|miscarr\w*|abortion|\w*eclampsia|"
                              r"hyperemesis|placent\w*|cesarean|c\s*section|weeks)\b")
_NEWBORN_NAMED = re.compile(r"\b(?:newborns?|neonat\w*|perinatal|infants?|bab(?:y|ies)|"
                            r"fetal|fetus|birth|preterm|premature|prematurity|nicu)\b")
_SCREEN = re.compile(r"\bscreen(?:ing)?\b")
_FOLLOW = re.compile(r"\bfollow[\s-]*ups?\b|\bf\s*/\s*u\b")
_ENCOUNTER = re.compile(r"\bencounter\s+for\b")
_VACCINE = re.compile(r"\b(?:vaccin\w*|immuni[sz]\w*|shots?|jabs?|booster)\b")
#: a reaction to a vaccine is its adverse effect (T50.A-/T50.B-/T50.Z-), not the encounter
_REACTION = re.compile(r"\b(?:adverse|reactions?|allerg\w*|anaphyla\w*|side\s+effects?)\b")
_PROCEDURE = re.compile(r"(?:ectomy|otomy|ostomy|plasty|scopy|graphy|centesis|pexy|rrhaphy|"
                        r"tripsy|ization|dialysis)\b|\b(?:orif|(?:skin|bone)\s+grafts?|removal|repair|replacement|excision|"
                        r"insertion|resection|extraction|transplant\w*|biopsy|surgery|operation|"
                        r"procedure|amputation|implant\w*|bypass|transfusion|intubation|"
                        r"dialysis|ventilation|"
                        # the root operations of ICD-10-PCS section 0 (those no diagnosis
                        # title uses: not occlusion, restriction, detachment, control) and
                        # the everyday words for them
                        r"placement|placed|insert|creation|release|fusion|ablation|"
                        r"debridement|drainage|incision|ligation|reattachment|revision|"
                        r"dilation|dilatation|inspection|fragmentation|reposition|"
                        # imaging and measurement (ICD-10-PCS sections B and 4)
                        r"x\s*rays?|radiographs?|ct|cat\s+scan|mri|ultrasound|sonogram|"
                        r"echocardiogram|ekg|ecg)\b")
#: head nouns of HCPCS Level II item titles (the last word before the first comma of the
#: 2020 file's A, B, E, J, K, L and V codes: "Walker, folding ...", "Injection, ketorolac
#: ...", "Knee orthosis, ..."), body parts and generic words left out, with their plurals
#: and the everyday words for the same items (brace = orthosis, machine/unit = device)
_ITEMS = frozenset("""
    injection injections orthosis orthoses orthotic orthotics brace braces splint splints
    device devices machine unit wheelchair wheelchairs prosthesis prostheses prosthetic
    pouch pouches dressing dressings lenses pump pumps catheter catheters bed beds cushion
    gauze bandage bandages supply supplies garment formula compressor mattress stocking
    stockings equipment chair battery batteries nebulizer nebuliser walker walkers lift boot
    boots footwear shoe shoes sock socks monitor tubing stimulator frames mask masks kit
    humidifier ventilator needle needles syringe syringes helmet seat strips strip
    concentrator cylinder tank lancet lancets glucometer meter eyeglasses glasses scooter
    oximeter urinal commode crutch crutches cane canes collar trapeze truss mileage
    ambulance transport transportation insert inserts
    solution solutions tablet tablets capsule capsules vial vials suppository suppositories
""".split())
#: a query naming what happened to the patient or the item is not asking for the item
_NOT_ITEM = re.compile(r"\b(?:fall\w*|fell|struck|hit|accident\w*|injur\w*|bit\w*|burn\w*|"
                       r"collision|complication\w*|malfunction\w*|infect\w*|failure|"
                       r"displace\w*|leak\w*|breakdown|dependen\w*|fitting|adjustment|"
                       r"reaction|allerg\w*|poison\w*|overdose|toxic\w*|adverse)\b")
_PARTS = re.compile(r"\b(?:replacement|accessory|attachment|addition)\b")
#: ICD-10-PCS approach (5th character) a query names: an endoscope through a natural opening
#: (colonoscopy, EGD: 8), a laparoscope/arthroscope (4), open (0), percutaneous (3)
_APPROACHES = (
    ("4", re.compile(r"\b(?:lap|laparoscop\w*|arthroscop\w*|thoracoscop\w*|"
                     r"percutaneous\s+endoscop\w*|vats)\b")),
    ("8", re.compile(r"\b(?:endoscop\w*|egd|ercp|\w+oscop(?:y|ic))\b")),
    ("0", re.compile(r"\bopen\b|\borif\b")),
    ("3", re.compile(r"\b(?:percutaneous\w*|needle)\b")),
    ("X", re.compile(r"\b(?:external|closed)\b")))
#: imaging named (ICD-10-PCS section B: plain radiography, fluoroscopy, CT, MRI, ultrasound)
_IMAGING = re.compile(r"\b(?:x\s*rays?|xrays?|radiograph\w*|radiography|fluoroscop\w*|ct|cat|"
                      r"scans?|mri|mra|magnetic|ultrasound\w*|ultrasonograph\w*|sonogra\w*|"
                      r"echo\w*|doppler|imaging|tomograph\w*|angiogra\w*|venogra\w*|"
                      r"arteriogra\w*|mammogra\w*|myelogra\w*|urogra\w*|"
                      r"cholangiogra\w*|study|film|films|view|views|contrast)\b")
#: approach a PCS code of these root operations most often has when the query names none:
#: drainage, insertion and dilation (catheter, tube, line, stent), and the Administration
#: section's introductions (an infusion or injection into a vein) are done through the skin
_PERCUTANEOUS_OPS = frozenset("9H7")
#: vaccine named in the query -> HCPCS administration code (Medicare Part B)
_ADMIN = (("G0008", re.compile(r"\b(?:flu|influenza)\b")),
          ("G0009", re.compile(r"\b(?:pneumo\w*|pneumonia|prevnar|pneumovax)\b")),
          ("G0010", re.compile(r"\bhep(?:atitis)?\s*b\b")))

SIDE_MATCH, SIDE_OPPOSITE, SIDE_UNSPECIFIED = 0.3, -3.0, -0.8
#: "bilateral": a code of one side is half the answer (guideline I.B.13), above unrelated codes
SIDE_ONE_OF_BOTH = -1.0
#: the query names an operation and no status: today's procedure codes (ICD-10-PCS) first
PROCEDURE_NOW = 1.5
STATUS_Z, STATUS_PROCEDURE = 2.5, -4.0
STATUS_UNASKED = -1.0
ON_DRUG = 1.0
#: an intent the query did not name (assault, self-harm, undetermined): accidental first
INTENT_UNSTATED = -2.0
ACCIDENT_UNASKED = -2.0
#: a malignancy the query does not call secondary or metastatic: the primary site first
SECONDARY_UNSTATED = -1.5
#: a maternal (O) or newborn (P) code for a query naming neither
POPULATION_UNSTATED = -1.0
#: an item asked for: HCPCS up, other systems down, parts the query did not name down
ITEM_HCPCS, ITEM_OTHER, ITEM_PART = 1.5, -0.7, -1.0
#: an ICD-10-PCS code with the approach the query names (a scope, laparoscopic, open);
#: without one, the usual approach of the root operation: small steps that order a table's
#: approaches and never lift a code over a better text match
APPROACH_NAMED, APPROACH_USUAL = 0.6, 0.3
#: an ICD-10-PCS Imaging (section B) code for a query naming no imaging
IMAGING_UNASKED = -1.0
PROCEDURE_SYSTEMS = frozenset({"ICD-10-PCS", "CPT"})


class Reading(namedtuple("Reading", "side status procedure admin administration item drug "
                         "cancer intent secondary populations approach imaging harm",
                         defaults=(None, None, False, (), False, 0, False, False, True, True,
                                   "OP", "", False, False))):
    """side; status: history | screening | follow-up | encounter | vaccine; procedure: the
    query names an operation ("s/p appendectomy"); admin: HCPCS vaccine administration
    codes named; administration: the query names the service ("administration of");
    item: the query asks for a HCPCS Level II item (equipment, supply, drug, transport):
    1, or 2 when it names a part too ("replacement battery for ...").
    A named tuple, not a dataclass (that import costs a one-shot CLI search ~9 ms)."""

    __slots__ = ()
    side: str | None
    status: str | None
    procedure: bool
    admin: tuple[str, ...]
    administration: bool
    item: int
    drug: bool      # "on <drug>": long-term drug therapy (Z79.-)
    cancer: bool    # the query names a malignancy (a cancer follow-up is Z08)
    intent: bool    # the query names an intent (assault, self-harm, undetermined)
    secondary: bool  # the query calls a malignancy secondary or metastatic
    populations: str  # "O" pregnancy, "P" newborn: the ones the query names
    approach: str   # ICD-10-PCS approach characters the query names ("8": a scope)
    imaging: bool   # the query names an imaging study (x-ray, CT, MRI, ultrasound ...)
    harm: bool      # the query names self-harm or assault ("suicide attempt by hanging")

    @property
    def active(self) -> bool:
        return (self.side is not None or self.status is not None or self.procedure
                or self.item or not self.intent or not self.secondary
                or self.populations != "OP" or self.harm)


def read(query: str) -> Reading:
    text = " " + " ".join(query.lower().replace("-", " ").split()) + " "
    words = re.findall(r"[a-z]+", text)
    sides = {_SIDES[w] for w in words if w in _SIDES}
    side = sides.pop() if len(sides) == 1 else ("bilateral" if len(sides) > 1 else None)
    status = None
    if _VACCINE.search(text) and not _REACTION.search(text):
        status = "vaccine"
    elif _SCREEN.search(text):
        status = "screening"
    elif _FOLLOW.search(query.lower()):
        status = "follow-up"
    elif _STATUS.search(text) or re.search(r"\bs/p\b|\bh/o\b", query.lower()):
        status = "history"
    elif _ENCOUNTER.search(text):
        status = "encounter"
    admin: tuple[str, ...] = ()
    if status == "vaccine":
        admin = tuple(code for code, rx in _ADMIN if rx.search(text))
    procedure = bool(_PROCEDURE.search(text))
    item = 0
    if status is None and _asks_item(words, text):
        parts = bool(_PARTS.search(text))
        if parts and not _PROCEDURE.search(_PARTS.sub(" ", text)):
            item, procedure = 2, False  # "replacement battery for ...": a part, not surgery
        elif not procedure:
            item = 1
    return Reading(side, status, procedure, admin,
                   bool(admin) and re.search(r"\badmin\w*", text) is not None,
                   item, bool(_ON_DRUG.search(text)), bool(_CANCER.search(text)),
                   bool(_INTENT_NAMED.search(text)), bool(_SECONDARY_NAMED.search(text)),
                   ("O" if _PREGNANCY_NAMED.search(text) else "")
                   + ("P" if _NEWBORN_NAMED.search(text) else ""),
                   _approach(text), bool(_IMAGING.search(text)), bool(_HARM.search(text)))


def _approach(text: str) -> str:
    """The ICD-10-PCS approach characters named ("laparoscopic" is 4, not also a scope 8)."""
    for ch, rx in _APPROACHES:
        if rx.search(text):
            return ch
    return ""


def _asks_item(words: list[str], text: str) -> bool:
    """The query's head noun (its last word, or "injection of ...") is a HCPCS item."""
    content = [w for w in words if w not in ("of", "for", "the", "a", "an", "with")]
    if not content or _NOT_ITEM.search(text):
        return False
    return content[-1] in _ITEMS or content[0] in ("injection", "injections")


def _title_sides(title: str) -> set[str]:
    t = title.lower()
    out = set()
    if re.search(r"\bleft\b", t):
        out.add("left")
    if re.search(r"\bright\b", t):
        out.add("right")
    if re.search(r"\bbilateral\b", t):
        out.add("bilateral")
    return out


def _approach_step(named: str, code: str) -> float:
    """Order the approaches of a PCS table: the one named, else the root operation's usual."""
    if named:
        return APPROACH_NAMED if code[4] == named else 0.0
    if code[4] == "3" and ((code[0] == "0" and code[2] in _PERCUTANEOUS_OPS)
                           or code[:3] == "3E0"):
        return APPROACH_USUAL
    return 0.0


def is_procedure(system: str, kind: str) -> bool:
    return system in PROCEDURE_SYSTEMS or (system == "ICD-9-CM" and "proc" in kind.lower())


def drops(reading: Reading, system: str, kind: str) -> bool:
    """A patient's history or status ("s/p appendectomy") is never the operation's code."""
    return reading.status == "history" and is_procedure(system, kind)


def adjust(reading: Reading, system: str, code: str, title: str, kind: str,
           matched: tuple[str, ...] = ()) -> tuple[float, str | None]:
    """(score change, reason) for one hit. ``matched``: why it matched; a match through the
    status lexicon ("status mi -> old myocardial infarction") counts as a status code."""
    delta = 0.0
    why: list[str] = []
    # ICD-10-PCS: an operation on the other side drops, one on a single side a little when
    # "bilateral" is asked; the stated side gets no lift over the diagnoses
    if reading.side and system in ("ICD-10-CM", "ICD-10-PCS"):
        sides = _title_sides(title)
        if reading.side in sides:
            if system == "ICD-10-CM":
                delta += SIDE_MATCH
                why.append(f"laterality: {reading.side}")
        elif reading.side == "bilateral" and sides & {"left", "right"}:
            delta += SIDE_ONE_OF_BOTH  # no bilateral code: right and left are coded
        elif sides & set(_OPPOSITE[reading.side]):
            delta += SIDE_OPPOSITE
        elif "unspecified" in title.lower() and system == "ICD-10-CM":
            delta += SIDE_UNSPECIFIED
    if reading.procedure and not reading.status:
        if system == "ICD-10-PCS":
            delta += PROCEDURE_NOW
            why.append("procedure: ICD-10-PCS")
        elif system == "ICD-10-CM" and code[:1] == "Z":
            delta += STATUS_UNASKED  # "cataract extraction" is the operation, not its status
    if system == "ICD-10-PCS" and len(code) == 7:
        delta += _approach_step(reading.approach, code)
        if code[0] == "B" and not reading.imaging:
            delta += IMAGING_UNASKED  # "kidney transplant" is the operation, not its scan
    if not reading.intent and system == "ICD-10-CM" and code[:1] in "TVWXY" \
            and _INTENT_TITLE.search(title.lower()):
        delta += INTENT_UNSTATED  # not documented: accidental
    elif reading.harm and system == "ICD-10-CM" and code[:1] in "VWX" and code[:3] < "X60":
        delta += ACCIDENT_UNASKED  # self-harm or assault named: not an accident's code
    if not reading.secondary and system == "ICD-10-CM" and code[:1] == "C" \
            and code[1:3] in ("77", "78", "79", "7B") and "secondary" in title.lower():
        delta += SECONDARY_UNSTATED  # "breast cancer" is the primary site's code
    if system == "ICD-10-CM" and code[:1] in "OP" and code[:1] not in reading.populations \
            and not any(m.startswith("synonym ") for m in matched):
        delta += POPULATION_UNSTATED  # "hyponatremia" is not the newborn's P74.22
    if reading.item:
        if system == "HCPCS":
            delta += ITEM_HCPCS
            why.append("item: HCPCS Level II")
            if _PARTS.search(title.lower()) and reading.item == 1:
                delta += ITEM_PART
        else:
            delta += ITEM_OTHER
    if reading.status:
        is_z = system == "ICD-10-CM" and (code[:1] == "Z" or (
            reading.status == "history" and any(m.startswith("status ") for m in matched)))
        if is_z and reading.drug and code[:3] == "Z79":
            delta += ON_DRUG  # "on insulin": the long-term use, not an insulin pump
        if is_z and reading.status == "follow-up" and not reading.cancer and (
                code[:3] == "Z08" or re.search(r"(?<!malignant )neoplasm", title.lower())):
            delta -= STATUS_Z  # Z08, Z48.3: the follow-up after a malignancy's treatment
        if is_z:
            delta += STATUS_Z
            why.append(f"{reading.status}: a Z code" if code[:1] == "Z" else
                       f"{reading.status}: a status code")
        elif is_procedure(system, kind) or (reading.status == "history"
                                            and system == "HCPCS"):
            delta += STATUS_PROCEDURE  # a history is neither a service nor a supply
        elif reading.status == "vaccine" and system == "ICD-10-CM" and code[:1] == "T":
            delta += STATUS_PROCEDURE  # an adverse effect of a vaccine is not its encounter
    return delta, ("; ".join(why) or None)
