// medcode web page, "Check a claim": a form, or a pasted/uploaded file (JSON, JSON Lines, CSV,
// X12 837P, FHIR Claim: the API detects which); findings grouped by claim, CSV export, print.
"use strict";

const claimState = { last: null, dxTimer: 0 };

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function addLine(values) {
  const v = { date: today(), units: "1", ...(values || {}) };
  const tbody = $("#lines");
  const n = tbody.children.length + 1;
  const LABELS = { code: "Code", modifiers: "Modifiers", units: "Units", charge: "Charge", date: "Date", pointers: "Pointers" };
  const cell = (name, attrs) => el("td", { "data-label": LABELS[name] },
    el("input", { name, "aria-label": `Line ${n} ${LABELS[name].toLowerCase()}`, value: v[name] || "", ...attrs }));
  const tr = el("tr", {}, el("td", { class: "num", text: String(n) }),
    cell("code", { size: 7, spellcheck: "false", autocapitalize: "characters" }),
    cell("modifiers", { size: 8, placeholder: "25, 59", autocapitalize: "characters" }),
    cell("units", { type: "number", min: "0", step: "any", inputmode: "decimal" }),
    cell("charge", { type: "number", min: "0", step: "0.01", inputmode: "decimal" }),
    cell("date", { type: "date" }), cell("pointers", { size: 6, placeholder: "1, 2" }),
    el("td", {}, el("button", { type: "button", class: "link", "aria-label": `Remove line ${n}`, text: "Remove",
      onclick: () => { tr.remove(); renumber(); } })));
  tbody.append(tr);
  return tr;
}

function renumber() {
  [...$("#lines").children].forEach((tr, i) => { tr.querySelector(".num").textContent = String(i + 1); });
}

// the form as medcode claim JSON; a problem a payer would reject is said before sending
function claimFromForm(form) {
  const f = new FormData(form);
  const split = (s) => String(s || "").split(/[\s,]+/).filter(Boolean);
  const claim = { id: f.get("id") || "C1", patient: {}, diagnoses: split(f.get("diagnoses")).map((d) => d.toUpperCase()), lines: [] };
  if (f.get("birth_date")) claim.patient.birth_date = f.get("birth_date");
  if (f.get("sex")) claim.patient.sex = f.get("sex");
  const problems = [];
  [...$("#lines").children].forEach((tr, i) => {
    const get = (name) => tr.querySelector(`[name=${name}]`).value.trim();
    if (!get("code")) return;
    const units = get("units") === "" ? 1 : Number(get("units"));
    if (!Number.isFinite(units) || units <= 0) problems.push(`Line ${i + 1}: units must be a number above 0 (got “${get("units")}”).`);
    const line = { code: get("code").toUpperCase(), modifiers: split(get("modifiers")).map((m) => m.toUpperCase()), units };
    if (get("charge") !== "") {
      line.charge = Number(get("charge"));
      if (!Number.isFinite(line.charge) || line.charge < 0) problems.push(`Line ${i + 1}: the charge cannot be negative (got ${get("charge")}).`);
    }
    if (get("date")) line.date = get("date");
    line.pointers = split(get("pointers")).map((p) => (/^\d+$/.test(p) ? Number(p) : p.toUpperCase()));
    claim.lines.push(line);
  });
  if (!claim.lines.length) problems.push("Add at least one service line with a code.");
  return [claim, problems];
}

async function sendClaims(body, contentType) {
  const out = $("#claim-out");
  out.replaceChildren(el("p", { class: "muted", text: "Checking…" }));
  try {
    const res = await api("/v1/claims/check", { method: "POST", headers: { "Content-Type": contentType }, body });
    claimState.last = res;
    out.replaceChildren(...renderSummary(res), ...res.results.map(renderClaimResult));
  } catch (err) {
    claimState.last = null;
    out.replaceChildren(el("p", { class: "error", role: "alert", text: err.message }));
  }
  out.focus();
}

function checkClaim(e) {
  e.preventDefault();
  const [claim, problems] = claimFromForm(e.target);
  if (problems.length) {
    $("#claim-out").replaceChildren(el("div", { class: "error", role: "alert" }, el("p", { text: "Fix the form first:" }),
      el("ul", {}, problems.map((p) => el("li", { text: p })))));
    $("#claim-out").focus();
    return;
  }
  sendClaims(JSON.stringify(claim), "application/json");
}

function checkFile(e) {
  e.preventDefault();
  const text = $("#claim-text").value;
  if (!text.trim()) {
    $("#claim-out").replaceChildren(el("p", { class: "error", role: "alert", text: "Paste a claim file or choose one first." }));
    return;
  }
  const fmt = $("#claim-format").value;
  sendClaims(text, fmt ? { json: "application/json", jsonl: "application/x-ndjson", csv: "text/csv",
    x12: "application/edi-x12", fhir: "application/fhir+json" }[fmt] : "text/plain");
}

