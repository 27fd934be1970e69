import type { FastifyInstance } from "fastify";

/** A JSON Schema node as the OpenAPI document carries it (after `$ref`s are followed). */
export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** As documented: `/v1/projects/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON request body's schema, when the operation takes one. */
  body?: JsonSchema;
  /** Answers an endless text/event-stream, so an accepted input never ends its response. */
  streams: boolean;
}

// Versions are probed rather than listed, so a `/v2/openapi.json` is walked the day it exists.
const HIGHEST_VERSION_PROBED = 9;

/**
 * Every operation of every OpenAPI document the app serves under `/v*\/openapi.json`. Versions
 * are registered from the same code (platform/versions.ts), so an operation of a later version
 * whose inputs are exactly those of an earlier one runs the same handler on the same inputs and is
 * walked once; what a version changes (v2's cursor lists, `expand`, bulk writes) is walked too.
 */
export async function readOperations(app: FastifyInstance): Promise<Operation[]> {
  const operations = new Map<string, Operation>();
  const shapes = new Set<string>();
  for (let version = 1; version <= HIGHEST_VERSION_PROBED; version++) {
    const res = await app.inject({ method: "GET", url: `/v${version}/openapi.json` });
    if (res.statusCode !== 200) continue;
    const doc = res.json() as OpenApiDocument;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const resolve = (schema: unknown) => deref(schema, doc) as JsonSchema;
        const operation: Operation = {
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
          body: op.requestBody?.content?.["application/json"]?.schema
            ? resolve(op.requestBody.content["application/json"].schema)
            : undefined,
          streams: Object.keys(op.responses?.["200"]?.content ?? {}).includes("text/event-stream"),
        };
        const shape = JSON.stringify([
          method,
          path.replace(/^\/v\d+\//, "/"),
          operation.parameters,
          operation.body,
        ]);
        if (shapes.has(shape)) continue;
        shapes.add(shape);
        operations.set(`${method} ${path}`, operation);
      }
    }
  }
  return [...operations.values()];
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<Omit<Parameter, "schema"> & { schema: unknown }>;
        requestBody?: { content?: Record<string, { schema?: unknown }> };
        responses?: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
  components?: { schemas?: Record<string, unknown> };
}

/** Replaces `{$ref: "#/components/schemas/X"}` by X, recursively (the documents have no cycles). */
function deref(schema: unknown, doc: OpenApiDocument): unknown {
  if (Array.isArray(schema)) return schema.map((item) => deref(item, doc));
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (typeof ref === "string") {
    const name = ref.replace("#/components/schemas/", "");
    return deref(doc.components?.schemas?.[name], doc);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, deref(value, doc)]));
}
