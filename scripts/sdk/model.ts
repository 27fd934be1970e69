/**
 * The OpenAPI contract (openapi/v1.json) read into what every SDK renderer needs, in one place,
 * so that the four languages agree on what exists: resources (from each operationId
 * `resource[.sub].verb`), their operations with path, query and header parameters, the body,
 * what `data` holds, and whether the operation is a list that SDKs iterate page by page.
 *
 * Renderers (scripts/sdk/<language>.ts) turn this model into files; they never read the document.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  format?: string;
  nullable?: boolean;
  const?: unknown;
  [key: string]: unknown;
};

export interface Parameter {
  /** As the API spells it: `project_id`, `X-Organization-ID`. */
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  /** The contract's operationId, e.g. `webhooks.deliveries.list`. */
  id: string;
  /** The resource path of the operationId, e.g. ["webhooks", "deliveries"]. */
  resource: string[];
  /** The verb, e.g. `list`, `create`, `retrieve`, `update`, `delete`, `start`, `roll`. */
  verb: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `/v1/projects/{id}` */
  path: string;
  summary: string;
  description?: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: { schema: JsonSchema; required: boolean };
  /**
   * What the successful answer holds: `data` of the envelope (`envelope`), a page of items with
   * `pagination` (`list`), nothing (`empty`, a 204), a file (`file`: CSV or JSON as is), or an
   * endless Server-Sent Events stream (`eventStream`, `text/event-stream`) whose events' `data`
   * is `item`: what the same resource's `retrieve` answers (GET /v1/events/{id} for the stream of
   * events), which the contract cannot say of a `text/event-stream` body.
   */
  response:
    | { kind: "envelope"; data: JsonSchema; status: number }
    | { kind: "list"; item: JsonSchema; status: number; cursor: boolean }
    | { kind: "empty"; status: number }
    | { kind: "file"; status: number }
    | { kind: "eventStream"; item: JsonSchema; status: number };
  /** Needs a credential (an API key or access token). */
  authenticated: boolean;
  /** POST and PATCH that take an Idempotency-Key (the SDK sends one and keeps it across retries). */
  idempotent: boolean;
  /** The PUT twin of a PATCH (`x-alias-of`): SDKs expose the PATCH only. */
  aliasOf?: string;
  requiredScope?: string;
}

export interface Resource {
  /** ["webhooks", "deliveries"] */
  path: string[];
  operations: Operation[];
  /** Sub-resources, by name: webhooks → deliveries. */
  children: Resource[];
}

export interface Model {
  title: string;
  version: string;
  /** components.schemas by name: `Project`, `TimeEntry`, … */
  schemas: Record<string, JsonSchema>;
  /** Every error code of the API (the ErrorEnvelope's enum). */
  errorCodes: string[];
  /** Top-level resources in the document's order. */
  resources: Resource[];
  /** Every operation, flat, in the document's order. */
  operations: Operation[];
}

type RawParameter = Parameter & { $ref?: string };
type RawOperation = {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: RawParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }>; $ref?: string }>;
  security?: Array<Record<string, unknown>>;
  "x-alias-of"?: string;
  "x-required-scope"?: string;
};

/** The name of a `#/components/schemas/X` reference, or undefined. */
export function refName(schema: JsonSchema | undefined): string | undefined {
  return schema?.$ref?.startsWith("#/components/schemas/") ? schema.$ref.slice(21) : undefined;
}

export function buildModel(document: Record<string, unknown>): Model {
  const components = (document.components ?? {}) as {
    schemas?: Record<string, JsonSchema>;
    parameters?: Record<string, RawParameter>;
  };
  const schemas = components.schemas ?? {};
  const resolveParameter = (p: RawParameter): RawParameter =>
    p.$ref ? (components.parameters?.[p.$ref.split("/").pop() as string] as RawParameter) : p;

  const operations: Operation[] = [];
  const paths = document.paths as Record<string, Record<string, RawOperation>>;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const parts = raw.operationId.split(".");
      const verb = parts.pop() as string;
      const parameters = (raw.parameters ?? []).map(resolveParameter);
      const success = Object.entries(raw.responses).find(([status]) => Number(status) < 300);
      if (!success) throw new Error(`${raw.operationId}: no success response`);
      const [status, response] = success;
      const json = response.content?.["application/json"]?.schema;
      let shape: Operation["response"];
      if (!response.content) shape = { kind: "empty", status: Number(status) };
      // The item is filled in below, once every operation (the resource's retrieve) is read.
      else if (response.content["text/event-stream"])
        shape = { kind: "eventStream", item: {}, status: Number(status) };
      else if (response.content["text/csv"] || !json?.properties?.data)
        shape = { kind: "file", status: Number(status) };
      else if (json.properties.pagination) {
        shape = {
          kind: "list",
          item: json.properties.data.items as JsonSchema,
          status: Number(status),
          cursor: parameters.some((p) => p.in === "query" && p.name === "starting_after"),
        };
      } else shape = { kind: "envelope", data: json.properties.data, status: Number(status) };
      const authenticated = (raw.security ?? []).some((r) => Object.keys(r).length > 0);
      operations.push({
        id: raw.operationId,
        resource: parts,
        verb,
        method: method.toUpperCase() as Operation["method"],
        path,
        summary: raw.summary ?? raw.operationId,
        description: raw.description,
        pathParams: parameters.filter((p) => p.in === "path"),
        queryParams: parameters.filter((p) => p.in === "query"),
        body: raw.requestBody?.content?.["application/json"]
          ? {
              schema: raw.requestBody.content["application/json"].schema,
              required: raw.requestBody.required ?? false,
            }
          : undefined,
        response: shape,
        authenticated,
        idempotent: authenticated && (method === "post" || method === "patch"),
        aliasOf: raw["x-alias-of"],
        requiredScope: raw["x-required-scope"],
      });
    }
  }

  for (const op of operations) {
    if (op.response.kind !== "eventStream") continue;
    const retrieve = operations.find(
      (other) => other.verb === "retrieve" && other.resource.join(".") === op.resource.join("."),
    );
    if (retrieve?.response.kind !== "envelope")
      throw new Error(`${op.id}: an event stream needs its resource's retrieve to say what an event holds`);
    op.response.item = retrieve.response.data;
  }

  const root: Resource = { path: [], operations: [], children: [] };
  for (const op of operations) {
    let node = root;
    for (const [depth, name] of op.resource.entries()) {
      let child = node.children.find((c) => c.path[depth] === name);
      if (!child) {
        child = { path: op.resource.slice(0, depth + 1), operations: [], children: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.operations.push(op);
  }

  const error = schemas.ErrorEnvelope?.properties?.error?.properties?.code;
  const info = document.info as { title: string; version: string };
  return {
    title: info.title,
    version: info.version,
    schemas,
    errorCodes: (error?.enum ?? []) as string[],
    resources: root.children,
    operations,
  };
}

/** `time-entries` / `timeEntries` / `time_entries` → words: ["time", "entries"]. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}
export const camel = (name: string) =>
  words(name)
    .map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1)))
    .join("");
export const pascal = (name: string) =>
  words(name)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("");
export const snake = (name: string) => words(name).join("_");

/** The header every generated file starts with (in the language's comment syntax). */
export const GENERATED_NOTICE =
  "Generated by `npm run sdk:generate` from openapi/v1.json. Do not edit by hand: change the API or the " +
  "generator (scripts/sdk/), then regenerate.";
