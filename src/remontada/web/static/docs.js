// The API reference, rendered from the server's own OpenAPI schema (no network beyond this server).
"use strict";

function node(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function typeOf(schema, spec) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.anyOf) return schema.anyOf.map((s) => typeOf(s, spec)).filter((t) => t !== "null").join(" or ");
  if (schema.enum) return schema.enum.join(" | ");
  let text = schema.format ? `${schema.type} (${schema.format})` : schema.type || "";
  const limits = [];
  if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) limits.push(`${schema.minLength}-${schema.maxLength ?? "…"} characters`);
  else if (schema.maxLength !== undefined) limits.push(`at most ${schema.maxLength} characters`);
  if (limits.length) text += `, ${limits.join(", ")}`;
  return text;
}

function table(rows) {
  return node("table", {}, node("tr", {}, node("th", {}, "name"), node("th", {}, "type"), node("th", {}, "required"), node("th", {}, "default")),
    ...rows.map((r) => node("tr", {}, node("td", {}, node("code", {}, r.name)), node("td", {}, r.type), node("td", {}, r.required ? "yes" : ""),
      node("td", {}, r.default === undefined ? "" : JSON.stringify(r.default)))));
}

async function render() {
  const spec = await (await fetch("/openapi.json")).json();
  const main = document.getElementById("api");
  main.replaceChildren(node("p", {}, `${spec.info.title} ${spec.info.version}: ${spec.info.summary || ""}`));
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const section = node("section", { class: "panel", id: `${method}-${path}` },
        node("h3", {}, node("code", {}, `${method.toUpperCase()} ${path}`)),
        node("p", {}, op.summary || ""),
        op.description ? node("p", { class: "meta" }, op.description) : null);
      const params = (op.parameters || []).map((p) => ({ name: p.name, type: typeOf(p.schema, spec), required: p.required, default: p.schema && p.schema.default }));
      if (params.length) section.append(table(params));
      const body = op.requestBody && op.requestBody.content["application/json"];
      if (body) {
        const name = body.schema.$ref.split("/").pop();
        const model = spec.components.schemas[name];
        section.append(node("p", {}, `JSON body (${name}):`), table(Object.entries(model.properties).map(([k, s]) => ({
          name: k, type: typeOf(s, spec), required: (model.required || []).includes(k), default: s.default }))));
      }
      if (method === "get" && params.every((p) => !p.required)) section.append(node("p", {}, node("a", { href: path }, `try ${path}`)));
      main.append(section);
    }
  }
}

render().catch((err) => { document.getElementById("api").textContent = `cannot read /openapi.json: ${err}`; });
