"""Human-readable views for the CLI (plain text; no colour library needed)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def lookup_text(info: Any) -> str:
    d = info.to_dict()
    badge = "billable" if d["billable"] else "NOT billable"
    if d["billable"] is None:
        badge = "billable: not known (descriptor not loaded)" if d["system"] == "CPT" \
            else "billable: not known"
    release = f" {d['release']}" if d.get("release") else ""
    lines = [f"{d['code']}  {d['title'] or '(no descriptor)'}",
             f"  {d['system']}{release} · {d['kind']} · {badge}"]
    if d["status"] != "valid":
        lines.append(f"  ! {d['message']}")
    for key, label in (("category", "category"), ("section", "section"),
                       ("subsection", "subsection"), ("family_name", "family"),
                       ("add_date", "added"), ("termination_date", "terminated"),
                       ("coverage_meaning", "coverage")):
        if d.get(key):
            lines.append(f"  {label}: {d[key]}")
    for axis in d.get("axes") or []:
        lines.append(f"  {axis['position']} {axis['axis_name']:<22} {axis['value']}  "
                     f"{axis['meaning'] or '(meaning not in the loaded tables)'}")
    for alt in d.get("also") or []:
        what = alt.get("title") or ("not in the loaded data" if not alt.get("valid", True)
                                    else "")
        lines.append(f"  also {alt['system']} {alt['code']}: {what}"
                     + (f"  (medcode lookup {alt['code']} --system {alt['system']})"
                        if alt['system'] != d['system'] else ""))
    if d["ancestors"]:
        lines.append("  in: " + " > ".join(f"{a['code']} {a['title']}" for a in d["ancestors"]))
    if d.get("seventh_character"):
        s = d["seventh_character"]
        lines.append(f"  7th character {s['char']}: {s['meaning']}")
    kids = d["children"]
    if kids:
        lines.append(f"  children ({len(kids)}):")
        for k in kids[:25]:
            mark = "*" if k["billable"] else " "
            lines.append(f"    {mark} {k['code']:<9} {k['title']}")
        if len(kids) > 25:
            lines.append(f"    ... {len(kids) - 25} more")
    labels = {"includes": "Includes", "inclusion_terms": "Inclusion terms",
              "excludes1": "Excludes1", "excludes2": "Excludes2", "code_first": "Code first",
              "use_additional": "Use additional code", "code_also": "Code also",
              "notes": "Notes", "seven_chr_note": "7th character note"}
    for key, label in labels.items():
        items = (d.get("notes") or {}).get(key) or []
        if items:
            lines.append(f"  {label}:")
            for n in items:
                src = f"  [from {n['from']}]" if n["inherited"] else ""
                lines.append(f"    - {n['text']}{src}")
    defs = (d.get("notes") or {}).get("seven_chr_def") or []
    if defs and d["kind"] != "extension":
        src = f" [from {defs[0]['from']}]" if defs[0]["inherited"] else ""
        lines.append(f"  7th characters{src}:")
        for s in defs:
            lines.append(f"    {s['char']} = {s['meaning']}")
    if d.get("valid_in"):
        lines.append("  billable in: " + ", ".join(d["valid_in"]))
    if d.get("note"):
        lines.append(f"  note: {d['note']}")
    return "\n".join(lines)


def diff_text(result: dict[str, Any]) -> str:
    out = [f"{result['system']} {result['from']} -> {result['to']}: "
           + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result["counts"].items())]
    for key, label in (("added", "Added"), ("deleted", "Deleted"),
                       ("became_header", "Became headers (no longer billable)"),
                       ("header_became_code", "Headers that became billable")):
        items = result[key]
        if items:
            out.append(f"\n{label} ({len(items)}):")
            out.extend(f"  {i['code']:<9} {i['title']}" for i in items)
    return "\n".join(out)


def status_text(result: dict[str, Any]) -> str:
    out = [f"store: {result['store']} ({result['size_bytes'] / 1e6:.1f} MB), built "
           f"{result['built_at']} by medcode {result['medcode_version']}, schema "
           f"{result['schema_version']}", "", "releases:"]
    for r in result["releases"]:
        out.append(f"  {r['system']:<11} {r['release']:<8} {r['effective_from']} to "
                   f"{r['effective_to'] or '...':<10}  {r['billable']:>6} billable "
                   f"of {r['codes']} items")
        if r.get("basis") == 2 or not r.get("tabular"):
            out.append(f"      rests on: {r['source']}")
    out += ["", "sources:"]
    for s in result["sources"]:
        out.append(f"  {s['file']}  sha256 {s['sha256'][:12]}…  {s['origin']}")
    return "\n".join(out)


def validation_text(results: list[Any]) -> str:
    """`medcode validate`: one line per code; for a code of several shapes, one indented line
    per reading that counts on the date."""
    out = []
    for r in results:
        mark = "ok  " if r.valid else ("??  " if r.status in ("ambiguous", "not_loaded")
                                      else "FAIL")
        readings = r.extra.get("readings") or []
        if r.extra.get("ambiguous"):
            out.append(f"{mark} {r.input:<10} {len(readings)} readings; give --system to "
                       "choose one")
            for x in readings:
                if x["plausible"]:
                    verdict = "valid" if x["valid"] else "NOT valid"
                    out.append(f"       {x['system']:<10} {x['code']:<9} {verdict}: "
                               f"{x['message']}")
            continue
        out.append(f"{mark} {r.code or r.input:<10} {r.message}")
    return "\n".join(out)


def identify_text(results: list[Any]) -> str:
    out = []
    for r in results:
        if r.error:
            out.append(f"{r.input}: {r.error}")
            continue
        if not r.candidates:
            out.append(f"{r.input}: no code system has codes of this shape")
            continue
        head = " (ambiguous)" if r.ambiguous else ""
        out.append(f"{r.input}{head}:")
        for c in r.candidates:
            mark = "found" if c.valid else ("not found" if c.loaded else "format only")
            title = f" - {c.title}" if c.title else ""
            out.append(f"  {c.system:<10} {c.kind:<13} {c.code:<9} [{mark}]{title}")
            out.append(f"      {c.reason}")
    return "\n".join(out)


def print_rich(text: str, stream: Any) -> None:
    """Print a lookup/identify text block with colour on a terminal (rich is imported only
    here, so piped output and the cold-start path never pay for it)."""
    from rich.console import Console
    from rich.text import Text
    console = Console(file=stream, highlight=False, soft_wrap=True)
    for n, line in enumerate(text.splitlines()):
        t = Text(line)
        stripped = line.strip()
        if n == 0 or not line.startswith(" "):
            t.stylize("bold")
        elif stripped.startswith("!"):
            t.stylize("yellow")
        elif stripped.endswith(":") and not stripped.startswith("-"):
            t.stylize("cyan")
        elif "NOT billable" in line:
            t.highlight_words(["NOT billable"], "bold red")
        if "· billable" in line:
            t.highlight_words(["billable"], "bold green")
        if "[from " in line:
            t.highlight_regex(r"\[from [^\]]+\]", "dim")
        console.print(t)
