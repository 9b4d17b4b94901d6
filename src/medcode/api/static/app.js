// medcode web page: plain JS over the /v1 API. No build step, no external resources.
// Search text, system and date live in the URL (#/code/SYS/CODE?q=..&system=..&on=..).
"use strict";

const $ = (sel) => document.querySelector(sel);
const NOTE_LABELS = {
  includes: "Includes", inclusion_terms: "Inclusion terms",
  excludes1: "Excludes1 (never coded together)", excludes2: "Excludes2 (may be coded together)",
  code_first: "Code first", use_additional: "Use additional code", code_also: "Code also",
  notes: "Notes", seven_chr_note: "7th character note",
};
const PAGE = 20;           // results per page of search
const MAX_Q = 200;         // the API's limit on search text
const state = { features: {}, releases: [], paths: new Set(), active: -1, items: [], seq: 0, timer: 0,
  limit: PAGE, current: null, codeSeq: 0 };

// -- helpers -----------------------------------------------------------------------------
function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat(Infinity)) {
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
    const err = new Error((body && body.message) || `The server answered HTTP ${resp.status}`);
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

// the search text, system and date as URL parameters (kept in the hash)
function urlParams() {
  return qs({ q: $("#q").value.trim(), system: $("#system").value, on: $("#on").value });
}

function codeHref(code, system) {
  const p = urlParams();
  return `#/code/${encodeURIComponent(system || "any")}/${encodeURIComponent(code)}${p ? `?${p}` : ""}`;
}

function syncUrl() {
  const [path] = (location.hash || "#/").split("?");
  const p = urlParams();
  const next = `${path}${p ? `?${p}` : ""}`;
  if (next !== (location.hash || "#/")) history.replaceState(null, "", next);
}

function badge(text, kind) { return el("span", { class: `badge ${kind}`, text }); }

function announce(text) { $("#live").textContent = ""; setTimeout(() => { $("#live").textContent = text; }, 30); }

// "E11.A", "E10.-", "O24.4-", "(P04-P96)" in a note: each code a link
const CODE_REF = /\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(\.?-)?(?![0-9A-Za-z])/g;
function linkCodes(text, system) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(CODE_REF)) {
    out.push(text.slice(last, m.index));
    out.push(el("a", { href: codeHref(m[1], system), class: "ref" }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// -- search ------------------------------------------------------------------------------
function searchParams() {
  return { system: $("#system").value, on: $("#on").value, billable: $("#billable").checked ? "true" : "" };
}

function scheduleSearch() {
  state.limit = PAGE;
  syncUrl();
  clearTimeout(state.timer);
  state.timer = setTimeout(runSearch, 150);
}

function looksLikeCode(q) {
  return /^[A-Za-z0-9]{3,}(\.[A-Za-z0-9]{0,4})?$/.test(q) && /\d/.test(q);
}

async function runSearch() {
  const q = $("#q").value.trim();
  const seq = ++state.seq;
  if (!q) { showResults([], "", false); return; }
  if (q.length > MAX_Q) {
    showResults([], `The search text is ${q.length} characters; at most ${MAX_Q} are searched. Shorten it.`, false);
    return;
  }
  const p = searchParams();
  let items = [], note = "", more = false;
  try {
    if (state.features.search) {
      const [hits, check] = await Promise.all([
        api(`/v1/search?${qs({ q, limit: state.limit + 1, prefix: "true", ...p })}`),
        looksLikeCode(q) ? api(`/v1/validate?${qs({ code: q, on: p.on, system: p.system })}`).catch(() => null) : null]);
      more = hits.length > state.limit;
      items = hits.slice(0, state.limit);
      note = items.length ? `${items.length}${more ? "+" : ""} result${items.length > 1 ? "s" : ""}` : `No match for “${q}”`;
      const v = check && check[0];
      if (v && v.status !== "malformed") {
        const exact = items.some((it) => it.code.replace(".", "").toUpperCase() === String(v.code || v.input).replace(".", "").toUpperCase());
        if (v.valid && !exact) {  // a code search does not index (e.g. CPT without descriptors)
          items.unshift({ code: v.code || v.input, system: v.system, title: v.message, billable: null });
          note = v.message;
        } else if (!v.valid && v.status !== "wrong_system") {
          note = v.message;  // why the code as typed is not billable
          if (!items.length) items = (v.suggestions || []).slice(0, PAGE).map((c) => ({ code: c, system: v.system, title: "suggested" }));
        }
      }
    } else {
      [items, note] = await exactLookup(q, p);
    }
  } catch (err) {
    note = err.message;
  }
  if (seq === state.seq) showResults(items, note, more);
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
      sugg = (v[0].suggestions || []).slice(0, PAGE).map((c) => ({ code: c, system: v[0].system, title: "suggested" }));
    } catch (e) { /* the message below says enough */ }
    return [sugg, err.message];
  }
}

function resultBadge(it) {
  if (it.billable === true) return badge("billable", "ok");
  if (it.billable === false && (it.seventh_characters || []).length) return badge("add 7th character", "warn");
  if (it.billable === false) return badge("header", "muted");
  return el("span");
}

function showResults(items, note, more) {
  state.items = items; state.active = -1;
  $("#search-status").textContent = note;
  const list = $("#results");
  list.replaceChildren(...items.map((it, i) => el("li", {
    id: `opt-${i}`, role: "option", "aria-selected": "false",
    onmousedown: (e) => e.preventDefault(), onclick: () => openResult(i),
  }, el("span", { class: "code", text: it.code }),
     el("span", { class: "title" }, it.title || "",
       it.system && it.system !== "ICD-10-CM" ? el("span", { class: "sys", text: ` · ${it.system}` }) : null,
       (it.matched || []).length ? el("span", { class: "why", text: `matched: ${it.matched.join("; ")}` }) : null),
     resultBadge(it))));
  $("#more").hidden = !more;
  $("#q").setAttribute("aria-expanded", items.length ? "true" : "false");
  $("#q").removeAttribute("aria-activedescendant");
}

function moveActive(delta) {
  const n = state.items.length;
  if (!n) return;
  const prev = document.getElementById(`opt-${state.active}`);
  if (prev) prev.setAttribute("aria-selected", "false");
  // from the box (nothing highlighted) Down goes to the first result, Up to the last
  state.active = state.active < 0 ? (delta > 0 ? 0 : n - 1) : (state.active + delta + n) % n;
  const cur = document.getElementById(`opt-${state.active}`);
  cur.setAttribute("aria-selected", "true");
  cur.scrollIntoView({ block: "nearest" });
  $("#q").setAttribute("aria-activedescendant", cur.id);
}

function openResult(i) {
  const it = state.items[i];
  if (it) location.hash = codeHref(it.code, it.system);
}

async function onSearchKey(e) {
  if (e.key === "ArrowDown") { e.preventDefault(); moveActive(1); }
  else if (e.key === "ArrowUp") { e.preventDefault(); moveActive(-1); }
  else if (e.key === "Escape") { showResults([], "", false); }
  else if (e.key === "Enter") {
    e.preventDefault();
    const q = $("#q").value.trim();
    if (state.active >= 0) openResult(state.active);
    else if (q && (looksLikeCode(q) || /^[A-Za-z0-9]{2}$/.test(q))) location.hash = codeHref(q, $("#system").value);  // a code or a modifier
    else if (q) {  // words: finish the search and highlight the best result, never open a page for the words
      clearTimeout(state.timer);
      await runSearch();
      if (state.items.length) moveActive(1);
    }
  }
}

// -- code page ---------------------------------------------------------------------------
function releaseOf(system, name) { return state.releases.find((r) => r.system === system && r.release === name); }

async function showCode(system, code) {
  const pane = $("#code");
  const seq = ++state.codeSeq;
  state.current = { system, code };
  pane.replaceChildren(el("p", { class: "muted", text: `Looking up ${code}…` }));
  const on = $("#on").value;
  const sys = system === "any" ? "" : system;
  let info, outside = null;
  try {
    info = await api(`/v1/codes/${encodeURIComponent(code)}?${qs({ system: sys, on })}`);
  } catch (err) {
    if (err.body && err.body.error === "NoRelease" && on) {
      // a date past (or before) the loaded releases: show the code in the latest release, say so
      outside = err.message;
      try { info = await api(`/v1/codes/${encodeURIComponent(code)}?${qs({ system: sys })}`); } catch (e2) { err = e2; }
    }
    if (!info) {
      if (seq !== state.codeSeq) return;
      document.title = `${code} · medcode`;
      pane.replaceChildren(el("h2", { tabindex: "-1", text: code }), el("p", { class: "error", text: err.message }));
      pane.querySelector("h2").focus();
      announce(err.message);
      return;
    }
  }
  if (seq !== state.codeSeq) return;
  document.title = `${info.code}${info.title ? ` ${info.title}` : ""} · medcode`;
  pane.replaceChildren(...renderCode(info, outside));
  const h2 = pane.querySelector("h2");
  h2.focus({ preventScroll: true });
  if (matchMedia("(max-width: 900px)").matches) pane.scrollIntoView({ block: "start" });  // phone: out from under the search
  announce(`${info.code}: ${info.message || info.title || ""}`);
  fillReleases(info);
  for (const hook of window.medcodeCodeHooks || []) hook(info, pane);  // optional sections (see extras.js)
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

function validityBadge(info) {
  const rel = info.release;
  if (info.status === "not_loaded") return badge("descriptor not loaded", "muted");
  if (info.status === "not_in_release") return badge(`Not valid in ${rel}`, "bad");
  if (!info.billable) return badge(`Not billable (${info.kind})`, "warn");
  if (info.kind === "modifier") return badge(rel ? `${info.system} modifier, active in the ${rel} file` : `${info.system} modifier`, "ok");
  if (!rel) return badge(info.status === "valid" ? "Valid" : info.status, info.status === "valid" ? "ok" : "muted");
  if (info.system === "HCPCS") return badge(`Active in the HCPCS ${rel} file`, "ok");
  if (info.system === "ICD-9-CM") return badge(`Valid in ICD-9-CM ${rel} (final release)`, "ok");
  return badge(`Billable in ${rel}`, "ok");
}

function copyButton(code) {
  const b = el("button", { type: "button", class: "copy", "aria-label": `Copy code ${code}`, text: "Copy code" });
  b.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(code); b.textContent = "Copied"; }
    catch (e) {  // clipboard blocked: select the code so Ctrl+C copies it
      const span = $("#code h2 .code"); const r = document.createRange(); r.selectNodeContents(span);
      getSelection().removeAllRanges(); getSelection().addRange(r); b.textContent = "Selected: press Ctrl+C";
    }
    announce(b.textContent);
    setTimeout(() => { b.textContent = "Copy code"; }, 2000);
  });
  return b;
}

