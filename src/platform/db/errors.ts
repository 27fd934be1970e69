import { ConflictError } from "../errors.js";

interface PostgresError {
  name?: string;
  code?: string;
  constraint_name?: string;
}

// The data exceptions a request's value can cause, by SQLSTATE; the rest of class 22 is `invalid_value`.
const DATA_EXCEPTION_REASONS = new Map([
  ["22001", "too_long"], // string_data_right_truncation
  ["22003", "out_of_range"], // numeric_value_out_of_range
  ["22007", "invalid_format"], // invalid_datetime_format
  ["22008", "out_of_range"], // datetime_field_overflow
  ["22P02", "invalid_format"], // invalid_text_representation
  ["22021", "invalid_characters"], // character_not_in_repertoire (NUL in text)
  ["22P05", "invalid_characters"], // untranslatable_character (NUL in jsonb)
]);

/**
 * For PostgreSQL's class 22 "data exception" (a value the request carried that the column's type
 * cannot take), the reason to report; null for any other error.
 */
export function dataExceptionReason(error: unknown): string | null {
  const e = error as PostgresError | null;
  if (e?.name !== "PostgresError" || !e.code?.startsWith("22")) return null;
  return DATA_EXCEPTION_REASONS.get(e.code) ?? "invalid_value";
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
