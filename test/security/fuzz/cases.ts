import { type IdBook, idPrefixOf, nonNull, propertiesOf, sample, unknownId } from "./baseline.js";
import {
  BODY_VALUES,
  CONTENT_TYPES,
  DECLARED_HEADER_VALUES,
  EXTRA_KEYS,
  HEADER_VALUES,
  type Hostile,
  PATH_VALUES,
  QUERY_VALUES,
  WHOLE_BODIES,
} from "./hostile-values.js";
import type { JsonSchema, Operation } from "./operations.js";
import { idRef, TOKEN } from "./placeholders.js";

export interface FuzzRequest {
  /** Which input got which value, for the failure report. */
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

interface Baseline {
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: unknown;
}

// Marks where a hostile value goes in the baseline body, replaced in the JSON text afterwards.
const SLOT = "@@fuzz-slot@@";
const SLOT_JSON = JSON.stringify(SLOT);

/**
 * The valid request an operation's schemas describe, then every request that differs from it in
 * exactly one input: each path parameter, query parameter, header and body property (and the
 * properties and items one level below), each with every hostile value of its kind; plus the
 * request-wide cases (extra keys, repeated parameters, content types, whole bodies).
 */
export function casesFor(op: Operation): FuzzRequest[] {
  const ids = idRef;
  const base = baselineOf(op, ids);
  const cases: FuzzRequest[] = [];
  const add = (label: string, change: Partial<Baseline> & { payload?: string | null }) => {
    const path = { ...base.path, ...change.path };
    const query = change.query ?? base.query;
    const url =
      op.path.replace(/\{(\w+)\}/g, (_, name: string) => path[name] as string) +
      (query.length > 0 ? `?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : "");
    const payload = change.payload === undefined ? bodyText(base.body) : change.payload;
    cases.push({
      label,
      method: op.method,
      url,
      headers: { ...base.headers, ...change.headers },
      ...(payload === null || payload === undefined ? {} : { payload }),
    });
  };

  add("baseline", {});
  for (const param of op.parameters.filter((p) => p.in === "path")) {
    const prefix = idPrefixOf(param.schema);
    const values: Hostile[] = [
      ...PATH_VALUES,
      { label: "a well-formed id of nothing", raw: unknownId(prefix ?? "xyz") },
      { label: "an id of another kind", raw: prefix === "usr" ? ids("prj") : ids("usr") },
    ];
    for (const value of values)
      add(`path ${param.name} = ${value.label}`, { path: { [param.name]: value.raw } });
  }

  for (const param of op.parameters.filter((p) => p.in === "query")) {
    const others = base.query.filter(([name]) => name !== param.name);
    const valid = encodeURIComponent(String(sample(param.schema, ids)));
    for (const value of QUERY_VALUES) {
      add(`query ${param.name} = ${value.label}`, { query: [...others, [param.name, value.raw]] });
    }
    add(`query ${param.name} repeated`, {
      query: [...others, [param.name, valid], [param.name, valid]],
    });
    add(`query ${param.name}[]`, { query: [...others, [`${param.name}[]`, valid]] });
    add(`query ${param.name}[a]`, { query: [...others, [`${param.name}[a]`, valid]] });
  }
  for (const key of EXTRA_KEYS) add(`query key ${key}`, { query: [...base.query, [key, "1"]] });

  const declared = op.parameters.filter((p) => p.in === "header" && !HEADER_VALUES[p.name.toLowerCase()]);
  const headers = [
    ...Object.entries(HEADER_VALUES),
    ...declared.map((p): [string, Hostile[]] => [p.name.toLowerCase(), DECLARED_HEADER_VALUES]),
  ];
  for (const [header, values] of headers) {
    for (const value of values) {
      add(`header ${header} = ${value.label}`, {
        headers: { [header]: value.raw },
      });
    }
  }

  if (op.body) {
    for (const { path, body } of bodySlots(op.body, base.body, ids)) {
      for (const value of BODY_VALUES) {
        add(`body ${path.join(".")} = ${value.label}`, { payload: bodyWith(body, path, value.raw) });
      }
    }
    for (const key of EXTRA_KEYS) {
      add(`body key ${key}`, { payload: bodyText({ ...(base.body as object), [key]: 1 }) });
    }
    for (const type of CONTENT_TYPES)
      add(`Content-Type ${type.label}`, { headers: { "content-type": type.raw } });
    for (const body of WHOLE_BODIES) add(`body ${body.label}`, { payload: body.raw });
    add("empty body", { payload: "" });
  } else {
    add("a body where none is taken", {
      headers: { "content-type": "application/json" },
      payload: '{"fuzz":1}',
    });
  }
  return cases;
}

function baselineOf(op: Operation, ids: IdBook): Baseline {
  const validText = (schema: JsonSchema) => encodeURIComponent(String(sample(schema, ids)));
  const path = Object.fromEntries(
    op.parameters.filter((p) => p.in === "path").map((p) => [p.name, validText(p.schema)]),
  );
  const query = op.parameters
    .filter((p) => p.in === "query" && p.required)
    .map((p): [string, string] => [p.name, validText(p.schema)]);
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (op.body) headers["content-type"] = "application/json";
  return { path, query, headers, body: op.body ? sample(op.body, ids) : undefined };
}

const bodyText = (body: unknown) => (body === undefined ? undefined : JSON.stringify(body));

/**
 * Where a hostile value can go in a body: each property, and one level below an object or array
 * property (each property of the object it holds, the first item of the array). Each comes with
 * the body it goes into, the baseline plus that property's own valid value when it was optional.
 */
function bodySlots(schema: JsonSchema, baseline: unknown, ids: IdBook) {
  const slots: Array<{ path: Array<string | number>; body: Record<string, unknown> }> = [];
  const base = (baseline ?? {}) as Record<string, unknown>;
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    slots.push({ path: [name], body: base });
    const branch = nonNull(property);
    const holder = { ...base, [name]: base[name] ?? sample(property, ids) };
    if (branch.type === "array") slots.push({ path: [name, 0], body: holder });
    for (const inner of Object.keys(propertiesOf(branch))) slots.push({ path: [name, inner], body: holder });
  }
  return slots;
}

/** The body as JSON text with `raw` (JSON text) at `path`. */
function bodyWith(body: Record<string, unknown>, path: Array<string | number>, raw: string): string {
  const copy = structuredClone(body);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = SLOT;
  return JSON.stringify(copy).replace(SLOT_JSON, () => raw);
}