function seventhCode(info, ch) {
  // the full code for a 7th character: the 6-character base (X placeholders) plus the character
  const base = (info.seventh_character ? info.code.slice(0, -1) : info.code).replace(".", "");
  if (base.length > 6) return null;
  const full = base.padEnd(6, "X") + ch;
  return `${full.slice(0, 3)}.${full.slice(3)}`;
}

function fromLabel(from, info) {
  const a = (info.ancestors || []).find((x) => x.code === from);
  if (a && a.kind === "chapter") return `Chapter ${a.code}: ${a.title}`;
  if (a && a.kind === "block") return a.title;
  return from;
}

const HCPCS_FIELDS = [
  ["short_description", "Short description"], ["coverage", "Coverage", "coverage_meaning"],
  ["betos", "BETOS"], ["pricing", "Pricing indicator"], ["multiple_pricing", "Multiple pricing"],
  ["tos", "Type of service"], ["add_date", "Added"], ["effective_date", "Action effective"],
  ["termination_date", "Terminated"], ["action_code", "Action", "action_meaning"],
  ["cim", "Coverage Issues Manual"], ["mcm", "Medicare Carriers Manual"], ["statute", "Statute"],
  ["lab_cert", "Lab certification"], ["xref", "Cross-reference"], ["asc_group", "ASC group"],
  ["asc_date", "ASC date"], ["anesthesia_base_units", "Anesthesia base units"],
  ["family_name", "Family"], ["procnote", "Processing note"],
];

