import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { dataExceptionReason } from "./db/errors.js";
import { metadata } from "./envelope.js";
import { ApiError, type ErrorDetails } from "./errors.js";

export interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const REASONS: Record<string, string> = {
  required: "required",
  additionalProperties: "unknown_field",
  type: "invalid_type",
  format: "invalid_format",
  pattern: "invalid_format",
  enum: "invalid_value",
  const: "invalid_value",
  anyOf: "invalid_value",
  minimum: "out_of_range",
  maximum: "out_of_range",
  exclusiveMinimum: "out_of_range",
  exclusiveMaximum: "out_of_range",
  minLength: "invalid_length",
  maxLength: "invalid_length",
  minItems: "invalid_length",
  maxItems: "invalid_length",
  uniqueItems: "duplicate_items",
  minProperties: "no_fields",
};

const WHERE: Record<string, string> = {
  body: "field",
  querystring: "query parameter",
  params: "path parameter",
  headers: "header",
};

/** An Ajv error as SPEC §2 wants it: `details.field` names the field, `details.reason` says why. */
export function fromValidation(error: AjvError, context: string | undefined): ApiError {
  const path = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const where = WHERE[context ?? "body"] ?? "field";
  const reason = REASONS[error.keyword] ?? "invalid";
  if (error.keyword === "required") {
    const field = [path, String(error.params.missingProperty)].filter(Boolean).join(".");
    return new ApiError("VALIDATION_ERROR", `${field} is required`, { field, reason, location: context });
  }
  if (error.keyword === "additionalProperties") {
    const field = [path, String(error.params.additionalProperty)].filter(Boolean).join(".");
    return new ApiError("VALIDATION_ERROR", `Unknown ${where}: ${field}`, {
      field,
      reason,
      location: context,
    });
  }
  const field = path || (context === "body" ? "body" : where);
  if (error.keyword === "minProperties" && !path) {
    return new ApiError("VALIDATION_ERROR", "Send at least one field to change", {
      field,
      reason,
      location: context,
    });
  }
  const allowed = error.params.allowedValues as unknown[] | undefined;
  const message = allowed
    ? `${field} must be one of: ${allowed.join(", ")}`
    : `${field} ${error.message ?? "is invalid"}`;
  return new ApiError("VALIDATION_ERROR", message, { field, reason, location: context });
}

// postgres.js connection failures and PostgreSQL's "try again later" states (SQLSTATE 57P0x, 53300).
const DATABASE_UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Fastify's own errors (body parsing, limits), mapped to SPEC §2 codes. */
function fromFramework(error: FastifyError, bodyLimit = 1_048_576): ApiError | null {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(
        "INVALID_REQUEST",
        "Unsupported Content-Type: send application/json",
        { reason: "unsupported_media_type" },
        415,
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      // Most routes take the app's 1 MiB; a few (imports) declare a larger bodyLimit of their own.
      return new ApiError(
        "PAYLOAD_TOO_LARGE",
        `Request body is larger than the limit of ${Math.round(bodyLimit / 1_048_576)} MiB`,
        { reason: "body_too_large", limit_bytes: bodyLimit },
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("INVALID_REQUEST", "Malformed JSON in request body", { reason: "malformed_json" });
  }
  if (error instanceof SyntaxError || error.name === "SyntaxError") {
    return new ApiError("INVALID_REQUEST", "Malformed JSON in request body", { reason: "malformed_json" });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError(
      "INVALID_REQUEST",
      error.message,
      { reason: String(error.code ?? "invalid_request").toLowerCase() },
      status,
    );
  }
  return null;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError) {
  const body: { error: { code: string; message: string; details?: ErrorDetails }; metadata: object } = {
    error: { code: error.code, message: error.message },
    metadata: metadata(request),
  };
  if (error.details) body.error.details = error.details;
  return reply.status(error.status).type("application/json").send(body);
}

/** The one place errors become HTTP: nobody sees Fastify's default error shape or a stack. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    let error: ApiError | null;
    if (raw instanceof ApiError) error = raw;
    else if (raw.validation?.[0])
      error = fromValidation(raw.validation[0] as AjvError, raw.validationContext);
    else error = fromFramework(raw, request.routeOptions.bodyLimit);
    const refusedValue = error ? null : dataExceptionReason(raw);
    if (refusedValue) {
      // Schemas and the request checks should have refused the value first: worth a warning, so
      // the missing bound gets added, but it is the request that is wrong, not the server.
      request.log.warn({ err: raw }, "the database refused a value of the request");
      error = new ApiError("INVALID_REQUEST", "A value in the request cannot be stored or compared", {
        reason: refusedValue,
      });
    }
    if (!error && DATABASE_UNAVAILABLE.has(String(raw.code))) {
      request.log.error({ err: raw }, "database unavailable");
      reply.header("Retry-After", "5");
      error = new ApiError("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly", {
        reason: "database_unavailable",
        retry_after: 5,
      });
    }
    if (!error) {
      request.log.error({ err: raw }, "unhandled error");
      error = new ApiError(
        "INTERNAL_ERROR",
        "An unexpected error occurred. Quote the request id when reporting it.",
      );
    }
    return sendError(request, reply, error);
  });

  app.setNotFoundHandler((request, reply) => {
    const version = /^\/(v\d+)(\/|$)/.exec(request.url)?.[1];
    const message =
      version && version !== "v1"
        ? `API version ${version} is not available; the current version is v1`
        : `No route ${request.method} ${request.url.split("?")[0]}`;
    return sendError(
      request,
      reply,
      new ApiError("NOT_FOUND", message, {
        reason: version && version !== "v1" ? "unknown_version" : "unknown_route",
      }),
    );
  });
}
