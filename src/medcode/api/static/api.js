// The API reference page: /openapi.json rendered as a list, no external resources.
"use strict";

function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) node.append(kid instanceof Node ? kid : String(kid));
  return node;
}

function example(path, op) {
  const query = (op.parameters || []).filter((p) => p.in === "query" && p.required)
    .map((p) => `${p.name}=…`).join("&");
  return path + (query ? `?${query}` : "");
}

async function start() {
  const out = document.getElementById("ops");
  let spec;
  try {
    spec = await (await fetch("/openapi.json")).json();
  } catch (err) {
    out.replaceChildren(el("p", { class: "error" }, `Could not read /openapi.json: ${err.message}`));
    return;
  }
  const sections = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters || []).map((p) => el("li", {},
        el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`,
        p.description ? ` — ${p.description}` : ""));
      sections.push(el("section", { class: "identify" },
        el("h2", {}, el("span", { class: "code" }, `${method.toUpperCase()} ${path}`)),
        op.summary ? el("p", {}, el("strong", {}, op.summary)) : null,
        op.description ? el("p", { class: "muted" }, op.description) : null,
        params.length ? el("ul", {}, params) : null,
        method === "get" && !path.includes("{") ? el("p", {}, el("a", { href: example(path, op) }, "Open")) : null));
    }
  }
  out.replaceChildren(el("p", {}, `${spec.info.title} ${spec.info.version}`), ...sections);
}

document.addEventListener("DOMContentLoaded", start);