function detailsList(info) {
  const rows = [];
  for (const [key, label, meaning] of HCPCS_FIELDS) {
    let v = info[key];
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
    if (key === "anesthesia_base_units" && !v) continue;
    const value = key === "xref" ? v.map((c, i) => [i ? ", " : "", el("a", { href: codeHref(c, info.system), text: c })])
      : Array.isArray(v) ? v.join(", ") : String(v);
    rows.push(el("dt", { text: label }), el("dd", {}, value, meaning && info[meaning] ? ` (${info[meaning]})` : ""));
  }
  if (info.termination_date === null && "termination_date" in info) rows.push(el("dt", { text: "Terminated" }), el("dd", { text: "no termination date in this file" }));
  return rows.length ? [el("h3", { text: "Details from the HCPCS file" }), el("dl", { class: "details" }, rows)] : [];
}

function renderCode(info, outside) {
  const crumbs = el("nav", { "aria-label": "Hierarchy", class: "crumbs" }, el("ol", {},
    info.ancestors.map((a) => el("li", {}, el("a", { href: codeHref(a.code, info.system), title: a.title },
      a.kind === "chapter" ? `Chapter ${a.code}` : a.code))),
    el("li", { "aria-current": "page", text: info.code })));
  const head = el("h2", { tabindex: "-1" }, el("span", { class: "code", text: info.code }), " ", info.title || "");
  const badges = el("div", { class: "badges" }, validityBadge(info), badge(info.system, "muted"),
    info.on ? badge(`on ${info.on}`, "muted") : null, copyButton(info.code));
  const out = [crumbs, head, badges];
  if (outside) out.push(el("p", { class: "status-line warn-text" }, outside, ". Shown below: ", info.code, " in ",
    info.release, ", the latest release loaded; nothing here is a statement about ", $("#on").value, "."));
  if (info.message) out.push(el("p", { class: info.billable ? "status-line" : "status-line warn-text" }, linkCodes(info.message, info.system)));
  if (info.note) out.push(el("p", { class: "muted", text: info.note }));
  if (info.seventh_character) {
    out.push(el("p", {}, "7th character ", el("strong", { text: info.seventh_character.char }),
      `: ${info.seventh_character.meaning || ""}`));
  }
  if (Array.isArray(info.axes) && info.axes.length) {  // ICD-10-PCS: one meaning per character
    out.push(el("h3", { text: "Characters" }), el("div", { class: "scroll" }, el("table", { class: "compact axes" },
      el("thead", {}, el("tr", {}, ["#", "Axis", "Value", "Meaning"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, info.axes.map((a) => el("tr", {}, el("td", { text: String(a.position) }),
        el("td", { text: a.axis_name || "" }), el("td", { class: "code", text: a.value }), el("td", { text: a.meaning || "" })))))));
  }
  out.push(...detailsList(info));
  if (info.modifier) {  // a CPT modifier: medcode's own words, its group and NCCI use
    out.push(el("h3", { text: "Modifier" }), el("dl", { class: "details" },
      el("dt", { text: "Group" }), el("dd", { text: info.modifier.group || "" }),
      el("dt", { text: "NCCI pair edits" }), el("dd", { text: info.modifier.ncci_ptp
        ? "an NCCI-associated modifier: it may bypass a procedure-to-procedure edit when the documentation supports it"
        : "not an NCCI-associated modifier" })));
  }
  const notes = info.notes || {};
  const sev = notes.seven_chr_def || [];
  if (sev.length) {
    out.push(el("h3", { text: "7th characters" }),
      el("table", { class: "compact sevenths" }, el("tbody", {}, sev.map((s) => {
        const full = seventhCode(info, s.char);
        const current = info.seventh_character && info.seventh_character.char === s.char;
        return el("tr", { class: current ? "current" : null },
          el("th", { scope: "row", text: s.char }),
          el("td", {}, full && !current ? el("a", { href: codeHref(full, info.system), class: "code", text: full }) : el("span", { class: "code", text: full || "" })),
          el("td", { text: s.meaning }));
      }))),
      sev[0].inherited ? el("p", { class: "muted" }, "Defined at ", el("a", { href: codeHref(sev[0].from, info.system), text: sev[0].from })) : null);
  }
  for (const [kind, label] of Object.entries(NOTE_LABELS)) {
    const items = notes[kind] || [];
    if (!items.length) continue;
    const own = items.filter((n) => !n.inherited);
    const inherited = items.filter((n) => n.inherited);
    const sec = el("section", { class: "note" }, el("h3", { text: label }));
    if (own.length) sec.append(el("ul", {}, own.map((n) => el("li", {}, linkCodes(n.text, info.system)))));
    const byFrom = {};
    for (const n of inherited) (byFrom[n.from] = byFrom[n.from] || []).push(n);
    for (const [from, list] of Object.entries(byFrom)) {
      sec.append(el("p", { class: "from" }, "Inherited from ", el("a", { href: codeHref(from, info.system), text: fromLabel(from, info) })),
        el("ul", { class: "inherited" }, list.map((n) => el("li", {}, linkCodes(n.text, info.system)))));
    }
    out.push(sec);
  }
  if (info.children && info.children.length) {
    out.push(el("h3", { text: `Codes under ${info.code} (${info.children.length})` }),
      el("ul", { class: "children" }, info.children.map((c) => el("li", {},
        el("a", { href: codeHref(c.code, info.system) }, el("span", { class: "code", text: c.code }), " ", c.title),
        c.billable ? badge("billable", "ok") : null))));
  }
  if (state.releases.some((r) => r.system === info.system)) {
    out.push(el("h3", { text: "Releases" }), el("ul", { class: "releases", "aria-busy": "true" }));
  }
  return out.filter(Boolean);
}

// One line per loaded release of the code's system, each the API's own statement: the
// shown release from the lookup, the others from /v1/validate?release= (never guessed).
async function fillReleases(info) {
  const list = $("#code ul.releases");
  if (!list) return;
  const rels = state.releases.filter((r) => r.system === info.system);
  const validIn = Array.isArray(info.valid_in) ? new Set(info.valid_in) : null;
  const rows = await Promise.all(rels.map(async (r) => {
    const span = `${r.release} (${r.effective_from} to ${r.effective_to || "no end date in the file"})`;
    if (r.release === info.release) {
      return [span, info.billable ? "valid (shown above)" : `${info.status === "header" ? "not billable" : info.status} (shown above)`, info.billable];
    }
    if (validIn && validIn.has(r.release)) return [span, "valid", true];
    try {
      const v = (await api(`/v1/validate?${qs({ code: info.code, system: info.system, release: r.release })}`))[0];
      return [span, v.valid ? "valid" : v.message, v.valid];
    } catch (err) {
      return [span, err.message, false];
    }
  }));
  if (!document.body.contains(list)) return;
  list.replaceChildren(...rows.map(([span, what, ok]) => el("li", { class: ok ? "yes" : "no" }, `${span}: `, what)));
  list.removeAttribute("aria-busy");
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
      (r.candidates || []).length ? el("div", { class: "scroll" }, el("table", { class: "stack" }, el("thead", {}, el("tr", {},
        ["System", "Kind", "In data", "Title", "Why"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, r.candidates.map((c) => el("tr", {},
        el("td", { "data-label": "System" }, c.valid ? el("a", { href: codeHref(r.input, c.system), text: c.system }) : c.system),
        el("td", { "data-label": "Kind", text: c.kind || "" }), el("td", { "data-label": "In data", text: c.valid ? "yes" : "no" }),
        el("td", { "data-label": "Title", text: c.title || "" }), el("td", { "data-label": "Why", class: "muted", text: c.reason || "" }))))))
        : el("p", { class: "warn-text", text: "Not a code of any known system." }))));
  } catch (err) {
    if (err.status !== 501) { out.replaceChildren(el("p", { class: "error", role: "alert", text: err.message })); return; }
    const rows = await api(`/v1/validate?${query}`).catch((e2) => [{ input: codes.join(" "), message: e2.message }]);
    out.replaceChildren(el("p", { class: "muted", text: "Identify is not available in this build; checked as ICD-10-CM:" }),
      el("ul", {}, rows.map((r) => el("li", {}, el("span", { class: "code", text: r.input }), ": ", r.message))));
  }
}