function loadFile() {
  const file = $("#claim-file").files[0];
  if (!file) return;
  if (file.size > 5e6) { $("#claim-file-status").textContent = `${file.name} is over 5 MB: check it with \`medcode check\`.`; return; }
  const reader = new FileReader();
  reader.onload = () => {
    $("#claim-text").value = reader.result;
    const ext = file.name.toLowerCase().split(".").pop();
    $("#claim-format").value = { csv: "csv", jsonl: "jsonl", ndjson: "jsonl", x12: "x12", edi: "x12", "837": "x12" }[ext] || "";
    $("#claim-file-status").textContent = `${file.name} loaded (${file.size} bytes).`;
  };
  reader.readAsText(file);
}

function renderSummary(res) {
  const s = res.summary || {};
  const parts = ["pass", "warn", "fail"].filter((k) => s[k]).map((k) => `${s[k]} ${k}`);
  return [el("div", { class: "claim-tools" },
    el("p", {}, `${s.claims || res.results.length} claim${(s.claims || res.results.length) === 1 ? "" : "s"}, ${s.lines ?? "?"} lines: ${parts.join(", ") || "no result"}.`),
    el("button", { type: "button", onclick: exportCsv }, "Export findings (CSV)"),
    el("button", { type: "button", onclick: () => window.print() }, "Print report"))];
}

function codeLinks(codes) {
  return (codes || []).map((c, i) => [i ? ", " : "", el("a", { href: `#/code/any/${encodeURIComponent(c)}`, class: "code", text: c })]);
}

function renderClaimResult(r) {
  const findings = r.findings || [];
  const status = r.status || "?";
  const HEAD = ["Severity", "Edit", "Line", "Codes", "What is wrong", "Fix"];
  return el("section", { class: "claim-result" },
    el("h2", {}, `Claim ${r.claim || ""} `, badge(status.toUpperCase(), status === "pass" ? "ok" : status === "warn" ? "warn" : "bad")),
    findings.length ? el("div", { class: "scroll" }, el("table", { class: "findings stack" },
      el("thead", {}, el("tr", {}, HEAD.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, findings.map((f) => el("tr", { class: `sev-${f.severity}` },
        el("td", { "data-label": HEAD[0], text: f.severity }), el("td", { "data-label": HEAD[1], class: "code", text: f.edit }),
        el("td", { "data-label": HEAD[2], text: f.line ?? "claim" }),
        el("td", { "data-label": HEAD[3] }, codeLinks(f.codes)),
        el("td", { "data-label": HEAD[4] }, f.message, f.reference ? el("div", { class: "muted", text: f.reference }) : null),
        el("td", { "data-label": HEAD[5], text: f.fix || "" }))))))
      : el("p", { text: "No findings: the claim passes every edit." }));
}

function csvCell(v) {
  const s = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(" ") : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? "'" : "") + s.replace(/"/g, '""')}"` : s;
}

function findingsCsv(res) {
  const rows = [["claim", "status", "edit", "severity", "line", "codes", "message", "reference", "fix"]];
  for (const r of res.results) {
    const fs = r.findings || [];
    if (!fs.length) rows.push([r.claim, r.status, "", "", "", "", "no findings", "", ""]);
    for (const f of fs) rows.push([r.claim, r.status, f.edit, f.severity, f.line, f.codes, f.message, f.reference, f.fix]);
  }
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function exportCsv() {
  if (!claimState.last) return;
  const blob = new Blob([findingsCsv(claimState.last)], { type: "text/csv;charset=utf-8" });
  const a = el("a", { href: URL.createObjectURL(blob), download: "medcode-findings.csv" });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// diagnosis autocomplete: the last word typed in the box, through /v1/search (ICD-10-CM)
function dxSuggest() {
  clearTimeout(claimState.dxTimer);
  claimState.dxTimer = setTimeout(async () => {
    const box = $("#dx");
    const words = box.value.split(/,\s*/);
    const last = words[words.length - 1].trim();
    const list = $("#dx-options");
    if (!state.features.search || last.length < 2) { list.replaceChildren(); return; }
    try {
      const hits = await api(`/v1/search?${qs({ q: last, system: "ICD-10-CM", billable: "true", prefix: "true", limit: 8 })}`);
      const head = words.slice(0, -1).join(", ");
      list.replaceChildren(...hits.map((h) => el("option", { value: `${head ? `${head}, ` : ""}${h.code}`, label: `${h.code} ${h.title}` })));
    } catch (e) { list.replaceChildren(); }
  }, 200);
}

function startClaims() {
  $("#claim-form").addEventListener("submit", checkClaim);
  $("#claim-file-form").addEventListener("submit", checkFile);
  $("#claim-file").addEventListener("change", loadFile);
  $("#dx").addEventListener("input", dxSuggest);
  $("#add-line").addEventListener("click", () => addLine().querySelector("input").focus());
  $("#claim-out").setAttribute("tabindex", "-1");
  addLine({ code: "99213", units: "1", pointers: "1" });
}

document.addEventListener("DOMContentLoaded", startClaims);
document.addEventListener("medcode:ready", () => {
  if (!state.features.claims) $("#claims-note").textContent = "Claim checking is not available in this build of medcode yet.";
});
