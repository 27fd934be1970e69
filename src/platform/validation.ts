import Ajv, { type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifyInstance, FastifySchema } from "fastify";

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
