import { ConflictError } from "../errors.js";

interface PostgresError {
  code?: string;
  constraint_name?: string;
}

/** PostgreSQL's unique_violation, optionally on one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as PostgresError | null;
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}

/** The constraint a foreign_key_violation (23503) broke, or null for any other error. */
export function foreignKeyViolation(error: unknown): string | null {
  const e = error as PostgresError | null;
  return e?.code === "23503" ? (e.constraint_name ?? "") : null;
}

/**
 * Names are unique per organization ignoring case (a `lower(name)` unique index): a violation
 * of `index` becomes 409 `duplicate_name`; any other error is thrown on unchanged.
 */
export function rethrowDuplicateName(
  error: unknown,
  index: string,
  resource: string,
  name: string | undefined,
): never {
  if (isUniqueViolation(error, index)) {
    throw new ConflictError(`A ${resource} named "${name}" already exists`, "duplicate_name", {
      field: "name",
    });
  }
  throw error;
}
