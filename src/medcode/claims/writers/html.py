"""HTML: one self-contained page (inline CSS and SVG, no script) for a billing manager.

The claims are written as they are checked; the summary (totals and the chart of findings
by edit), written at the end, is placed first on the page by CSS (``order`` in a flex
column), so the page streams and memory stays flat. Claims with an error or a warning are
shown in detail, at most ``HTML_MAX_CLAIMS`` of them; clean claims are only counted.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import IO, Any

HTML_MAX_CLAIMS = 2000
_SEV_COLOR = {"error": "#c62828", "warning": "#b26a00", "info": "#1565c0"}
_SEV_LABEL = {"error": "Error", "warning": "Warning", "info": "Note"}
_STATUS_LABEL = {"fail": "Will be rejected", "warn": "Needs review", "pass": "Clean"}

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
 color:#1f2933;background:#f4f6f8}
.page{display:flex;flex-direction:column;max-width:1100px;margin:0 auto;padding:24px}
header{order:0;margin-bottom:8px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 12px}
.meta{color:#52606d;font-size:13px}
.summary{order:1;background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:18px 20px;
 margin:12px 0 20px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}
.card{flex:1 1 120px;border:1px solid #d9e2ec;border-radius:6px;padding:10px 12px;
 background:#fbfcfd}
.card .n{font-size:24px;font-weight:700}
.card .l{color:#52606d;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.fail .n{color:#c62828}.card.warn .n{color:#b26a00}.card.pass .n{color:#2e7d32}
.stack{display:flex;height:12px;border-radius:6px;overflow:hidden;background:#e4e7eb;
 margin:4px 0 18px}
.stack span{display:block;height:100%}
.chart{width:100%;max-width:760px;height:auto}
.legend{font-size:12px;color:#52606d;margin:6px 0 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px}
.claims{order:2}
.claim{background:#fff;border:1px solid #d9e2ec;border-left:5px solid #9aa5b1;border-radius:6px;
 margin:0 0 14px;padding:12px 14px}
.claim.fail{border-left-color:#c62828}.claim.warn{border-left-color:#e0a100}
.claim h3{margin:0 0 8px;font-size:15px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.badge{font-size:11px;font-weight:700;padding:2px 8px;border-radius:10px;color:#fff;
 text-transform:uppercase;letter-spacing:.04em}
.badge.fail{background:#c62828}.badge.warn{background:#b26a00}.badge.pass{background:#2e7d32}
.src{color:#7b8794;font-size:12px;font-weight:400}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td{overflow-wrap:anywhere}
th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#7b8794;
 border-bottom:1px solid #e4e7eb;padding:4px 6px}
td{vertical-align:top;padding:6px;border-bottom:1px solid #f0f2f4}
tr.info td{color:#52606d}
.sev{font-weight:700;white-space:nowrap}
.edit{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
.codes{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.fix{margin-top:3px;color:#2e7d32}
.fix b{font-weight:600}
.ref{margin-top:2px;color:#9aa5b1;font-size:11px}
details.edits{margin-top:12px}
details.notes{margin-top:6px;font-size:13px}
details.notes summary{cursor:pointer;color:#1565c0}
details.edits summary{cursor:pointer;color:#1565c0}
details.edits table{margin-top:6px;table-layout:auto}
.more{background:#fff8e1;border:1px solid #f0d999;border-radius:6px;padding:10px 14px}
.stopped{background:#fdecea;border:1px solid #f5c2c0;border-radius:6px;padding:10px 14px;
 margin:8px 0}
footer{order:3;color:#9aa5b1;font-size:12px;margin-top:12px}
@media print{body{background:#fff}.claim,.summary{break-inside:avoid}}
"""


_COLS = ("<colgroup><col style=\"width:84px\"><col style=\"width:160px\">"
         "<col style=\"width:44px\"><col style=\"width:96px\"><col></colgroup>")


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


