// The plain API reference: every route of /openapi.json with a request example and, on
// demand, the live response from this server. No external resources, no markdown library.
"use strict";

function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined) node.append(kid instanceof Node ? kid : String(kid));
  return node;
}

// `code` spans and **bold** of the descriptions, as elements (never innerHTML)
function prose(text) {
  const out = [];
  for (const part of String(text || "").split(/(`[^`]+`|\*\*[^*]+\*\*)/)) {
    if (!part) continue;
    if (part.startsWith("`")) out.push(el("code", {}, part.slice(1, -1)));
    else if (part.startsWith("**")) out.push(el("strong", {}, part.slice(2, -2)));
    else out.push(part.replace(/^\s*[*-] /gm, "• "));
  }
  return out;
}

// Example values by parameter name; routes whose parameters the spec does not list
// (the FHIR operations read them themselves) have whole example queries.
const PARAM_EXAMPLES = {
  code: "E11.9", q: "diabetes kidney", on: "2026-01-15", system: "ICD-10-CM", limit: "5",
  url: "http://hl7.org/fhir/sid/icd-10-cm", rid: "icd-10-cm", mode: "terminology",
  from: "ICD-10-CM", to: "ICD-9-CM", offset: "0", term: "acetaminophen",
};
const QUERY_EXAMPLES = {
  "GET /v1/codes/{code}": "/v1/codes/S72.001A?on=2026-01-15",
  "GET /v1/validate": "/v1/validate?code=E11.9&code=W21.89A&on=2026-01-15",
  "GET /v1/identify": "/v1/identify?code=99213&code=E11.9&code=0DTJ4ZZ",
  "GET /v1/search": "/v1/search?q=diabetes%20kidney&limit=5",
  "GET /v1/map": "/v1/map?code=250.00&to=ICD-10-CM",
  "GET /v1/index": "/v1/index?term=acetaminophen&table=drug",
  "GET /fhir/CodeSystem/$lookup": "/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=E11.9",
  "GET /fhir/CodeSystem/$validate-code": "/fhir/CodeSystem/$validate-code?url=http://hl7.org/fhir/sid/icd-10-cm&code=E11.9",
  "GET /fhir/CodeSystem/$subsumes": "/fhir/CodeSystem/$subsumes?system=http://hl7.org/fhir/sid/icd-10-cm&codeA=E11&codeB=E11.9",
  "GET /fhir/ValueSet/$expand": "/fhir/ValueSet/$expand?url=http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/E11.2&count=5",
  "GET /fhir/ValueSet/$validate-code": "/fhir/ValueSet/$validate-code?url=http://hl7.org/fhir/sid/icd-10-cm?fhir_vs&system=http://hl7.org/fhir/sid/icd-10-cm&code=E11.9",
  "GET /fhir/ValueSet/$batch-validate-code": null,
};
const fhirParams = (...pairs) => ({ resourceType: "Parameters", parameter: pairs.map(([name, v]) =>
  ({ name, [name === "code" || name === "codeA" || name === "codeB" ? "valueCode" : "valueUri"]: v })) });
const BODY_EXAMPLES = {
  "POST /fhir/CodeSystem/$lookup": fhirParams(["system", "http://hl7.org/fhir/sid/icd-10-cm"], ["code", "E11.9"]),
  "POST /fhir/CodeSystem/$validate-code": fhirParams(["url", "http://hl7.org/fhir/sid/icd-10-cm"], ["code", "E11.9"]),
  "POST /fhir/CodeSystem/$subsumes": fhirParams(["system", "http://hl7.org/fhir/sid/icd-10-cm"], ["codeA", "E11"], ["codeB", "E11.9"]),
  "POST /fhir/ValueSet/$expand": fhirParams(["url", "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/E11.2"]),
  "POST /fhir/ValueSet/$validate-code": fhirParams(["url", "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs"],
    ["system", "http://hl7.org/fhir/sid/icd-10-cm"], ["code", "E11.9"]),
};

function exampleQuery(key, path, op) {
  if (key in QUERY_EXAMPLES) return QUERY_EXAMPLES[key];
  const params = op.parameters || [];
  let url = path;
  for (const p of params.filter((x) => x.in === "path")) {
    const v = PARAM_EXAMPLES[p.name] || (p.example !== undefined ? String(p.example) : null);
    if (v === null) return null;
    url = url.replace(`{${p.name}}`, encodeURIComponent(v));
  }
  const query = [];
  for (const p of params.filter((x) => x.in === "query" && x.required)) {
    const v = p.example !== undefined ? String(p.example) : PARAM_EXAMPLES[p.name];
    if (v === undefined) return null;
    query.push(`${p.name}=${encodeURIComponent(v)}`);
  }
  return url + (query.length ? `?${query.join("&")}` : "");
}

function exampleBody(key, op) {
  const content = (op.requestBody && op.requestBody.content) || {};
  for (const [type, media] of Object.entries(content)) {
    if (media.example !== undefined) return { type, text: JSON.stringify(media.example, null, 2) };
  }
  if (key in BODY_EXAMPLES) return { type: Object.keys(content)[0] || "application/json", text: JSON.stringify(BODY_EXAMPLES[key], null, 2) };
  return null;
}

function responseBlock(method, url, body) {
  const pre = el("pre", { class: "example", tabindex: "0", hidden: true });
  const status = el("span", { class: "muted", role: "status" });
  const button = el("button", { type: "button", onclick: async () => {
    status.textContent = "Asking this server…";
    try {
      const resp = await fetch(url, method === "GET" ? {} : { method, headers: { "Content-Type": body.type }, body: body.text });
      const text = await resp.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      const lines = shown.split("\n");
      pre.textContent = lines.length > 60 ? `${lines.slice(0, 60).join("\n")}\n… (${lines.length - 60} more lines)` : shown;
      pre.hidden = false;
      status.textContent = `HTTP ${resp.status} ${resp.headers.get("content-type") || ""}`;
    } catch (err) {
      status.textContent = `The server did not answer: ${err.message}`;
    }
  } }, "Show the response");
  return [el("p", {}, button, " ", status), pre];
}

function operation(path, method, op) {
  const key = `${method.toUpperCase()} ${path}`;
  const params = (op.parameters || []).map((p) => el("li", {},
    el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`,
    p.description ? [" — ", ...prose(p.description)] : ""));
  const parts = [el("h2", { id: key.replace(/[^A-Za-z0-9]+/g, "-") }, el("span", { class: "code" }, key)),
    op.summary ? el("p", {}, el("strong", {}, op.summary)) : null,
    op.description ? el("p", { class: "desc" }, prose(op.description)) : null,
    params.length ? el("ul", {}, params) : null];
  if (method === "get") {
    const url = exampleQuery(key, path, op);
    if (url) {
      parts.push(el("h3", {}, "Example request"), el("p", {}, el("a", { href: url, class: "code" }, `GET ${url}`)),
        el("h3", {}, "Example response"), ...responseBlock("GET", url, null));
    } else {
      parts.push(el("p", { class: "muted" }, "Send its parameters as in the POST form below (or see /docs)."));
    }
  } else {
    const body = exampleBody(key, op);
    const types = Object.keys((op.requestBody && op.requestBody.content) || {});
    if (types.length) parts.push(el("p", {}, "Request body: ", types.map((t, i) => [i ? ", " : "", el("code", {}, t)])));
    if (body) {
      const url = path.includes("{") ? null : path;
      parts.push(el("h3", {}, "Example request"),
        el("pre", { class: "example", tabindex: "0" }, `${method.toUpperCase()} ${path}\nContent-Type: ${body.type}\n\n${body.text}`));
      if (url) parts.push(el("h3", {}, "Example response"), ...responseBlock(method.toUpperCase(), url, body));
    }
  }
  return el("section", { class: "identify op" }, parts);
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
  const toc = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const s = operation(path, method, op);
      toc.push(el("li", {}, el("a", { href: `#${s.querySelector("h2").id}`, class: "code" }, `${method.toUpperCase()} ${path}`)));
      sections.push(s);
    }
  }
  out.replaceChildren(el("p", {}, `${spec.info.title} ${spec.info.version}`),
    el("nav", { "aria-label": "Routes" }, el("ul", { class: "toc" }, toc)), ...sections);
  if (location.hash) { const t = document.getElementById(location.hash.slice(1)); if (t) t.scrollIntoView(); }
}

document.addEventListener("DOMContentLoaded", start);
