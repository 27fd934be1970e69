import { foreignKeyViolation, isUniqueViolation } from "../../platform/db/errors.js";
import { ApiError, ConflictError, ForbiddenError, ValidationError } from "../../platform/errors.js";
import { MAX_DURATION_S } from "./schemas.js";
import type { EntrySettings } from "./store.js";

// A client clock a little ahead of ours may still start a timer "now".
const CLOCK_SKEW_MS = 60_000;

/** Whole seconds: the API shows RFC 3339 without fractions, and durations are integer seconds. */
export function toSecond(value: string | Date): Date {
  const ms = typeof value === "string" ? Date.parse(value) : value.getTime();
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** SPEC §6 "duration derived": end comes from the client or from start + duration, never both. */
export function derivedEnd(start: Date, end: string | null | undefined, duration: number | undefined) {
  if (duration !== undefined) {
    if (end !== undefined) {
      throw new ValidationError(
        "duration",
        "duration is derived from start and end: send one of end and duration",
        "derived",
      );
    }
    return new Date(start.getTime() + duration * 1000);
  }
  return end == null ? null : toSecond(end);
}

export function checkSpan(start: Date, end: Date | null, now = Date.now()) {
  if (end === null) {
    if (start.getTime() > now + CLOCK_SKEW_MS) {
      throw new ValidationError("start", "A running timer cannot start in the future", "in_future");
    }
    return;
  }
  if (end < start) throw new ValidationError("end", "end must not be before start", "before_start");
  if ((end.getTime() - start.getTime()) / 1000 > MAX_DURATION_S) {
    throw new ValidationError("end", `An entry spans at most ${MAX_DURATION_S} seconds`, "too_long");
  }
}

/** SPEC §6: entries starting before the lock date (midnight in the organization's zone) are read-only. */
export function checkUnlocked(settings: EntrySettings, start: Date) {
  if (settings.locked_before && start < settings.locked_before) {
    throw new ConflictError(
      `Time before ${settings.lock_date} (${settings.timezone}) is locked: entries starting then are read-only`,
      "locked",
      { lock_date: settings.lock_date },
    );
  }
}

/**
 * SPEC §3: a member's own rate is the organization's business, so members set `hourly_rate` on
 * entries only where the settings let them. Only a change counts: sending back the rate an entry
 * already has (a PUT of what GET returned) is not setting one.
 */
export function checkRateAllowed(
  settings: Pick<EntrySettings, "members_set_rates">,
  actor: { role: string },
  rate: { from: number | null; to: number | null },
) {
  if (actor.role !== "member" || settings.members_set_rates || rate.from === rate.to) return;
  throw new ForbiddenError(
    "Members cannot set hourly_rate in this organization (the setting members_set_rates is off)",
    { reason: "rates_not_allowed", field: "hourly_rate" },
  );
}

/** Rate precedence: the entry's own, the project's, the member's, the organization default. */
export function effectiveRate(
  entryRate: number | null,
  project: { hourly_rate: number | null } | undefined,
  member: { hourly_rate: number | null },
  settings: Pick<EntrySettings, "default_hourly_rate">,
): number {
  return entryRate ?? project?.hourly_rate ?? member.hourly_rate ?? settings.default_hourly_rate;
}

export const notOwner = (message = "Members can only see and change their own time entries") =>
  new ForbiddenError(message, { reason: "not_owner" });

export const notFoundField = (field: string, what: string, id: string) =>
  new ValidationError(field, `No ${what} with id ${id} in this organization`, "not_found");

const FOREIGN_KEY_FIELDS: Array<[string, string]> = [
  ["task_id", "task_id"],
  ["tag_id", "tag_ids"],
  ["project_id", "project_id"],
  ["user_id", "user_id"],
];

/**
 * The database has the last word on what a concurrent request changed between our checks and
 * our write: its violations become the API's answers, never a 500.
 */
export function fromDatabaseError(error: unknown): unknown {
  const e = error as { code?: string; constraint_name?: string } | null;
  const constraint = e?.constraint_name ?? "";
  if (isUniqueViolation(error, "time_entries_one_running")) {
    return new ConflictError(
      "This user already has a running timer: stop it first (GET /v1/time-entries/current shows it)",
      "timer_running",
    );
  }
  if (foreignKeyViolation(error) !== null) {
    const field = FOREIGN_KEY_FIELDS.find(([column]) => constraint.includes(column))?.[1] ?? "body";
    return new ValidationError(field, `${field} refers to something that no longer exists`, "not_found");
  }
  if (e?.code === "23514") {
    if (constraint.includes("rate"))
      return new ValidationError("hourly_rate", "Invalid hourly rate", "out_of_range");
    if (constraint === "time_entries_check") {
      return new ValidationError("end", "end must not be before start", "before_start");
    }
    return new ValidationError("task_id", "A task needs its project on the entry", "task_not_in_project");
  }
  if (e?.code === "22003" || e?.code === "22008") {
    return new ApiError("VALIDATION_ERROR", "A value is out of range", {
      field: "body",
      reason: "out_of_range",
    });
  }
  return error;
}
