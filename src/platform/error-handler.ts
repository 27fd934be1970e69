import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { dataExceptionReason } from "./db/errors.js";
import { metadata } from "./envelope.js";
import { ApiError, type ErrorDetails } from "./errors.js";
import { newId } from "./ids.js";
import { syncHook } from "./sync-hooks.js";
import { API_VERSIONS, BETA_VERSIONS } from "./versions.js";

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
    : error.keyword === "format" && error.params.format === "date-time"
      ? `${field} must be an RFC 3339 date-time such as 2024-03-04T09:00:00Z` +
        (context === "querystring" ? " (in a URL, write a + offset as %2B)" : "")
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
const paramTooLong = () =>
  new ApiError("INVALID_REQUEST", "A path parameter is longer than any id", { reason: "uri_too_long" }, 414);

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
    case "FST_ERR_BAD_URL":
      return new ApiError("INVALID_REQUEST", "The URL is not valid percent-encoded UTF-8", {
        reason: "malformed_url",
      });
    case "FST_ERR_MAX_PARAM_LENGTH":
      return paramTooLong();
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError("INVALID_REQUEST", "The body is not as long as Content-Length says", {
        reason: "invalid_content_length",
      });
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

function errorBody(error: ApiError, requestId: string) {
  const body: { error: { code: string; message: string; details?: ErrorDetails }; metadata: object } = {
    error: { code: error.code, message: error.message },
    metadata: metadata({ id: requestId }),
  };
  if (error.details) body.error.details = error.details;
  return body;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError) {
  // Set here too: errors raised before routing (frameworkErrors below) skip the onRequest hooks.
  reply.header("X-Request-ID", request.id);
  // SPEC §2: a 429 or 503 says when to retry in the header too, whoever raised it.
  const retryAfter = error.details?.retry_after;
  if (
    (error.status === 429 || error.status === 503) &&
    typeof retryAfter === "number" &&
    !reply.hasHeader("retry-after")
  ) {
    reply.header("Retry-After", String(retryAfter));
  }
  return reply.status(error.status).type("application/json").send(errorBody(error, request.id));
}

const unexpected = () =>
  new ApiError("INTERNAL_ERROR", "An unexpected error occurred. Quote the request id when reporting it.");

// Half of Node's default header limit (16 KiB): a request line that long is all URL.
const LONGEST_REQUEST_LINE = 8_192;

/** What Node's HTTP parser refuses before there is a request (SPEC §2 codes, HTTP's own statuses). */
function fromClientError(error: ConnectionError): ApiError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW": {
      // Node counts the request line into its header limit. When the packet being parsed has no
      // line end yet, or a first line that long, it is the URL that overflowed (414), else 431.
      const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
      const lineEnd = packet.indexOf("\r\n");
      return lineEnd === -1 || lineEnd > LONGEST_REQUEST_LINE
        ? new ApiError("INVALID_REQUEST", "The URL is too long", { reason: "uri_too_long" }, 414)
        : new ApiError(
            "INVALID_REQUEST",
            "The request headers are too large",
            { reason: "headers_too_large" },
            431,
          );
    }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ApiError(
        "INVALID_REQUEST",
        "The request took too long to arrive",
        { reason: "request_timeout" },
        408,
      );
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return new ApiError("INVALID_REQUEST", "Content-Length is not valid", {
        reason: "invalid_content_length",
      });
    case "HPE_INVALID_EOF_STATE":
      return new ApiError("INVALID_REQUEST", "The connection ended before the whole body arrived", {
        reason: "incomplete_body",
      });
    case "HPE_INVALID_METHOD":
      return new ApiError("INVALID_REQUEST", "Unknown HTTP method", { reason: "unknown_method" });
    default:
      return new ApiError("INVALID_REQUEST", "Malformed HTTP request", { reason: "malformed_request" });
  }
}

/**
 * Answers on a connection that has no request object (Node's parser refused it, or a CONNECT),
 * then closes it once the answer is flushed: nothing more can be read from it.
 */
function answerOnSocket(socket: Socket, error: ApiError): void {
  // Not on a connection whose response has begun (a second one would corrupt it), as Node's own
  // handler does; a reset or closed one has nobody to answer.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const requestId = newId("request");
    const body = JSON.stringify(errorBody(error, requestId));
    socket.end(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  if (socket.writableFinished || !socket.writable) socket.destroy();
  else socket.once("finish", () => socket.destroy());
}

/**
 * Fastify's constructor options for the errors raised before a route is found (an invalid URL,
 * an over-long path parameter) and by Node's HTTP parser (headers too large, a malformed request
 * or Content-Length, a body cut short), so that those answer in the envelope as well.
 */
export const frameworkErrorOptions = {
  frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    sendError(request, reply, fromFramework(error) ?? unexpected());
  },
  clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket) {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    this.log.debug({ err: error }, "malformed request");
    answerOnSocket(socket, fromClientError(error));
  },
  // Node would answer a missing Host with a bare 400; the hook in registerErrorHandling does it.
  http: { requireHostHeader: false },
};

/** The one place errors become HTTP: nobody sees Fastify's default error shape or a stack. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.addHook(
    "onRequest",
    syncHook((request) => {
      // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400.
      if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
        throw new ApiError("INVALID_REQUEST", "An HTTP/1.1 request needs a Host header", {
          reason: "missing_host",
        });
      }
    }),
  );
  // Node hands CONNECT (a proxy tunnel) to this event and, without a listener, drops the connection.
  app.server.on("connect", (_request, socket: Socket) =>
    answerOnSocket(
      socket,
      new ApiError("INVALID_REQUEST", "CONNECT is not supported", { reason: "unsupported_method" }),
    ),
  );
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
      error = unexpected();
    }
    return sendError(request, reply, error);
  });

  // The router refuses an over-long parameter with 414 only when no other route matches; the
  // console's catch-all (`/*`) matches first and hands API paths here, so the rule is kept here too.
  const maxParamLength = app.initialConfig.maxParamLength ?? 100;
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split("?")[0] ?? "/";
    if (pathname.split("/").some((segment) => segment.length > maxParamLength)) {
      return sendError(request, reply, paramTooLong());
    }
    const version = /^\/(v\d+)(\/|$)/.exec(request.url)?.[1];
    const unknownVersion = version !== undefined && !(API_VERSIONS as readonly string[]).includes(version);
    const message = unknownVersion
      ? `API version ${version} is not available; the versions are ${API_VERSIONS.map(
          (v) => `${v}${BETA_VERSIONS.has(v) ? " (beta)" : ""}`,
        ).join(" and ")}`
      : `No route ${request.method} ${pathname}`;
    return sendError(
      request,
      reply,
      new ApiError("NOT_FOUND", message, { reason: unknownVersion ? "unknown_version" : "unknown_route" }),
    );
  });
}
