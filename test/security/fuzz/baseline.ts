import type { JsonSchema } from "./operations.js";
import { UNIQUE } from "./placeholders.js";

/** Real ids of the arranged organization, by prefix (`prj` → an existing project's id). */
export type IdBook = (prefix: string) => string;

// The shape of every id pattern (src/platform/ids.ts): the prefix is all the fuzzer needs.
const ID_PATTERN = /^\^([a-z]+)_\[0-9A-HJKMNP-TV-Z\]\{26\}\$$/;

/** `^prj_[0-9A-HJKMNP-TV-Z]{26}$` → `prj`; undefined for any other pattern. */
export function idPrefixOf(schema: JsonSchema): string | undefined {
  return typeof schema.pattern === "string" ? ID_PATTERN.exec(schema.pattern)?.[1] : undefined;
}

/** A well-formed id that names nothing: for prefixes the arrangement does not know. */
export const unknownId = (prefix: string) => `${prefix}_01JD6V7W9Q3E4R5T6Y7V8K9M0P`;

/** Values by format where the document's examples would not do (a taken e-mail, a public host). */
const BY_FORMAT: Record<string, () => string> = {
  // Made unique when sent, so that each registration's address is still free.
  email: () => `fuzz-${UNIQUE}@example.com`,
  // A private address: the app under test allows them, and no DNS lookup leaves the machine.
  uri: () => "http://127.0.0.1:9/fuzz",
};

const FALLBACK_BY_FORMAT: Record<string, string> = {
  "date-time": "2024-01-15T09:00:00Z",
  date: "2024-01-15",
  time: "09:00:00",
  uuid: "00000000-0000-4000-8000-000000000000",
};

/**
 * A valid value for `schema`, from the schema alone: ids of real resources for id patterns,
 * then enums, formats and the documented examples; objects get their required properties only,
 * so that each fuzz case changes exactly one thing about a request that would otherwise pass.
 */
export function sample(schema: JsonSchema, ids: IdBook): unknown {
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const branch = nonNull(schema);
  if (branch !== schema && !schema.type) return sample({ ...branch, examples: schema.examples }, ids);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const example = Array.isArray(schema.examples) ? schema.examples[0] : undefined;
  switch (type) {
    case "string": {
      const prefix = idPrefixOf(schema);
      if (prefix) return ids(prefix);
      const format = schema.format as string | undefined;
      if (format && BY_FORMAT[format]) return BY_FORMAT[format]();
      if (typeof example === "string") return example;
      if (format && FALLBACK_BY_FORMAT[format]) return FALLBACK_BY_FORMAT[format];
      return "f".repeat(Math.max(4, Number(schema.minLength ?? 0)));
    }
    case "integer":
    case "number":
      if (typeof example === "number") return example;
      return Number(schema.minimum ?? schema.maximum ?? 1);
    case "boolean":
      return typeof example === "boolean" ? example : true;
    case "array": {
      const items = (schema.items ?? {}) as JsonSchema;
      if (!idPrefixOf(items) && Array.isArray(example)) return example;
      const count = Math.max(1, Number(schema.minItems ?? 0));
      return Array.from({ length: count }, () => sample(items, ids));
    }
    case "object":
    case undefined: {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(required.map((name) => [name, sample(properties[name] ?? {}, ids)]));
    }
    default:
      return null;
  }
}

/**
 * The properties a body (or a nested object of it) may carry: its own and those of its first
 * non-null branch, which is the one `sample` took.
 */
export function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const own = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const branch = nonNull(schema);
  return { ...(branch !== schema ? propertiesOf(branch) : {}), ...own };
}

/** The first branch of an `anyOf`/`oneOf` that is not `null`; the schema itself when it has none. */
export function nonNull(schema: JsonSchema): JsonSchema {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return branches?.find((b) => b.type !== "null") ?? schema;
}
