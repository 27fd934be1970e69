import type { ErrorCode } from "./errors.js";

/**
 * Turns the document @fastify/swagger generates from the route schemas into the contract the SDKs
 * are generated from (openapi/v1.json): every operation gets exactly the error responses it can
 * give, the headers every response carries, the request headers it reads, and a described
 * success response. Derived here, in one place, from what each operation declares (its method,
 * path parameters, body and credential), so no route has to repeat them; a route adds an error
 * its shape does not imply with `"x-errors": [409]` in its schema (a GET that can conflict).
 */

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  responses?: Record<string, Json>;
  security?: Array<Record<string, unknown>>;
  "x-errors"?: number[];
}

const ERRORS: Record<
  number,
  { name: string; description: string; code: ErrorCode; example: Json; headers?: string[] }
> = {
  400: {
    name: "BadRequest",
    description:
      "Malformed JSON, an unknown field, filter or sort, a missing or invalid value (`details.field` names it)",
    code: "VALIDATION_ERROR",
    example: { field: "name", reason: "required" },
  },
  401: {
    name: "Unauthorized",
    description: "Missing, malformed, expired or revoked credential",
    code: "UNAUTHORIZED",
    example: { reason: "invalid_token" },
  },
  403: {
    name: "Forbidden",
    description: "The credential lacks the scope or role, or the resource belongs to another organization",
    code: "FORBIDDEN",
    example: { reason: "insufficient_scope", required_scope: "write:projects" },
  },
  404: {
    name: "NotFound",
    description: "No such resource",
    code: "NOT_FOUND",
    example: { id: "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
  },
  406: {
    name: "NotAcceptable",
    description: "`Accept` excludes every media type this operation can answer with",
    code: "INVALID_REQUEST",
    example: { reason: "not_acceptable", field: "Accept", location: "headers" },
  },
  409: {
    name: "Conflict",
    description:
      "The request conflicts with the current state (a duplicate, a second running timer, a locked period), " +
      "or `IDEMPOTENCY_KEY_IN_USE`: a request with the same Idempotency-Key is still running",
    code: "CONFLICT",
    example: { reason: "duplicate_name", field: "name" },
    headers: ["Retry-After"],
  },
  412: {
    name: "PreconditionFailed",
    description: "`If-Match` names a version that is no longer current",
    code: "PRECONDITION_FAILED",
    example: { reason: "etag_mismatch", current_etag: '"hY2u7w0gY8pQ1bNnq5mXr3tVz6kC4dJe"' },
  },
  413: {
    name: "PayloadTooLarge",
    description: "The body is over the size limit",
    code: "PAYLOAD_TOO_LARGE",
    example: { reason: "body_too_large", limit_bytes: 1048576 },
  },
  415: {
    name: "UnsupportedMediaType",
    description: "The body is not `Content-Type: application/json`",
    code: "INVALID_REQUEST",
    example: { reason: "unsupported_media_type" },
  },
  422: {
    name: "IdempotencyKeyReused",
    description: "The Idempotency-Key was used before for another method, path or body",
    code: "IDEMPOTENCY_KEY_REUSED",
    example: { reason: "key_reused", field: "Idempotency-Key" },
  },
  429: {
    name: "TooManyRequests",
    description: "A rate limit was hit; retry after `Retry-After` seconds",
    code: "RATE_LIMIT_EXCEEDED",
    example: { retry_after: 42, reason: "credential_limit" },
    headers: ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
  },
  500: {
    name: "InternalError",
    description: "An unexpected error; quote the request id when reporting it (it never contains internals)",
    code: "INTERNAL_ERROR",
    example: {},
  },
  503: {
    name: "ServiceUnavailable",
    description:
      "Overloaded, shutting down or the database is unreachable; retry after `Retry-After` seconds",
    code: "SERVICE_UNAVAILABLE",
    example: { reason: "database_unavailable", retry_after: 5 },
    headers: ["Retry-After"],
  },
};

const HEADERS: Record<string, Json> = {
  "X-Request-ID": {
    description:
      "The request's id (`req_…`, or the client's own when well-formed); also in `metadata.request_id`",
    schema: { type: "string", examples: ["req_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] },
  },
  "X-RateLimit-Limit": {
    description: "Requests allowed in the tightest current window",
    schema: { type: "integer", examples: [1000] },
  },
  "X-RateLimit-Remaining": {
    description: "Requests left in that window",
    schema: { type: "integer", examples: [998] },
  },
  "X-RateLimit-Reset": {
    description: "When that window starts afresh, in Unix epoch seconds",
    schema: { type: "integer", examples: [1718280000] },
  },
  "Retry-After": {
    description: "Seconds to wait before retrying",
    schema: { type: "integer", examples: [5] },
  },
  ETag: {
    description: "Strong entity tag of the representation, for `If-None-Match` and `If-Match`",
    schema: { type: "string", examples: ['"hY2u7w0gY8pQ1bNnq5mXr3tVz6kC4dJe"'] },
  },
  "Idempotent-Replayed": {
    description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
    schema: { type: "string", enum: ["true"] },
  },
};

const PARAMETERS: Record<string, Json> = {
  XOrganizationId: {
    name: "X-Organization-ID",
    in: "header",
    required: false,
    description:
      "Act for another organization: a user token of an active member of it (or of a platform admin); otherwise 403",
    schema: {
      type: "string",
      pattern: "^org_[0-9A-HJKMNP-TV-Z]{26}$",
      examples: ["org_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
    },
  },
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "1 to 255 printable characters: a retry with the same key gets the first answer back (24 hours)",
    schema: {
      type: "string",
      minLength: 1,
      maxLength: 255,
      examples: ["8e0f3c2a-6b1d-4d51-9f0e-2c7a4b1e9d31"],
    },
  },
  IfMatch: {
    name: "If-Match",
    in: "header",
    required: false,
    description: "Write only if the resource still has this ETag (or `*`: exists); otherwise 412",
    schema: { type: "string", examples: ['"hY2u7w0gY8pQ1bNnq5mXr3tVz6kC4dJe"'] },
  },
  IfNoneMatch: {
    name: "If-None-Match",
    in: "header",
    required: false,
    description: "Answer 304 with no body while the representation still has this ETag",
    schema: { type: "string", examples: ['"hY2u7w0gY8pQ1bNnq5mXr3tVz6kC4dJe"'] },
  },
};

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
const headerRefs = (names: string[]) => Object.fromEntries(names.map((name) => [name, ref("headers", name)]));
const RATE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];

/** The error statuses an operation can answer, from its shape and its declared extras. */
function errorStatuses(method: string, op: Operation): number[] {
  const authenticated = (op.security ?? []).some((requirement) => Object.keys(requirement).length > 0);
  const pathParams = (op.parameters ?? []).some((p) => p.in === "path");
  const inputs = pathParams || (op.parameters ?? []).length > 0 || op.requestBody !== undefined;
  const writes = method !== "get";
  const statuses = new Set<number>([429, 500, 503, ...(op["x-errors"] ?? [])]);
  if (inputs || authenticated) statuses.add(400);
  if (authenticated) {
    statuses.add(401);
    statuses.add(403);
  }
  if (pathParams) statuses.add(404);
  if (writes) statuses.add(409);
  if (["put", "patch", "delete"].includes(method)) statuses.add(412);
  if (op.requestBody !== undefined) {
    statuses.add(413);
    statuses.add(415);
  }
  if (authenticated && (method === "post" || method === "patch")) statuses.add(422);
  return [...statuses].sort((a, b) => a - b);
}

/** "The Project", "A page of TimeEntry", or the summary: what a success response holds. */
function successDescription(response: Json, summary: string | undefined): string {
  const schema = (response.content as Record<string, { schema?: Json }> | undefined)?.["application/json"]
    ?.schema;
  const data = (schema?.properties as Record<string, Json> | undefined)?.data;
  const named = (value: unknown) =>
    typeof (value as Json | undefined)?.$ref === "string"
      ? ((value as Json).$ref as string).split("/").pop()
      : undefined;
  const one = named(data);
  if (one) return `The ${one}`;
  const many = named((data as Json | undefined)?.items);
  if (many) return `A page of ${many} items`;
  return summary ?? "Success";
}

export function shapeDocument(document: Json): Json {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const seen = new Map<string, string>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, shared] of Object.entries(operations)) {
      // One route declared for several methods shares its operation object among them.
      const op: Operation = structuredClone(shared);
      operations[method] = op;
      if (!op.operationId)
        throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} declares no operationId`);
      // One route declared for PUT and PATCH: PATCH keeps the id; PUT is its documented alias.
      if (method === "put" && operations.patch?.operationId === op.operationId) {
        op.operationId = op.operationId.replace(/\.update$/, ".put");
        op["x-alias-of"] = operations.patch.operationId;
      }
      const previous = seen.get(op.operationId);
      if (previous) throw new Error(`OpenAPI: operationId ${op.operationId} of ${path} repeats ${previous}`);
      seen.set(op.operationId, path);

      const authenticated = (op.security ?? []).some((requirement) => Object.keys(requirement).length > 0);
      if (!op.security) op.security = [];
      const extraParameters = [
        ...(authenticated ? [ref("parameters", "XOrganizationId")] : []),
        ...(authenticated && (method === "post" || method === "patch")
          ? [ref("parameters", "IdempotencyKey")]
          : []),
        ...(["put", "patch", "delete"].includes(method) ? [ref("parameters", "IfMatch")] : []),
        ...(method === "get" ? [ref("parameters", "IfNoneMatch")] : []),
      ];
      op.parameters = [...(op.parameters ?? []), ...extraParameters] as Operation["parameters"];

      const responses: Record<string, Json> = {};
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (Number(status) >= 400) continue;
        const described =
          response.description && response.description !== "Default Response"
            ? response.description
            : successDescription(response, op.summary);
        const headers = ["X-Request-ID", ...RATE_HEADERS];
        if (status === "200" && ["get", "put", "patch"].includes(method)) headers.push("ETag");
        if (authenticated && (method === "post" || method === "patch")) headers.push("Idempotent-Replayed");
        responses[status] = { ...response, description: described, headers: headerRefs(headers) };
      }
      for (const status of errorStatuses(method, op)) {
        responses[String(status)] = ref("responses", ERRORS[status]?.name ?? "InternalError");
      }
      op.responses = responses;
      delete op["x-errors"];
    }
  }

  const components = (document.components ?? {}) as Json;
  components.headers = HEADERS;
  components.parameters = PARAMETERS;
  components.responses = Object.fromEntries(
    Object.values(ERRORS).map((error) => [
      error.name,
      {
        description: error.description,
        headers: headerRefs(["X-Request-ID", ...(error.headers ?? [])]),
        content: {
          "application/json": {
            schema: ref("schemas", "ErrorEnvelope"),
            example: {
              error: { code: error.code, message: error.description, details: error.example },
              metadata: { timestamp: "2024-01-01T00:00:00Z", request_id: "req_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
            },
          },
        },
      },
    ]),
  );
  document.components = components;
  dropUnusedSchemas(document);
  return document;
}

/** Shared schemas registered for every version that this document never references (v2 has no Pagination). */
function dropUnusedSchemas(document: Json) {
  const schemas = (document.components as { schemas?: Record<string, unknown> }).schemas ?? {};
  const used = new Set<string>();
  const pending = [JSON.stringify(document.paths), JSON.stringify((document.components as Json).responses)];
  while (pending.length > 0) {
    for (const [, name] of (pending.pop() as string).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name === undefined || used.has(name)) continue;
      used.add(name);
      pending.push(JSON.stringify(schemas[name]));
    }
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}
