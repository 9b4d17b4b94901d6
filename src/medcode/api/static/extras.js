// medcode web page: optional code-page sections from APIs other builds may not have
// (feature-detected from /openapi.json; absent routes add nothing).
"use strict";

window.medcodeCodeHooks = window.medcodeCodeHooks || [];

// a list of plain objects as a small table; code-like values become links
function genericTable(rows, system) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== "object")))];
  return el("div", { class: "scroll" }, el("table", { class: "compact generic" },
    el("thead", {}, el("tr", {}, cols.map((c) => el("th", { scope: "col", text: c.replace(/_/g, " ") })))),
    el("tbody", {}, rows.map((r) => el("tr", {}, cols.map((c) => el("td", {},
      c === "code" && r[c] ? el("a", { href: codeHref(r[c], r.system || system), class: "code", text: r[c] }) : String(r[c] ?? ""))))))));
}

// crosswalks (GET /v1/map): ICD-10-CM <-> ICD-9-CM / ICD-11, when the route exists
window.medcodeCodeHooks.push(async (info, pane) => {
  if (!state.paths.has("/v1/map") || !["ICD-10-CM", "ICD-9-CM", "ICD-10-PCS"].includes(info.system)) return;
  const targets = info.system === "ICD-10-CM" ? ["ICD-9-CM", "ICD-11"] : info.system === "ICD-9-CM" ? ["ICD-10-CM"] : ["ICD-9-CM"];
  const sec = el("section", { class: "maps" }, el("h3", { text: "Mappings" }));
  for (const to of targets) {
    try {
      const res = await api(`/v1/map?${qs({ code: info.code, from: info.system, to })}`);
      const rows = (Array.isArray(res) ? res : [res]).flatMap((r) => r.targets || []);
      const msg = (Array.isArray(res) ? res : [res]).map((r) => r.message).filter(Boolean).join(" ");
      sec.append(el("h4", { text: `To ${to}` }), rows.length ? genericTable(rows, to) : el("p", { class: "muted", text: msg || "No mapping." }));
    } catch (err) { /* this map is not loaded: say nothing */ }
  }
  if (sec.children.length > 1 && document.body.contains(pane) && state.current) pane.append(sec);
});