// -- routing and start -------------------------------------------------------------------
function applyUrlParams(query) {
  const p = new URLSearchParams(query || "");
  const changed = [];
  for (const [id, key] of [["#q", "q"], ["#system", "system"], ["#on", "on"]]) {
    const v = p.get(key) || "";
    if ($(id).value !== v && (id !== "#system" || [...$(id).options].some((o) => o.value === v))) {
      $(id).value = v; changed.push(key);
    }
  }
  return changed;
}

function route() {
  const hash = location.hash || "#/";
  const [path, query] = hash.split("?");
  const view = path.startsWith("#/identify") ? "identify" : path.startsWith("#/claims") ? "claims"
    : path.startsWith("#/convert") ? "convert" : "lookup";
  for (const v of ["lookup", "identify", "claims", "convert"]) $(`#view-${v}`).hidden = v !== view;
  document.querySelectorAll("nav a[data-view]").forEach((a) => {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  const changed = applyUrlParams(query);
  if (changed.includes("q") || changed.includes("system") || changed.includes("on")) { clearTimeout(state.timer); runSearch(); }
  const m = path.match(/^#\/code\/([^/]+)\/(.+)$/);
  if (m) showCode(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
  else if (view === "lookup") { state.current = null; document.title = "medcode: look up codes"; }
  else document.title = { identify: "Identify a code · medcode", convert: "Convert codes · medcode" }[view]
    || "Check a claim · medcode";
}

function onDateChange() {
  scheduleSearch();
  if (state.current) showCode(state.current.system, state.current.code);  // the open code follows the date
}

async function start() {
  $("#q").addEventListener("input", scheduleSearch);
  $("#q").addEventListener("keydown", onSearchKey);
  $("#system").addEventListener("change", scheduleSearch);
  $("#billable").addEventListener("change", scheduleSearch);
  $("#on").addEventListener("change", onDateChange);
  $("#more").addEventListener("click", () => { state.limit += PAGE; runSearch(); $("#q").focus(); });
  $("#search-form").addEventListener("submit", (e) => e.preventDefault());
  $("#identify-form").addEventListener("submit", identify);
  $("#convert-form").addEventListener("submit", convert);
  window.addEventListener("hashchange", route);
  try {
    const [about, spec] = await Promise.all([api("/v1/about"), api("/openapi.json").catch(() => ({ paths: {} }))]);
    state.paths = new Set(Object.keys(spec.paths || {}));
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
    if (!state.features.search) $("#search-status").textContent = "Text search is not available in this build: type a code.";
    document.dispatchEvent(new CustomEvent("medcode:ready", { detail: { about, paths: state.paths } }));
  } catch (err) {
    $("#about").textContent = `The server did not answer: ${err.message}`;
  }
  route();
}

document.addEventListener("DOMContentLoaded", start);
