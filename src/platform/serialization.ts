import fastJsonStringify, { type Schema } from "fast-json-stringify";
import type { FastifyInstance } from "fastify";

type Json = { [key: string]: unknown };

const COMPOSED = ["anyOf", "oneOf", "allOf", "not", "$ref", "const", "enum"] as const;
const SCALARS = new Set(["string", "integer", "number", "boolean"]);

/**
 * Response bodies are written by fast-json-stringify, as Fastify's own compiler would, from the
 * same schemas (the OpenAPI document and request validation are untouched), with one change for
 * speed: a nullable scalar, `anyOf: [{ type: "string", pattern… }, { type: "null" }]` in the
 * schemas, is written as `type: ["string", "null"]`.
 *
 * For an anyOf, fast-json-stringify picks the branch by running Ajv on the value: an id's pattern,
 * a date-time's format, for each of them in each entry, 200 times for a page of 50 time entries.
 * With a type list it picks by `typeof`: 40 instead of 80–107 us for that page. The value is
 * written the same either way; what the route returns is ours, and already valid.
 */
export function registerSerialization(app: FastifyInstance): void {
  let external: Record<string, Schema> | null = null;
  app.setSerializerCompiler(({ schema }) => {
    // Registered schemas (addSchema) are all added before the first route compiles.
    external ??= Object.fromEntries(
      Object.entries(app.getSchemas()).map(([id, shared]) => [id, typedNullables(shared) as Schema]),
    );
    const own = schema as Json;
    // As @fastify/fast-json-stringify-compiler does: a route whose schema is itself registered
    // must not also find it among the external ones.
    const others =
      typeof own.$id === "string" && own.$id in external
        ? Object.fromEntries(Object.entries(external).filter(([id]) => id !== own.$id))
        : external;
    return fastJsonStringify(typedNullables(own) as Schema, { schema: others });
  });
}

/** A copy of `schema` with every `anyOf` of one plain scalar schema and null turned into a type list. */
export function typedNullables(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(typedNullables);
  if (schema === null || typeof schema !== "object") return schema;
  const copy: Json = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = typedNullables(value);
  const { anyOf, ...siblings } = copy;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return copy;
  const nullAt = anyOf.findIndex(
    (branch: Json) => branch.type === "null" && Object.keys(branch).length === 1,
  );
  if (nullAt === -1) return copy;
  const other = anyOf[1 - nullAt] as Json;
  const plainScalar =
    typeof other.type === "string" && SCALARS.has(other.type) && COMPOSED.every((key) => !(key in other));
  return plainScalar ? { ...siblings, ...other, type: [other.type, "null"] } : copy;
}