class HtmlWriter:
    def __init__(self, stream: IO[str], max_claims: int = HTML_MAX_CLAIMS) -> None:
        self.out = stream
        self.max = max_claims
        self.shown = 0
        self.hidden = 0

    def start(self, meta: dict[str, Any]) -> None:
        src = meta.get("source", "")
        when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        rel = ", ".join(meta.get("releases") or [])
        self.out.write(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>Claim check report: {_e(src)}</title><style>{_CSS}</style></head>\n"
            "<body><main class=\"page\">\n<header><h1>Claim check report</h1>"
            f"<div class=\"meta\">File <b>{_e(src)}</b>"
            f"{' (' + _e(meta['format']) + ')' if meta.get('format') else ''} &middot; "
            f"checked {_e(when)} &middot; code sets: {_e(rel)}</div>"
            + "".join(f"<p class=\"meta\">{_e(n)}</p>" for n in meta.get("notes") or ())
            + "</header>\n"
            "<section class=\"claims\"><h2>Claims with problems</h2>\n")

    def claim(self, result: Any) -> None:
        if result.status == "pass":
            return
        if self.shown >= self.max:
            self.hidden += 1
            return
        self.shown += 1
        st = result.status
        rows: list[str] = []
        notes: list[str] = []
        for f in result.findings:
            color = _SEV_COLOR.get(f.severity, "#52606d")
            fix = f"<div class=\"fix\"><b>Fix:</b> {_e(f.fix)}</div>" if f.fix else ""
            (notes if f.severity == "info" else rows).append(
                f"<tr class=\"{_e(f.severity)}\"><td class=\"sev\" style=\"color:{color}\">"
                f"{_SEV_LABEL.get(f.severity, _e(f.severity))}</td>"
                f"<td class=\"edit\">{_e(f.edit)}</td>"
                f"<td>{'' if f.line is None else _e(f.line)}</td>"
                f"<td class=\"codes\">{_e(' '.join(f.codes))}</td>"
                f"<td>{_e(f.message)}{fix}<div class=\"ref\">{_e(f.reference)}</div></td></tr>")
        src = f"<span class=\"src\">{_e(result.source)}</span>" if result.source else ""
        self.out.write(
            f"<article class=\"claim {st}\"><h3>Claim {_e(result.claim)} "
            f"<span class=\"badge {st}\">{_STATUS_LABEL.get(st, st)}</span>{src}</h3>"
            f"<table>{_COLS}<thead><tr><th>Severity</th><th>Edit</th><th>Line</th><th>Codes</th>"
            "<th>What is wrong</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>" + _notes(notes) + "</article>\n")

    def finish(self, summary: Any) -> None:
        s = summary
        if self.shown == 0:
            self.out.write("<p>No claim has an error or a warning.</p>\n")
        if self.hidden:
            self.out.write(f"<div class=\"more\">{self.hidden:,} more claims with problems are "
                           f"not shown here (the page shows the first {self.max:,}); run "
                           "<code>medcode check FILE --format csv</code> for every finding."
                           "</div>\n")
        self.out.write("</section>\n")
        self.out.write(self._summary(s))
        self.out.write("<footer>Made by medcode from the official code sets. A warning needs "
                       "review; an error is likely to be rejected or denied.</footer>\n"
                       "</main></body></html>\n")

    def _summary(self, s: Any) -> str:
        total = max(s.claims, 1)
        cards = [("", s.claims, "claims checked"), ("fail", s.status["fail"],
                  "will be rejected"), ("warn", s.status["warn"], "need review"),
                 ("pass", s.status["pass"], "clean"), ("", s.severity["error"], "errors"),
                 ("", s.severity["warning"], "warnings")]
        html = ["<section class=\"summary\"><h2>Summary</h2><div class=\"cards\">"]
        html.extend(f"<div class=\"card {c}\"><div class=\"n\">{n:,}</div>"
                    f"<div class=\"l\">{_e(label)}</div></div>" for c, n, label in cards)
        html.append("</div><div class=\"stack\" title=\"share of claims by result\">")
        for key, color in (("fail", "#c62828"), ("warn", "#e0a100"), ("pass", "#2e7d32")):
            pct = 100.0 * s.status[key] / total
            if pct:
                html.append(f"<span style=\"width:{pct:.2f}%;background:{color}\" "
                            f"title=\"{_STATUS_LABEL[key]}: {s.status[key]:,}\"></span>")
        html.append("</div>")
        problems = getattr(s, "file_problems", ())
        if problems:
            html.append("<h2>File problems (not claims)</h2><ul class=\"file-problems\">"
                        + "".join(f"<li>{_e(p)}</li>" for p in problems[:50]) + "</ul>")
        if s.stopped:
            html.append(f"<div class=\"stopped\">Reading stopped early: {_e(s.stopped)}</div>")
        html.append("<h2>Errors and warnings by edit</h2>" + self._chart(s))
        html.append("</section>\n")
        return "".join(html)

    @staticmethod
    def _chart(s: Any) -> str:
        every = s.edits_sorted()
        items = [(k, n) for k, n in every if s.by_edit_severity.get(k) != "info"]
        infos = [(k, n) for k, n in every if s.by_edit_severity.get(k) == "info"]
        info_line = ("<p class=\"legend\">Notes (information, not charted): "
                     + ", ".join(f"{_e(k)} {n:,}" for k, n in infos) + "</p>") if infos else ""
        if not items:
            return "<p>No errors or warnings.</p>" + info_line + _legend(every)
        bar_h, gap, label_w, width = 20, 6, 170, 760
        plot_w = width - label_w - 60
        top = max(n for _, n in items)
        height = len(items) * (bar_h + gap) + 4
        svg = (f"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" "
               "aria-label=\"Findings by edit\" xmlns=\"http://www.w3.org/2000/svg\" "
               "font-family=\"system-ui,Arial,sans-serif\" font-size=\"12\">")
        parts = [svg]
        for i, (edit_id, n) in enumerate(items):
            y = i * (bar_h + gap) + 2
            w = max(2.0, plot_w * n / top)
            color = _SEV_COLOR.get(s.by_edit_severity.get(edit_id, ""), "#52606d")
            parts.append(
                f"<text x=\"{label_w - 8}\" y=\"{y + 14}\" text-anchor=\"end\" fill=\"#1f2933\">"
                f"{_e(edit_id)}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1f}\" "
                f"height=\"{bar_h}\" rx=\"3\" fill=\"{color}\"><title>{_e(edit_id)}: {n:,}"
                f"</title></rect><text x=\"{label_w + w + 6:.1f}\" y=\"{y + 14}\" "
                f"fill=\"#52606d\">{n:,}</text>")
        parts.append("</svg><div class=\"legend\"><i style=\"background:#c62828\"></i>error"
                     "<i style=\"background:#b26a00\"></i>warning</div>")
        parts.append(info_line)
        parts.append(_legend(every))
        return "".join(parts)


def _notes(rows: list[str]) -> str:
    """A claim's information findings, folded."""
    if not rows:
        return ""
    return (f"<details class=\"notes\"><summary>{len(rows)} note{'s' if len(rows) > 1 else ''}"
            " (information, no action required)</summary><table>" + _COLS + "<tbody>"
            + "".join(rows)
            + "</tbody></table></details>")


def _legend(items: list[tuple[str, int]]) -> str:
    """What each edit of the chart checks, in a table folded under a <details>."""
    from medcode.claims.edits import registry
    known = registry()
    rows = []
    for edit_id, n in items:
        e = known.get(edit_id)
        what = e.summary if e else ("a claim record that could not be read"
                                    if edit_id == "CLAIM-FORMAT" else "")
        rows.append(f"<tr><td class=\"edit\">{_e(edit_id)}</td><td>{_e(what)}</td>"
                    f"<td style=\"text-align:right\">{n:,}</td></tr>")
    return ("<details class=\"edits\"><summary>What these edits check</summary><table>"
            "<thead><tr><th>Edit</th><th>Checks for</th><th style=\"text-align:right\">"
            "Findings</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></details>")
