/**
 * Everything the SDK throws, one class per HTTP status the API documents (SPEC §2), so callers
 * branch with `instanceof` instead of comparing numbers. Every API error carries the status, the
 * API's `code`, `message` and `details`, and the request id that the server's logs know it by.
 */

/** The base of every error this SDK throws. */
export class VoltasisError extends Error {
  override name = "VoltasisError";
}

export interface APIErrorInit {
  status: number | undefined;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | undefined;
  headers?: Headers | undefined;
  cause?: unknown;
}

/** An answer other than 2xx, or no answer at all (then `status` is undefined). */
export class APIError extends VoltasisError {
  override name = "APIError";
  /** The HTTP status, or undefined when no response arrived (connection error, timeout). */
  readonly status: number | undefined;
  /** The API's machine-readable code (`NOT_FOUND`, `VALIDATION_ERROR`, …). */
  readonly code: string;
  /** `details` of the error envelope: `field` and `reason` for a validation error, and more. */
  readonly details: Record<string, unknown>;
  /** `X-Request-ID` of the response (`req_…`): quote it when asking for help. */
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;

  constructor(init: APIErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
    this.headers = init.headers;
  }

  /** `details.reason`: a machine code narrower than `code` (`required`, `credential_limit`, …). */
  get reason(): string | undefined {
    return typeof this.details.reason === "string" ? this.details.reason : undefined;
  }
}

/** 400: malformed JSON, an unknown field, filter or sort, a bad or missing value. */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
  /** `details.field`: the offending field, when the API names one. */
  get field(): string | undefined {
    return typeof this.details.field === "string" ? this.details.field : undefined;
  }
}
/** The 400 of a bad field (`VALIDATION_ERROR`): the same class as BadRequestError. */
export const ValidationError = BadRequestError;
export type ValidationError = BadRequestError;

/** 401: a missing, malformed, expired or revoked credential. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}

/** 403: the credential lacks a scope or role, or the resource belongs to another organization. */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}

/** 404: no such resource. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}

/** 409: a state conflict (a second running timer, a locked period, a duplicate name). */
export class ConflictError extends APIError {
  override name = "ConflictError";
}

/** 412: `If-Match` named a version that is no longer current. */
export class PreconditionFailedError extends APIError {
  override name = "PreconditionFailedError";
}

/** 422: an Idempotency-Key sent again with another method, path or body. */
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}

/** 429: a rate limit was hit (and the retries, if any, did not get through). */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  /** Seconds until the limit resets: `details.retry_after`, else the `Retry-After` header. */
  get retryAfter(): number | undefined {
    const fromBody = this.details.retry_after;
    if (typeof fromBody === "number") return fromBody;
    const header = Number(this.headers?.get("retry-after"));
    return Number.isFinite(header) && this.headers?.has("retry-after") ? header : undefined;
  }
}

/** 5xx: the server failed or is unavailable (503 is retried before this is thrown). */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** No response: the connection failed or broke (retried before this is thrown). */
export class APIConnectionError extends APIError {
  override name = "APIConnectionError";
  constructor(init: { message?: string; code?: string; cause?: unknown } = {}) {
    super({
      status: undefined,
      code: init.code ?? "CONNECTION_ERROR",
      message: init.message ?? "Connection error",
      cause: init.cause,
    });
  }
}

/** No response within the timeout (retried before this is thrown). */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
  constructor(timeoutMs: number) {
    super({ code: "TIMEOUT", message: `Request timed out after ${timeoutMs} ms` });
  }
}

/** The caller aborted the request through its `signal`. */
export class APIUserAbortError extends APIError {
  override name = "APIUserAbortError";
  constructor(cause?: unknown) {
    super({ status: undefined, code: "ABORTED", message: "Request was aborted", cause });
  }
}

/** A webhook whose signature, secret or timestamp does not check out: do not trust its body. */
export class WebhookVerificationError extends VoltasisError {
  override name = "WebhookVerificationError";
}

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * The error for a non-2xx answer. `body` is the parsed envelope
 * `{error: {code, message, details}, metadata: {request_id}}` when the API sent one; a proxy's
 * HTML page or an empty body still gives an error of the right class.
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers): APIError {
  const envelope = (body ?? {}) as {
    error?: { code?: unknown; message?: unknown; details?: unknown };
    metadata?: { request_id?: unknown };
  };
  const error = envelope.error ?? {};
  const requestId =
    headers.get("x-request-id") ??
    (typeof envelope.metadata?.request_id === "string" ? envelope.metadata.request_id : undefined);
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
  return new ErrorClass({
    status,
    code: typeof error.code === "string" ? error.code : `HTTP_${status}`,
    message: typeof error.message === "string" ? error.message : `HTTP ${status}`,
    details:
      error.details && typeof error.details === "object" ? (error.details as Record<string, unknown>) : {},
    requestId,
    headers,
  });
}
