// medcode web page: plain JS over the /v1 API. No build step, no external resources.
"use strict";

const $ = (sel) => document.querySelector(sel);
const NOTE_LABELS = {
  includes: "Includes", inclusion_terms: "Inclusion terms",
  excludes1: "Excludes1 (never coded together)", excludes2: "Excludes2 (may be coded together)",
  code_first: "Code first", use_additional: "Use additional code", code_also: "Code also",
  notes: "Notes", seven_chr_note: "7th character note",
};
const state = { features: {}, releases: [], active: -1, items: [], seq: 0, timer: 0 };

// -- helpers -----------------------------------------------------------------------------
function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return node;
}

async function api(path, options) {
  const resp = await fetch(path, options);
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (!resp.ok) {
    const err = new Error((body && body.message) || `HTTP ${resp.status}`);
    err.status = resp.status; err.body = body;
    throw err;
  }
  return body;
}

function qs(params) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined && v !== false) out.append(k, v);
  return out.toString();
}

function codeHref(code, system) {
  return `#/code/${encodeURIComponent(system || "any")}/${encodeURIComponent(code)}`;
}

function badge(text, kind) { return el("span", { class: `badge ${kind}`, text }); }

// -- search ------------------------------------------------------------------------------
function searchParams() {
  return { system: $("#system").value, on: $("#on").value, billable: $("#billable").checked ? "true" : "" };
}

function scheduleSearch() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runSearch, 180);
}

async function runSearch() {
  const q = $("#q").value.trim();
  const seq = ++state.seq;
  if (!q) { showResults([], ""); return; }
  const p = searchParams();
  let items = [], note = "";
  try {
    if (state.features.search) {
      const [hits, check] = await Promise.all([
        api(`/v1/search?${qs({ q, limit: 20, prefix: "true", ...p })}`),
        looksLikeCode(q) ? api(`/v1/validate?${qs({ code: q, on: p.on, system: p.system })}`).catch(() => null) : null]);
      items = hits;
      note = items.length ? `${items.length} result${items.length > 1 ? "s" : ""}` : `No match for “${q}”`;
      const v = check && check[0];
      if (v && !v.valid && v.status !== "malformed" && v.status !== "wrong_system") {
        note = v.message;  // say why the code as typed is not billable
        if (!items.length) items = (v.suggestions || []).slice(0, 20).map((c) => ({ code: c, system: v.system, title: "suggested" }));
      }
    } else {
      [items, note] = await exactLookup(q, p);
    }
  } catch (err) {
    note = err.message;
  }
  if (seq === state.seq) showResults(items, note);
  if (seq === state.seq) showIndex(q, p, seq);
}

// -- index view: the term in the Alphabetic Index, Drug and Neoplasm tables, External Cause Index
async function showIndex(q, p, seq) {
  const box = $("#index-view");
  if (!box) return;
  let rows = [];
  if (q.length >= 3 && !looksLikeCode(q)) {
    try { rows = await api(`/v1/index?${qs({ term: q, on: p.on, limit: 12 })}`); } catch (e) { rows = []; }
  }
  if (seq !== state.seq) return;
  box.hidden = !rows.length;
  $("#index-lines").replaceChildren(...rows.map((r) => el("li", {},
    el("span", { class: "sys", text: `${r.table_name}: ` }),
    r.code ? el("a", { href: codeHref(r.code.replace(/-$/, ""), "ICD-10-CM"), text: r.line }) : el("span", { text: r.line }),
    r.seventh_characters && r.seventh_characters.length ? el("span", { class: "muted", text: ` (7th: ${r.seventh_characters.join("")})` }) : null)));
}

function looksLikeCode(q) {
  return /^[A-Za-z0-9]{3,}(\.[A-Za-z0-9]{0,4})?$/.test(q) && /\d/.test(q);
}

async function exactLookup(q, p) {
  // without search in this build: the text is taken as a code
  try {
    const info = await api(`/v1/codes/${encodeURIComponent(q)}?${qs({ system: p.system, on: p.on })}`);
    return [[info], "Exact code match (text search is not available in this build)"];
  } catch (err) {
    if (err.status !== 404) return [[], err.message];
    let sugg = [];
    try {
      const v = await api(`/v1/validate?${qs({ code: q, on: p.on, system: p.system })}`);
      sugg = (v[0].suggestions || []).slice(0, 20).map((c) => ({ code: c, system: v[0].system, title: "suggested" }));
    } catch (e) { /* the message below says enough */ }
    return [sugg, err.message];
  }
}

