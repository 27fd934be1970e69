/**
 * Every error code of SPEC §2, declared once with its HTTP status. Anything may throw an
 * ApiError; `error-handler.ts` is the one place that turns errors into HTTP.
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    /** Overrides the code's usual status where HTTP has a more precise one (415 for media types). */
    status?: number,
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[code];
  }
}

export class ValidationError extends ApiError {
  constructor(field: string, message: string, reason = "invalid", extra: ErrorDetails = {}) {
    super("VALIDATION_ERROR", message, { field, reason, ...extra });
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = "Invalid or missing authentication token", reason?: string) {
    super("UNAUTHORIZED", message, reason ? { reason } : undefined);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = "Insufficient permissions for this resource", details?: ErrorDetails) {
    super("FORBIDDEN", message, details);
  }
}

export class NotFoundError extends ApiError {
  constructor(resource: string, id?: string) {
    super(
      "NOT_FOUND",
      id ? `No ${resource} with id ${id}` : `${resource} not found`,
      id ? { id } : undefined,
    );
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, reason: string, details: ErrorDetails = {}) {
    super("CONFLICT", message, { reason, ...details });
  }
}

/** An archived project keeps its history but takes no new tasks or time (Toggl and Harvest alike). */
export function projectArchived(field: string) {
  return new ConflictError(
    "This project is archived: it takes no new tasks or time entries",
    "project_archived",
    {
      field,
    },
  );
}
