"""Read an operation's name the way ICD-10-PCS titles word it (issue 13).

Surgeons name operations by a Greek or Latin combining form and a suffix ("oophorectomy",
"cystoscopy", "colostomy"); ICD-10-PCS titles name the root operation and the body part
("Resection of Right Ovary", "Inspection of Bladder", "Bypass Transverse Colon to
Cutaneous"). :func:`wordings` splits such a word into combining form and suffix and returns
the PCS wordings, read as synonyms of the word. pcs_terms.tsv still wins where it has the
name (it knows approaches and exceptions); this covers the many names it does not list.

Suffixes -> root operations follow the ICD-10-PCS Official Guidelines' definitions
(Resection = all of a body part, Excision = a portion, Inspection = visually exploring,
Bypass = altering the route of passage, Drainage = taking out fluids, Repair = restoring,
Reposition = moving to its normal location, Fragmentation = breaking solid matter into
pieces). Combining forms -> the body part names of the PCS tables (medical terminology).
"""

from __future__ import annotations

#: suffix -> (PCS root operation wordings; a "~" one is a broader reading)
SUFFIXES: dict[str, tuple[str, ...]] = {
    "ectomy": ("resection of", "~excision of"),
    "ostomy": ("bypass",),
    "oscopy": ("inspection of",),
    "scopy": ("inspection of",),
    "ocentesis": ("drainage of",),
    "centesis": ("drainage of",),
    "orrhaphy": ("repair",),
    "opexy": ("reposition", "~repair"),
    "oplasty": ("~repair", "~supplement", "~replacement of"),
    "plasty": ("~repair", "~supplement", "~replacement of"),
    "otripsy": ("fragmentation in",),
    "tripsy": ("fragmentation in",),
}

#: combining form -> the body part as PCS titles name it
ROOTS: dict[str, str] = {
    "append": "appendix", "appendic": "appendix", "cholecyst": "gallbladder",
    "hyster": "uterus", "tonsill": "tonsils", "adenoid": "adenoids", "mast": "breast",
    "mamm": "breast", "nephr": "kidney", "pyel": "kidney pelvis", "ureter": "ureter",
    "cyst": "bladder", "urethr": "urethra", "splen": "spleen", "thyroid": "thyroid gland",
    "parathyroid": "parathyroid gland", "adrenal": "adrenal gland", "prostat": "prostate",
    "col": "colon", "colon": "colon", "sigmoid": "sigmoid colon", "gastr": "stomach",
    "esophag": "esophagus", "duoden": "duodenum", "jejun": "jejunum", "ile": "ileum",
    "cec": "cecum", "proct": "rectum", "rect": "rectum", "oophor": "ovary",
    "salping": "fallopian tube", "orchi": "testis", "orchid": "testis", "vas": "vas deferens",
    "pneumon": "lung", "laryng": "larynx", "trache": "trachea", "bronch": "bronchus",
    "thorac": "pleural cavity", "arthr": "joint", "pericardi": "pericardial cavity",
    "hepat": "liver", "pancreat": "pancreas", "choledoch": "common bile duct",
    "cholangi": "bile duct", "rhin": "nasal", "sept": "nasal septum",
    "myring": "tympanic membrane", "tympan": "tympanic membrane", "kerat": "cornea",
    "vitr": "vitreous", "irid": "iris", "blephar": "eyelid", "gingiv": "gingiva",
    "gloss": "tongue", "uvul": "uvula", "colp": "vagina", "vulv": "vulva", "cervic": "cervix",
    "phleb": "vein", "ven": "vein", "neur": "nerve", "tenosynov": "tendon", "ten": "tendon",
    "disc": "disc", "disk": "disc", "lamin": "vertebra", "para": "peritoneal cavity",
    "abdomin": "peritoneal cavity", "thora": "pleural cavity", "lith": "",
    "esophagogastroduoden": "upper intestinal tract", "gastrojejun": "stomach",
}


def wordings(word: str) -> list[tuple[str, float]]:
    """PCS wordings of an operation's name ("oophorectomy" -> resection of ovary, ~excision
    of ovary), with weights (1.0, or BROAD for a broader reading); [] when not one."""
    from medcode.textsearch.synonyms import BROAD
    w = word.lower()
    for suffix, ops in SUFFIXES.items():
        if not w.endswith(suffix) or len(w) <= len(suffix) + 2:
            continue
        head = w[:-len(suffix)]
        part = ROOTS.get(head) or ROOTS.get(head.rstrip("oi")) or ROOTS.get(head + "o")
        if part is None:
            return []
        out = []
        for op in ops:
            broad = op.startswith("~")
            out.append((f"{op.lstrip('~')} {part}".strip(), BROAD if broad else 1.0))
        return out
    return []


#: an endoscope named with another operation ("colonoscopy with biopsy", "EGD with
#: polypectomy") names the approach, Via Natural or Artificial Opening Endoscopic, and the
#: region the scope reaches; the operation itself is the other word. Scope -> body parts
#: as the PCS tables name them (medical terminology: what each scope examines).
SCOPES: dict[str, tuple[str, ...]] = {
    "colonoscopy": ("colon", "large intestine", "cecum", "rectum"),
    "sigmoidoscopy": ("sigmoid colon", "rectum"),
    "egd": ("esophagus", "stomach", "duodenum"),
    "esophagogastroduodenoscopy": ("esophagus", "stomach", "duodenum"),
    "endoscopy": ("esophagus", "stomach", "duodenum"),
    "gastroscopy": ("stomach",),
    "bronchoscopy": ("bronchus", "lung", "trachea"),
    "cystoscopy": ("bladder", "urethra"),
    "hysteroscopy": ("uterus", "endometrium"),
    "ureteroscopy": ("ureter",),
}
SCOPE_APPROACH = "via natural or artificial opening endoscopic"
#: words naming an operation done through a scope (other than looking: Inspection)
SCOPE_OPERATIONS = frozenset("""
    biopsy biopsies polypectomy excision removal resection destruction dilation dilatation
    ablation drainage extraction insertion placement ligation banding clipping fulguration
    cauterization stent stenting control
""".split())


def scope_wordings(word: str, others: list[str]) -> list[str]:
    """Body part + endoscopic approach wordings of a scope ``word`` when ``others`` (the
    query's other words) name an operation done through it; [] otherwise."""
    sites = SCOPES.get(word)
    if not sites or not any(w in SCOPE_OPERATIONS or w.endswith("ectomy") for w in others):
        return []
    return [f"{site} {SCOPE_APPROACH}" for site in sites]