function showResults(items, note) {
  state.items = items; state.active = -1;
  $("#search-status").textContent = note;
  const list = $("#results");
  list.replaceChildren(...items.map((it, i) => el("li", {
    id: `opt-${i}`, role: "option", "aria-selected": "false",
    onmousedown: (e) => e.preventDefault(), onclick: () => openResult(i),
  }, el("span", { class: "code", text: it.code }),
     el("span", { class: "title" }, it.title || "",
       it.system && it.system !== "ICD-10-CM" ? el("span", { class: "sys", text: ` · ${it.system}` }) : null,
       it.matched && it.matched.length ? el("small", { class: "why", text: `matched: ${it.matched.join("; ")}` }) : null),
     it.billable === false ? badge("header", "muted") : el("span"))));
  $("#q").setAttribute("aria-expanded", items.length ? "true" : "false");
  $("#q").removeAttribute("aria-activedescendant");
}

function moveActive(delta) {
  const n = state.items.length;
  if (!n) return;
  const prev = document.getElementById(`opt-${state.active}`);
  if (prev) prev.setAttribute("aria-selected", "false");
  state.active = (state.active + delta + n) % n;
  const cur = document.getElementById(`opt-${state.active}`);
  cur.setAttribute("aria-selected", "true");
  cur.scrollIntoView({ block: "nearest" });
  $("#q").setAttribute("aria-activedescendant", cur.id);
}

function openResult(i) {
  const it = state.items[i];
  if (it) location.hash = codeHref(it.code, it.system);
}

function onSearchKey(e) {
  if (e.key === "ArrowDown") { e.preventDefault(); moveActive(1); }
  else if (e.key === "ArrowUp") { e.preventDefault(); moveActive(-1); }
  else if (e.key === "Escape") { showResults([], ""); }
  else if (e.key === "Enter") {
    e.preventDefault();
    if (state.active >= 0) openResult(state.active);
    else if (state.items.length === 1) openResult(0);
    else if ($("#q").value.trim()) location.hash = codeHref($("#q").value.trim(), $("#system").value);
  }
}

// -- code page ---------------------------------------------------------------------------
async function showCode(system, code) {
  const pane = $("#code");
  pane.replaceChildren(el("p", { class: "muted", text: `Looking up ${code}…` }));
  const p = searchParams();
  let info;
  try {
    info = await api(`/v1/codes/${encodeURIComponent(code)}?${qs({ system: system === "any" ? "" : system, on: p.on })}`);
  } catch (err) {
    pane.replaceChildren(el("h2", { tabindex: "-1", text: code }), el("p", { class: "error", role: "alert", text: err.message }));
    pane.querySelector("h2").focus();
    return;
  }
  pane.replaceChildren(...renderCode(info));
  pane.querySelector("h2").focus();
  showMappings(info, pane);
}

// -- crosswalks (GEMs, WHO maps) ----------------------------------------------------------
const MAP_TO = {
  "ICD-9-CM": ["ICD-10-CM", "ICD-10-PCS", "ICD-11"], "ICD-10-CM": ["ICD-9-CM", "ICD-10", "ICD-11"],
  "ICD-10-PCS": ["ICD-9-CM"], "ICD-10": ["ICD-10-CM", "ICD-11"], "ICD-11": ["ICD-10", "ICD-10-CM"],
};

function flagText(t) {
  const out = [];
  if (t.approximate) out.push("approximate");
  if (t.combination) out.push(`combination: scenario ${t.scenario}, list ${t.choice_list}`);
  if (t.kind) out.push(t.kind);
  if (t.derived) out.push("derived");
  if (t.via && t.via.length) out.push(`via ${t.via.join(" > ")}`);
  return out.join(", ");
}

