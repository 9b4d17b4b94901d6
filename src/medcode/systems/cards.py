"""A short factual card per code system: the text of ``medcode systems``.

Claim locations: X12 837P (professional, 005010X222A1) and 837I (institutional,
005010X223A2); paper CMS-1500 (professional) and UB-04 (institutional). Diagnosis
qualifiers in the HI segment: ABK principal, ABF other, ABJ admitting, ABN external cause
(ICD-10); BK, BF, BJ, BN for ICD-9-CM. Procedure qualifiers: BBR principal, BBQ other
(ICD-10-PCS); BR, BQ for ICD-9-CM volume 3.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class SystemCard:
    system: str          # contract name
    full_name: str
    maintained_by: str
    codes: str           # what it codes
    structure: str
    examples: str
    updates: str         # how often it changes
    on_claims: str       # where it goes on a claim
    differs: str         # how it differs from the others


SYSTEM_CARDS: tuple[SystemCard, ...] = (
    SystemCard(
        "ICD-10-CM",
        "International Classification of Diseases, 10th Revision, Clinical Modification",
        "CDC's National Center for Health Statistics (NCHS), with CMS; the official coding "
        "guidelines come from the Cooperating Parties (AHA, AHIMA, CMS, NCHS)",
        "diagnoses, symptoms and reasons for an encounter, in every US care setting",
        "3 to 7 characters: a letter, a digit, then letters or digits; a dot after the 3rd "
        "(left out on claims); only the most specific codes are billable; a 7th character "
        "needs placeholder X padding to 6",
        "E11.9, I10, S72.001A",
        "every October 1 (the federal fiscal year), sometimes with an April 1 update",
        "837P and 837I: HI segment (ABK principal, ABF others); CMS-1500 box 21 (A-L, "
        "pointed to from 24E); UB-04 form locators 67 and 67A-Q",
        "a diagnosis system: it says why, never what was done; the US clinical "
        "modification of WHO ICD-10, with far more detail (laterality, 7th characters)"),
    SystemCard(
        "ICD-10-PCS",
        "International Classification of Diseases, 10th Revision, Procedure Coding System",
        "CMS (developed for it by 3M Health Information Systems)",
        "procedures done to hospital inpatients, reported by the facility",
        "exactly 7 characters from 0-9 and A-Z without I and O; each position is an axis "
        "whose meaning depends on the section (character 1) and the characters before it",
        "0DTJ4ZZ (laparoscopic appendectomy), B2140ZZ",
        "every October 1, sometimes with an April 1 update (mostly new technology codes)",
        "837I HI segment (BBR principal, BBQ other procedures); UB-04 form locator 74 and "
        "74a-e; never on a professional claim",
        "inpatient facility procedures only: physicians and outpatient departments report "
        "CPT/HCPCS instead; built from axes, not a hierarchy of titles"),
    SystemCard(
        "ICD-9-CM",
        "International Classification of Diseases, 9th Revision, Clinical Modification",
        "NCHS (diagnoses, volumes 1-2) and CMS (procedures, volume 3); no longer maintained",
        "diagnoses and inpatient procedures in the US before October 1, 2015",
        "diagnoses 001-999 with up to 2 decimals, V01-V91 (supplementary), E000-E999 (external "
        "causes, 1 decimal); procedures 00-99 with up to 2 decimals",
        "250.00, V45.81, E880.9; procedure 36.06",
        "frozen: v32 (FY2015) is the final release; replaced by ICD-10-CM/PCS for services "
        "on or after 2015-10-01",
        "historical claims only: HI qualifiers BK/BF (diagnoses), BR/BQ (procedures)",
        "numeric-first codes with a different hierarchy; mapped to ICD-10 by the CMS GEMs, "
        "often one-to-many"),
    SystemCard(
        "CPT",
        "Current Procedural Terminology (HCPCS Level I)",
        "the American Medical Association (AMA), which holds its copyright; descriptors "
        "need a license",
        "services and procedures by physicians and other professionals, and outpatient "
        "hospital services",
        "5 characters: Category I is numeric in six sections (E/M, Anesthesia, Surgery, "
        "Radiology, Pathology/Lab, Medicine); Category II = 4 digits + F, Category III = "
        "4 digits + T, PLA = 4 digits + U; 2-character modifiers (25, 59, ...)",
        "99213, 0001U, 0042T, 1036F",
        "annually on January 1; Category III codes twice a year, PLA codes quarterly",
        "837P SV1 (qualifier HC); 837I SV2 with a revenue code; CMS-1500 box 24D with up "
        "to 4 modifiers; UB-04 form locator 44",
        "says what was done on a line, not why; licensed, so medcode reads descriptors "
        "only from a file the user holds"),
    SystemCard(
        "HCPCS",
        "Healthcare Common Procedure Coding System, Level II",
        "CMS (HCPCS workgroup); public domain",
        "products, supplies, drugs, durable medical equipment, ambulance and services "
        "CPT does not cover",
        "a letter A-V + 4 digits, the letter naming the family (J drugs, E DME, L "
        "orthotics/prosthetics, G temporary professional, ...); 2-character modifiers "
        "(LT, RT, XE, TC, ...); add, effective and termination dates in the file",
        "J1100, E0601, G0439",
        "quarterly: January 1, April 1, July 1, October 1",
        "same places as CPT: 837P SV1 (HC), 837I SV2, CMS-1500 box 24D, UB-04 form locator 44",
        "CPT's companion on the same line fields; changes more often; free to use"),
    SystemCard(
        "ICD-10",
        "International Statistical Classification of Diseases and Related Health Problems, "
        "10th Revision",
        "the World Health Organization (WHO)",
        "diagnoses and causes of death, internationally",
        "3 or 4 characters: a letter, two digits, and optionally a dot and one digit",
        "E11.9, J18.9",
        "updated by WHO until its final 2019 version; ICD-11 succeeds it",
        "not on US claims; the US uses it for death certificates (mortality coding)",
        "the base ICD-10-CM extends; shorter codes, no 7th characters; many countries have "
        "their own modification"),
    SystemCard(
        "ICD-11",
        "International Classification of Diseases, 11th Revision, Mortality and Morbidity "
        "Statistics (MMS)",
        "the World Health Organization (WHO)",
        "diagnoses, causes of death and other health conditions, internationally",
        "stem codes of 4 characters (+ dot + up to 2): chapter, a letter, a digit, a "
        "letter or digit, never I or O (1A00, BA00.0); extension codes start with X and are "
        "combined with stem codes (postcoordination)",
        "1A00, BA00.0, 5A11",
        "in effect since 2022-01-01; WHO releases updates yearly",
        "not adopted in the US: never on a US claim",
        "a new structure (letter second, extension codes, a digital-first design); medcode "
        "checks its format only"),
)


def card(system: str) -> SystemCard:
    for c in SYSTEM_CARDS:
        if c.system.lower() == system.strip().lower():
            return c
    raise KeyError(f"no card for {system!r}; known: "
                   + ", ".join(c.system for c in SYSTEM_CARDS))


_LABELS = {"maintained_by": "Maintained by", "codes": "Codes", "structure": "Structure",
           "examples": "Examples", "updates": "Changes", "on_claims": "On a claim",
           "differs": "How it differs"}


def render_cards(systems: list[str] | None = None, width: int = 88) -> str:
    """Plain text of the cards (all, or the systems named), wrapped to ``width``."""
    import textwrap

    chosen = [card(s) for s in systems] if systems else list(SYSTEM_CARDS)
    blocks = []
    for c in chosen:
        lines = [textwrap.fill(f"{c.system}: {c.full_name}", width=width,
                               subsequent_indent="  ")]
        for f in fields(c):
            if f.name in _LABELS:
                label = f"  {_LABELS[f.name]}: "
                lines.append(textwrap.fill(getattr(c, f.name), width=width,
                                           initial_indent=label,
                                           subsequent_indent=" " * len(label)))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
