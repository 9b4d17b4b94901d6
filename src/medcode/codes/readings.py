"""validate() for every reading of a code: the systems other than ICD-10-CM, and codes of
more than one shape (J1100: HCPCS J1100 or ICD-10-CM J11.00).

The policy (README, "Codes of more than one shape"): the readings that count on a date are
the plausible ones (see :mod:`medcode.codes.identification`) whose system is in use then:
ICD-9-CM before 2015-10-01, ICD-10-CM/PCS from that day, CPT and HCPCS always. With one
such reading the answer is that reading's. With several, the code is valid only when every
reading is; when they disagree it is not ("ambiguous"), and ``--system`` picks one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from medcode.codes.validity import Validation, validate_icd10cm
from medcode.errors import InvalidCode, NoRelease
from medcode.store.db import Store
from medcode.store.freshness import today as _today

ICD10_START = dt.date(2015, 10, 1)
CM = "ICD-10-CM"
#: systems validate can answer for
SYSTEMS = ("ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "CPT", "HCPCS")
_HCPCS_HOW = "import it with `medcode data import hcpcs FILE` or `medcode data fetch hcpcs`"


def in_use(system: str, day: dt.date) -> bool:
    """Whether US claims used ``system`` for services on ``day``."""
    if system == "ICD-9-CM":
        return day < ICD10_START
    if system in ("ICD-10-CM", "ICD-10-PCS"):
        return day >= ICD10_START
    return True


def day_of(store: Store, on: dt.date | None, release: str | None,
           system: str = CM) -> dt.date:
    """The date the non-ICD-10-CM readings are judged on: ``on``, else the last day of the
    release asked for (of ``system``, else of ICD-10-CM), else today."""
    if on is not None:
        return on
    if release:
        for name in dict.fromkeys((system, CM)):
            try:
                rel = store.resolve(name, release=release)
                return rel.effective_to or rel.effective_from
            except NoRelease:
                continue
    from medcode.store.freshness import today
    return today()


def pcs_release(store: Store, on: dt.date | None, release: str | None) -> Any:
    """The ICD-10-PCS release for ``on``; without a date the one named ``release`` when it is
    loaded, else the newest (as for ICD-10-CM)."""
    if on is not None:
        return store.resolve("ICD-10-PCS", on=on)
    try:
        return store.resolve("ICD-10-PCS", release=release)
    except NoRelease:
        return store.resolve("ICD-10-PCS")


def _when(on: dt.date | None, day: dt.date) -> str:
    return f"on {on}" if on else f"on {day} (today)"


def in_system(store: Store, system: str, raw: str, shown: str, on: dt.date | None,
              release: str | None) -> Validation:
    """The answer for ``raw`` read as a code of ``system`` (``shown``: its display form)."""
    text = str(raw).strip()
    day = day_of(store, on, release, system)
    # a release asked for without a date: the answer is about that release, not "today"
    when = f"in {release}" if release and on is None and day != _today() else _when(on, day)

    def result(valid: bool, status: str, message: str, **extra: Any) -> Validation:
        return Validation(text, shown, system, extra.pop("release", None), valid, status,
                          message, tuple(extra.pop("suggestions", ())), on, extra)

    if system == CM:
        return validate_icd10cm(store, raw, on=on, release=release)
    if system == "ICD-9-CM":
        return _icd9(store, shown, day, when, result)
    if system == "ICD-10-PCS":
        rel = pcs_release(store, on, release)
        row = store.row(system, shown)
        if row is None:
            return result(False, "unknown", f"{shown} is not an ICD-10-PCS code in "
                          f"{rel.name}", release=rel.name)
        if row[5] & rel.bit:
            return result(True, "valid", f"{shown} is a valid ICD-10-PCS code {when}: {row[1]}",
                          release=rel.name)
        if row[6] & rel.bit:
            return result(False, "header", f"{shown} is a {row[2]} of ICD-10-PCS in "
                          f"{rel.name}, not a complete 7-character code", release=rel.name)
        return result(False, "not_in_release", f"{shown} is not valid in {rel.name}",
                      release=rel.name)
    if system == "CPT":
        return _cpt(store, shown, day, when, result)
    return _hcpcs(store, shown, day, when, result)


def _icd9(store: Store, shown: str, day: dt.date, when: str, result: Any) -> Validation:
    row = store.row("ICD-9-CM", shown)
    if row is None:
        return result(False, "unknown", f"{shown} is not an ICD-9-CM code (v32, the final "
                      "release)")
    if in_use("ICD-9-CM", day):
        return result(True, "valid", f"{shown} is a valid ICD-9-CM {row[2]} code {when}: "
                      f"{row[1]}", release="v32")
    sugg = gem_targets(store, shown, day)
    also = f"; the GEMs map it to {', '.join(sugg)}" if sugg else ""
    return result(False, "not_in_release",
                  f"{shown} is the ICD-9-CM {row[2]} code for {row[1]}: not valid {when}, "
                  f"as ICD-10-CM replaced ICD-9-CM on 2015-10-01{also}", release="v32",
                  suggestions=sugg, title=row[1])


def _cpt(store: Store, code: str, day: dt.date, when: str, result: Any) -> Validation:
    from medcode.systems.cpt import cpt_category, section_range
    category = cpt_category(code) or "CPT"
    if store.releases("CPT"):
        hit = store.row("CPT", code)
        if hit is None:
            return result(False, "unknown", f"{code} is not in your imported CPT file")
        return result(True, "valid", f"{code} is in your imported CPT file ({category})",
                      title=hit[1])
    rng = section_range(code) if code.isdigit() else None
    if rng is not None and not rng.in_force(day):
        why = (f"it was deleted after {rng.effective_to}" if rng.effective_to and
               day > rng.effective_to else f"it was added on {rng.effective_from}")
        return result(False, "not_in_release", f"{code} is not a CPT code {when}: {why} "
                      f"({rng.section})", checked="format and section")
    if code.isdigit() and rng is None:
        return result(False, "unknown", f"{code} falls in no CPT Category I section, so it "
                      "cannot be a CPT code", checked="format and section")
    where = f" ({rng.section})" if rng else ""
    return result(True, "valid", f"{code} is a CPT {category} code{where} {when}, judged by "
                  "format and section only: CPT descriptors are licensed by the AMA and not "
                  "loaded", checked="format and section")


def _hcpcs(store: Store, code: str, day: dt.date, when: str, result: Any) -> Validation:
    from medcode.systems.hcpcs import hcpcs_get
    if not store.releases("HCPCS"):
        return result(False, "not_loaded", f"{code} has the shape of a HCPCS Level II code, "
                      f"but HCPCS data is not loaded: {_HCPCS_HOW}", checked="format")
    store.resolve("HCPCS", on=day)  # NoRelease (exit 3) outside the loaded file's period
    facts = hcpcs_get(store.conn, code, day)
    if facts is None:
        return result(False, "unknown", f"{code} is not a HCPCS Level II code in the loaded "
                      "file")
    title = facts.get("long_description")
    if facts.get("active"):
        from medcode.codes.otherinfo import hcpcs_file_age
        age = hcpcs_file_age(store.releases("HCPCS")[-1].name, day)
        return result(True, "valid", f"{code} is an active HCPCS Level II code {when}{age}: "
                      f"{title}", release=facts.get("release"), title=title)
    end = facts.get("termination_date")
    why = f"terminated {end}" if end and day.isoformat() > end else \
        f"added {facts.get('add_date') or facts.get('effective_date')}"
    return result(False, "not_in_release", f"{code} is not active {when} ({why}): {title}",
                  release=facts.get("release"), title=title)


def gem_targets(store: Store, icd9: str, on: dt.date | None = None) -> tuple[str, ...]:
    """The ICD-10-CM codes the 2018 CMS GEM proposes for the ICD-9-CM diagnosis ``icd9``
    (250.00), in the map's order, each valid on ``on`` (a target deleted or split since 2018
    gives its current codes); () when the store has no GEM table or the map has no target."""
    if not store.has_table("gem"):
        return ()
    from medcode.codes.crosswalk import gem_targets as targets
    return targets(store, icd9, on)


# -- every reading ------------------------------------------------------------------------------
def validate_readings(store: Store, raw: str, on: dt.date | None, release: str | None
                      ) -> Validation | None:
    """The answer under the policy when ``raw`` has a reading in a system other than
    ICD-10-CM; None when ICD-10-CM is its only loadable reading (the caller answers)."""
    from medcode.codes.identification import identify
    ident = identify(store, raw)
    if ident.error:
        return None
    cands = [c for c in ident.candidates if c.system in SYSTEMS and c.kind != "modifier"]
    if not cands or all(c.system == CM for c in cands):
        return None
    day = day_of(store, on, release)
    answers: list[tuple[Any, Validation]] = []
    missing: NoRelease | None = None
    for c in cands:
        try:
            answers.append((c, in_system(store, c.system, raw, c.code, on, release)))
        except NoRelease as exc:        # a reading that cannot be checked on that date
            missing = missing or exc
            answers.append((c, Validation(str(raw).strip(), c.code, c.system, None, False,
                                          "no_release", str(exc), on=on)))
    counted = [(c, v) for c, v in answers if c.plausible and in_use(c.system, day)]
    if not counted:
        found = [(c, v) for c, v in answers if c.valid and v.status != "no_release"]
        if not found:
            if missing is not None:
                raise missing
            found = answers
        return _with_readings(found[0][1], answers, ambiguous=False)
    if len(counted) == 1:
        if counted[0][1].status == "no_release" and missing is not None:
            raise missing
        return _with_readings(counted[0][1], answers, ambiguous=False)
    first = counted[0][1]
    verdicts = "; ".join(f"as {v.system} {v.code}: {'valid' if v.valid else 'NOT valid'} "
                         f"({v.message})" for _, v in counted)
    if all(v.valid for _, v in counted):
        msg = (f"{first.input} is valid in each of its {len(counted)} readings: {verdicts}. "
               "Give --system to choose one")
        return _with_readings(first, answers, ambiguous=True, valid=True, status="valid",
                              message=msg)
    agree = not any(v.valid for _, v in counted)
    msg = (f"{first.input} can be read {len(counted)} ways and "
           f"{'none is valid' if agree else 'they disagree'}: {verdicts}. Give --system "
           f"({', '.join(v.system for _, v in counted)}) to choose one")
    return _with_readings(first, answers, ambiguous=True, valid=False,
                          status=first.status if agree else "ambiguous", message=msg)


def _with_readings(base: Validation, answers: list[tuple[Any, Validation]], *,
                   ambiguous: bool, valid: bool | None = None, status: str | None = None,
                   message: str | None = None) -> Validation:
    readings = [{"system": v.system, "code": v.code, "valid": v.valid, "status": v.status,
                 "plausible": c.plausible, "message": v.message} for c, v in answers]
    extra = {**base.extra, "ambiguous": ambiguous, "readings": readings}
    return Validation(base.input, base.code, base.system, base.release,
                      base.valid if valid is None else valid, status or base.status,
                      message or base.message, base.suggestions, base.on, extra)


def validate_in(store: Store, raw: str, system: str, on: dt.date | None,
                release: str | None) -> Validation:
    """The answer for ``raw`` read in ``system`` only (``validate --system S``)."""
    from medcode.systems.formats import format_candidates
    if system in ("ICD-10", "ICD-11"):       # WHO: "is this a leaf code" (issue 12)
        from medcode.codes.crosswalk.who import validation
        return validation(store, raw, system, on)  # type: ignore[no-any-return]
    if system not in SYSTEMS:
        raise ValueError(f"validate knows {', '.join(SYSTEMS)}, not {system!r}")
    try:
        shapes = format_candidates(raw, icd9_listed=lambda kind, code: True)
    except InvalidCode as exc:
        return Validation(str(raw)[:40], "", system, None, False, "malformed", str(exc), on=on)
    text = str(raw).strip()
    picks = [c for c in shapes if c.system == system and c.kind != "modifier"]
    if not picks:
        dotted = "." in text and system in ("CPT", "HCPCS")
        why = ": a dotted code is never CPT or HCPCS" if dotted else " by its shape"
        return Validation(text, text.upper(), system, None, False, "wrong_system",
                          f"{text!r} is not a {system} code{why}", on=on)
    if len(picks) > 1:       # ICD-9-CM 3606: diagnosis 360.6 or procedure 36.06
        picks.sort(key=lambda c: store.row(system, c.normalized) is None)
    return in_system(store, system, raw, picks[0].normalized, on, release)
