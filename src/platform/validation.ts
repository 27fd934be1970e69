import Ajv, { type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifyInstance, FastifyRequest, FastifySchema } from "fastify";
import { ValidationError } from "./errors.js";
import { syncHook } from "./sync-hooks.js";

// Unknown fields are a 400 (SPEC §2), never silently dropped.
const COMMON: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };

/**
 * JSON bodies are validated exactly as sent (`"42"` is not a number there), while query strings,
 * path parameters and headers arrive as text and are coerced to the declared types.
 */
export function registerValidation(app: FastifyInstance): void {
  // Many HTTP clients send `Content-Type: application/json` on a bodiless POST (logout, roll):
  // an empty body is no body, and the route's schema decides whether one was required.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  app.addHook("preValidation", syncHook(refuseUnstorableText));

  const exact = addFormats.default(new Ajv.default({ ...COMMON, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv.default({ ...COMMON, coerceTypes: "array" }));
  let sharedAdded = false;
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!sharedAdded) {
      // Schemas registered with addSchema, so request schemas may `Type.Ref` them too.
      for (const shared of Object.values(app.getSchemas())) {
        exact.addSchema(shared as object);
        coercing.addSchema(shared as object);
      }
      sharedAdded = true;
    }
    return (httpPart === "body" ? exact : coercing).compile(schema as FastifySchema & object);
  });
}

// PostgreSQL's text cannot hold NUL (U+0000), and an unpaired UTF-16 surrogate has no UTF-8 form
// (the driver would store U+FFFD, changing the text in silence).
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is precisely what is looked for.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const PARTS = [
  ["body", "body"],
  ["query", "querystring"],
  ["params", "params"],
] as const;

/**
 * Refuses NUL and unpaired surrogates in every value a request carries (body at any depth and its
 * keys, query string, path parameters) with a 400 naming the field. One hook for every route,
 * before schema validation, rather than a keyword on each string schema: it also covers values no
 * schema types as a string and routes added later. Headers are not data here: the few that are
 * read (credentials, X-Organization-ID, X-Request-ID) are matched against their own formats.
 */
function refuseUnstorableText(request: FastifyRequest): void {
  for (const [part, location] of PARTS) {
    const path = pathToUnstorableText(request[part]);
    if (path) {
      const field = path.join(".") || part;
      throw new ValidationError(
        field,
        `${field} contains a character that cannot be stored (NUL or an unpaired surrogate)`,
        "invalid_characters",
        { location },
      );
    }
  }
}

interface Visit {
  value: unknown;
  key?: string;
  parent?: Visit;
}

/** The path to the first string (value or key) with unstorable characters, or null. */
function pathToUnstorableText(root: unknown): string[] | null {
  // Iterative, and each value knows only its parent: a body may nest deeper than the call stack
  // goes, and copying paths on the way down would cost the square of the depth.
  const pending: Visit[] = [{ value: root }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === "string") {
      if (UNSTORABLE.test(value)) return pathOf(visit);
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (UNSTORABLE.test(key)) return pathOf({ value: child, key, parent: visit });
        pending.push({ value: child, key, parent: visit });
      }
    }
  }
  return null;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}