function renderMapAnswer(a) {
  const rows = (a.targets || []).filter((t) => !t.no_map && t.code);
  const sec = el("section", { class: "mapping" }, el("h4", { text: `${a.code || a.input} → ${a.to}` }));
  if (a.message) sec.append(el("p", { class: "muted", text: a.message }));
  for (const c of a.combinations || []) sec.append(el("p", { class: "combo", text: `Combination (one code of each list) ${c.text}` }));
  if (rows.length) {
    sec.append(el("table", { class: "compact" }, el("thead", {}, el("tr", {},
      ["Code", "Title", "Map flags", "Valid"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((t) => el("tr", {},
      el("td", {}, el("a", { href: codeHref(t.code, t.system), class: "code", text: t.code })),
      el("td", { text: t.title || "" }), el("td", { class: "muted", text: flagText(t) }),
      el("td", {}, t.valid ? badge(t.release ? `valid ${t.release}` : "valid", "map-ok")
        : badge("not valid", "map-nv"),
        t.current && t.current.length ? el("span", { class: "muted", text: ` now: ${t.current.slice(0, 6).map((c) => c.code).join(", ")}` }) : null))))));
  }
  return sec;
}

async function showMappings(info, pane) {
  const targets = MAP_TO[info.system];
  if (!targets || info.kind === "cluster") return;
  const box = el("section", { class: "mappings", "aria-label": "Mappings" }, el("h3", { text: "Mappings" }));
  pane.append(box);
  const answers = await Promise.all(targets.map((to) =>
    api(`/v1/map?${qs({ code: info.code, to, from: info.system, on: $("#on").value })}`)
      .then((r) => r[0], (err) => ({ error: `${to}: ${err.message}` }))));
  for (const a of answers) {
    if (a.error) box.append(el("p", { class: "muted", text: a.error }));
    else if ((a.targets || []).length) box.append(renderMapAnswer(a));
  }
  if (box.children.length === 1) box.append(el("p", { class: "muted", text: "No official map has this code." }));
}

async function convert(e) {
  e.preventDefault();
  const out = $("#convert-out");
  const codes = $("#convert-input").value.split(/[\s,]+/).filter(Boolean);
  if (!codes.length) { out.replaceChildren(el("p", { class: "error", text: "Type at least one code." })); return; }
  try {
    const rows = await api(`/v1/map?${qs({ to: $("#convert-to").value, on: $("#on").value })}&${codes.map((c) => `code=${encodeURIComponent(c)}`).join("&")}`);
    out.replaceChildren(...rows.map(renderMapAnswer));
  } catch (err) { out.replaceChildren(el("p", { class: "error", role: "alert", text: err.message })); }
}

function renderCode(info) {
  const crumbs = el("nav", { "aria-label": "Hierarchy", class: "crumbs" }, el("ol", {},
    info.ancestors.map((a) => el("li", {}, el("a", { href: codeHref(a.code, info.system), title: a.title },
      a.kind === "chapter" ? `Chapter ${a.code}` : a.code))),
    el("li", { "aria-current": "page", text: info.code })));
  const head = el("h2", { tabindex: "-1" }, el("span", { class: "code", text: info.code }), " ", info.title);
  const badges = el("p", { class: "badges" },
    info.billable ? badge(`Billable in ${info.release}`, "ok")
      : info.status === "not_loaded" ? badge("not in the loaded data", "muted")
      : badge(`Not billable (${info.kind})`, "warn"),
    badge(info.system, "muted"), info.on ? badge(`on ${info.on}`, "muted") : null);
  const out = [crumbs, head, badges];
  if (info.message) out.push(el("p", { class: info.billable ? "status-line" : "status-line warn-text", text: info.message }));
  if (info.note) out.push(el("p", { class: "muted", text: info.note }));
  if (info.seventh_character) {
    out.push(el("p", {}, "7th character ", el("strong", { text: info.seventh_character.char }),
      `: ${info.seventh_character.meaning || ""}`));
  }
  if (Array.isArray(info.axes) && info.axes.length) {  // ICD-10-PCS: one meaning per character
    out.push(el("h3", { text: "Characters" }), el("table", { class: "compact axes" },
      el("thead", {}, el("tr", {}, ["#", "Axis", "Value", "Meaning"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, info.axes.map((a) => el("tr", {}, el("td", { text: String(a.position) }),
        el("td", { text: a.axis_name || "" }), el("td", { class: "code", text: a.value }), el("td", { text: a.meaning || "" }))))));
  }
  const notes = info.notes || {};
  const sev = notes.seven_chr_def || [];
  if (sev.length) {
    out.push(el("h3", { text: "7th characters" }),
      el("table", { class: "compact" }, el("tbody", {}, sev.map((s) => el("tr", {
        class: info.seventh_character && info.seventh_character.char === s.char ? "current" : null },
        el("th", { scope: "row", text: s.char }), el("td", { text: s.meaning }))))),
      sev[0].inherited ? el("p", { class: "muted" }, "Defined at ", el("a", { href: codeHref(sev[0].from, info.system), text: sev[0].from })) : null);
  }
  for (const [kind, label] of Object.entries(NOTE_LABELS)) {
    const items = notes[kind] || [];
    if (!items.length) continue;
    const own = items.filter((n) => !n.inherited);
    const inherited = items.filter((n) => n.inherited);
    const sec = el("section", { class: "note" }, el("h3", { text: label }));
    if (own.length) sec.append(el("ul", {}, own.map((n) => el("li", { text: n.text }))));
    const byFrom = {};
    for (const n of inherited) (byFrom[n.from] = byFrom[n.from] || []).push(n);
    for (const [from, list] of Object.entries(byFrom)) {
      sec.append(el("p", { class: "from" }, "Inherited from ", el("a", { href: codeHref(from, info.system), text: from })),
        el("ul", { class: "inherited" }, list.map((n) => el("li", { text: n.text }))));
    }
    out.push(sec);
  }
  if (info.children && info.children.length) {
    out.push(el("h3", { text: `Codes under ${info.code} (${info.children.length})` }),
      el("ul", { class: "children" }, info.children.map((c) => el("li", {},
        el("a", { href: codeHref(c.code, info.system) }, el("span", { class: "code", text: c.code }), " ", c.title),
        c.billable ? badge("billable", "ok") : null))));
  }
  const rels = state.releases.filter((r) => r.system === info.system);
  if (rels.length) {
    const valid = new Set(info.valid_in || []);
    out.push(el("h3", { text: "Releases" }), el("ul", { class: "releases" }, rels.map((r) =>
      el("li", { class: valid.has(r.release) ? "yes" : "no" },
        `${r.release} (${r.effective_from} to ${r.effective_to || "now"}): `,
        valid.has(r.release) ? "valid" : "not billable"))));
  }
  return out;
}

// -- identify ----------------------------------------------------------------------------
async function identify(e) {
  e.preventDefault();
  const out = $("#identify-out");
  const codes = $("#identify-input").value.split(/[\s,]+/).filter(Boolean);
  if (!codes.length) { out.replaceChildren(el("p", { class: "error", text: "Type at least one code." })); return; }
  const query = codes.map((c) => `code=${encodeURIComponent(c)}`).join("&");
  try {
    const rows = await api(`/v1/identify?${query}`);
    out.replaceChildren(...rows.map((r) => el("section", { class: "identify" },
      el("h2", {}, el("span", { class: "code", text: r.input })),
      (r.candidates || []).length ? el("table", {}, el("thead", {}, el("tr", {},
        ["System", "Kind", "In data", "Title", "Why"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, r.candidates.map((c) => el("tr", {},
        el("td", {}, c.valid ? el("a", { href: codeHref(r.input, c.system), text: c.system }) : c.system),
        el("td", { text: c.kind || "" }), el("td", { text: c.valid ? "yes" : "no" }),
        el("td", { text: c.title || "" }), el("td", { class: "muted", text: c.reason || "" })))))
        : el("p", { class: "warn-text", text: "Not a code of any known system." }))));
  } catch (err) {
    if (err.status !== 501) { out.replaceChildren(el("p", { class: "error", role: "alert", text: err.message })); return; }
    const rows = await api(`/v1/validate?${query}`).catch((e2) => [{ input: codes.join(" "), message: e2.message }]);
    out.replaceChildren(el("p", { class: "muted", text: "Identify is not available in this build; checked as ICD-10-CM:" }),
      el("ul", {}, rows.map((r) => el("li", {}, el("span", { class: "code", text: r.input }), ": ", r.message))));
  }
}

// -- claims ------------------------------------------------------------------------------
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function addLine(values) {
  const v = { date: today(), units: "1", ...(values || {}) };
  const tbody = $("#lines");
  const n = tbody.children.length + 1;
  const cell = (name, attrs) => el("td", {}, el("input", { name, "aria-label": `Line ${n} ${name}`, value: v[name] || "", ...attrs }));
  const tr = el("tr", {}, el("td", { class: "num", text: String(n) }),
    cell("code", { size: 7, spellcheck: "false" }), cell("modifiers", { size: 8, placeholder: "25, 59" }),
    cell("units", { size: 3, inputmode: "decimal" }), cell("charge", { size: 7, inputmode: "decimal" }),
    cell("date", { type: "date" }), cell("pointers", { size: 6, placeholder: "1, 2" }),
    el("td", {}, el("button", { type: "button", class: "link", "aria-label": `Remove line ${n}`, text: "Remove",
      onclick: () => { tr.remove(); renumber(); } })));
  tbody.append(tr);
  return tr;
}

function renumber() {
  [...$("#lines").children].forEach((tr, i) => { tr.querySelector(".num").textContent = String(i + 1); });
}

function claimFromForm(form) {
  const f = new FormData(form);
  const split = (s) => String(s || "").split(/[\s,]+/).filter(Boolean);
  const claim = { id: f.get("id") || "C1", patient: {}, diagnoses: split(f.get("diagnoses")), lines: [] };
  if (f.get("birth_date")) claim.patient.birth_date = f.get("birth_date");
  if (f.get("sex")) claim.patient.sex = f.get("sex");
  for (const tr of $("#lines").children) {
    const get = (name) => tr.querySelector(`[name=${name}]`).value.trim();
    if (!get("code")) continue;
    const line = { code: get("code"), modifiers: split(get("modifiers")), units: Number(get("units") || 1) };
    if (get("charge")) line.charge = Number(get("charge"));
    if (get("date")) line.date = get("date");
    line.pointers = split(get("pointers")).map((p) => (/^\d+$/.test(p) ? Number(p) : p.toUpperCase()));
    claim.lines.push(line);
  }
  return claim;
}

async function checkClaim(e) {
  e.preventDefault();
  const out = $("#claim-out");
  out.replaceChildren(el("p", { class: "muted", text: "Checking…" }));
  try {
    const res = await api("/v1/claims/check", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(claimFromForm(e.target)) });
    out.replaceChildren(...res.results.map(renderClaimResult));
  } catch (err) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: err.message }));
  }
  out.focus();
}

function renderClaimResult(r) {
  const findings = r.findings || [];
  const status = r.status || "?";
  return el("section", { class: "claim-result" },
    el("h2", {}, `Claim ${r.claim || ""} `, badge(status.toUpperCase(), status === "pass" ? "ok" : status === "warn" ? "warn" : "bad")),
    findings.length ? el("table", { class: "findings" },
      el("thead", {}, el("tr", {}, ["Severity", "Edit", "Line", "Codes", "What is wrong", "Fix"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, findings.map((f) => el("tr", { class: `sev-${f.severity}` },
        el("td", { text: f.severity }), el("td", { class: "code", text: f.edit }), el("td", { text: f.line ?? "" }),
        el("td", { text: (f.codes || []).join(", ") }),
        el("td", {}, f.message, f.reference ? el("div", { class: "muted", text: f.reference }) : null),
        el("td", { text: f.fix || "" })))))
      : el("p", { text: "No findings: the claim passes every edit." }));
}

// -- routing and start -------------------------------------------------------------------
function route() {
  const hash = location.hash || "#/";
  const view = hash.startsWith("#/identify") ? "identify" : hash.startsWith("#/claims") ? "claims"
    : hash.startsWith("#/convert") ? "convert" : "lookup";
  for (const v of ["lookup", "identify", "claims", "convert"]) $(`#view-${v}`).hidden = v !== view;
  document.querySelectorAll("nav a[data-view]").forEach((a) => {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  const m = hash.match(/^#\/code\/([^/]+)\/(.+)$/);
  if (m) showCode(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
}

async function start() {
  $("#q").addEventListener("input", scheduleSearch);
  $("#q").addEventListener("keydown", onSearchKey);
  for (const id of ["#system", "#on", "#billable"]) $(id).addEventListener("change", scheduleSearch);
  $("#search-form").addEventListener("submit", (e) => e.preventDefault());
  $("#identify-form").addEventListener("submit", identify);
  $("#convert-form").addEventListener("submit", convert);
  $("#claim-form").addEventListener("submit", checkClaim);
  $("#add-line").addEventListener("click", () => addLine().querySelector("input").focus());
  $("#claim-out").setAttribute("tabindex", "-1");
  addLine({ code: "99213", units: "1", pointers: "1" });
  window.addEventListener("hashchange", route);
  try {
    const about = await api("/v1/about");
    state.features = about.features || {};
    state.releases = about.releases || [];
    const cover = Object.fromEntries((about.coverage || []).map((c) => [c.system, c]));
    $("#about").textContent = `v${about.version} · ` + [...new Set(state.releases.map((r) => r.system))].map((s) => {
      const c = cover[s];
      if (c) return `${s} ${c.newest} (to ${c.effective_to || "open"}${c.stale ? ", NOT current today" : ""})`;
      const rs = state.releases.filter((r) => r.system === s);
      return `${s} ${rs[rs.length - 1].release}`;
    }).join(" · ");
    const sel = $("#system");
    sel.replaceChildren(el("option", { value: "", text: "All systems" }),
      ...(about.systems || ["ICD-10-CM"]).map((s) => el("option", { value: s, text: s })));
    if (!state.features.claims) $("#claims-note").textContent = "Claim checking is not available in this build of medcode yet.";
    if (!state.features.search) $("#search-status").textContent = "Text search is not available in this build: type a code.";
  } catch (err) {
    $("#about").textContent = `The server did not answer: ${err.message}`;
  }
  route();
}

document.addEventListener("DOMContentLoaded", start);
