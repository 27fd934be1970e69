/** SPEC §2's error codes: the only ones an error response may carry. */
export const SPEC_ERROR_CODES = new Set([
  "INVALID_REQUEST",
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "IDEMPOTENCY_KEY_IN_USE",
  "PRECONDITION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "IDEMPOTENCY_KEY_REUSED",
  "RATE_LIMIT_EXCEEDED",
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
]);

// A stack frame, SQL, or a path into the installation: internals that must never reach a client.
const LEAKS = [/at \//, /\bSELECT\b/, /\bINSERT INTO\b/, /node_modules/];

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * What is wrong with an answer to a hostile request, or null: a 5xx, an error that is not exactly
 * the envelope, a missing X-Request-ID, internals in the body.
 */
export function problemWith(res: Answer): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 300)}`;
  const requestId = res.headers["x-request-id"];
  if (typeof requestId !== "string" || requestId === "") return "no X-Request-ID header";
  const leak = LEAKS.find((pattern) => pattern.test(res.body));
  if (leak) return `body leaks ${leak}: ${res.body.slice(0, 300)}`;
  if (res.statusCode < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `status ${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 200)}`;
  }
  const shapeProblem = envelopeProblem(body, requestId);
  return shapeProblem && `status ${res.statusCode}, ${shapeProblem}: ${res.body.slice(0, 300)}`;
}

function envelopeProblem(body: unknown, requestId: string): string | null {
  if (!isObject(body) || !sameKeys(body, ["error", "metadata"])) return "not {error, metadata}";
  const { error, metadata } = body;
  if (!isObject(error) || !sameKeys(error, ["code", "message", "details"], ["details"])) {
    return "error is not {code, message, details?}";
  }
  if (!SPEC_ERROR_CODES.has(error.code as string))
    return `error.code ${String(error.code)} is not in SPEC §2`;
  if (typeof error.message !== "string" || error.message === "") return "error.message is empty";
  if ("details" in error && !isObject(error.details)) return "error.details is not an object";
  if (!isObject(metadata) || !sameKeys(metadata, ["timestamp", "request_id"])) {
    return "metadata is not {timestamp, request_id}";
  }
  if (metadata.request_id !== requestId) return "metadata.request_id differs from X-Request-ID";
  if (typeof metadata.timestamp !== "string" || Number.isNaN(Date.parse(metadata.timestamp))) {
    return "metadata.timestamp is not a time";
  }
  return null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function sameKeys(value: Record<string, unknown>, keys: string[], optional: string[] = []): boolean {
  const present = Object.keys(value);
  return (
    present.every((key) => keys.includes(key)) &&
    keys.every((key) => optional.includes(key) || present.includes(key))
  );
}
