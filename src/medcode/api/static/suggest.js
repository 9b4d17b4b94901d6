// "Code this note": paste a note, get ranked codes with the words behind them highlighted,
// accept codes into the claim form's diagnoses. Its own view (#/note), beside app.js's.
"use strict";
(function () {
  const q = (sel) => document.querySelector(sel);
  function node(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") n.textContent = v; else n.setAttribute(k, v);
    }
    for (const kid of kids) n.append(kid);
    return n;
  }

  let last = null;  // {text, suggestions}

  function highlight(text, sugs, only) {
    // evidence spans of the chosen suggestion (or all), as <mark>s over text nodes
    const spans = [];
    for (const s of sugs) {
      if (only && s.code !== only) continue;
      for (const e of s.evidence) spans.push([e.start, e.end, s.code]);
    }
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const out = q("#note-marked");
    out.replaceChildren();
    let pos = 0;
    for (const [a, b, code] of spans) {
      if (a < pos) continue;
      out.append(text.slice(pos, a));
      out.append(node("mark", { title: code, "data-code": code, text: text.slice(a, b) }));
      pos = b;
    }
    out.append(text.slice(pos));
  }

  function accept(code) {
    const dx = q("#dx");
    if (!dx) return;
    const have = dx.value.split(/[\s,]+/).filter(Boolean);
    if (!have.includes(code)) have.push(code);
    dx.value = have.join(", ");
    q("#note-status").textContent = `${code} added to the claim's diagnoses (${have.length}).`;
  }

  function render(data) {
    const list = q("#note-out");
    list.replaceChildren();
    if (!data.suggestions.length) {
      list.append(node("p", { text: "No codes found in this note." }));
      return;
    }
    const table = node("table", { class: "findings" }, node("thead", {}, node("tr", {},
      ...["Code", "Score", "Title", "Evidence", ""].map((h) => node("th", { text: h })))));
    const body = node("tbody");
    for (const s of data.suggestions) {
      const flag = s.assertion !== "present" ? ` [${s.assertion}]` : "";
      const more = s.undetermined.length ? ` (open: ${s.undetermined.join("; ")})` : "";
      const show = node("button", { type: "button", class: "link", text: s.code });
      show.addEventListener("click", () => highlight(data.text, data.suggestions, s.code));
      const btn = node("button", { type: "button", "data-accept": s.code, text: "Accept" });
      btn.addEventListener("click", () => accept(s.code));
      body.append(node("tr", {}, node("td", {}, show), node("td", { text: s.score.toFixed(2) }),
        node("td", { text: s.title + flag + more }),
        node("td", { text: s.evidence.map((e) => e.text).join(" · ") }), node("td", {}, btn)));
    }
    table.append(body);
    list.append(table);
  }

  async function submit(ev) {
    ev.preventDefault();
    const text = q("#note-text").value;
    if (!text.trim()) { q("#note-status").textContent = "Paste a note first."; return; }
    const payload = { text, limit: 20 };
    const sys = q("#note-system").value;
    if (sys) payload.system = sys;
    const on = q("#on") && q("#on").value;
    if (on) payload.on = on;
    q("#note-status").textContent = "Reading the note…";
    try {
      const resp = await fetch("/v1/suggest", { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
      const data = await resp.json();
      if (!resp.ok) throw new Error(data.message || resp.statusText);
      last = { text, suggestions: data.suggestions };
      q("#note-status").textContent = `${data.suggestions.length} suggestions.`;
      highlight(text, data.suggestions, null);
      render(last);
    } catch (err) {
      q("#note-status").textContent = `Could not suggest codes: ${err.message}`;
    }
  }

  function route() {
    const on = (location.hash || "").startsWith("#/note");
    if (q("#view-note").hidden === on) q("#view-note").hidden = !on;
    if (on) for (const v of document.querySelectorAll("main > .view")) {
      if (v.id !== "view-note" && !v.hidden) v.hidden = true;   // whatever app.js showed
    }
    const link = q('nav a[data-view="note"]');
    if (on) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }

  document.addEventListener("DOMContentLoaded", () => {
    q("#note-form").addEventListener("submit", submit);
    window.addEventListener("hashchange", route);
    route();
    // the page's own router (app.js) runs later too: keep this view's say on #/note
    new MutationObserver(route).observe(q("main"), { subtree: true, attributes: true,
      attributeFilter: ["hidden"] });
  });
})();
