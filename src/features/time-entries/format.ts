import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import type { TimeEntry } from "./schemas.js";
import type { TimeEntryRow } from "./store.js";

/** round(seconds × rate / 3600), half up, in exact integer arithmetic (the product passes 2^53). */
export function billableAmount(seconds: number, ratePerHour: number): number {
  return Number((BigInt(seconds) * BigInt(ratePerHour) + 1800n) / 3600n);
}

/**
 * What an entry's ETag is computed from (SPEC §8): the entry as stored. A running timer's
 * duration and amount grow by the second, so they are left out; its version changes when the
 * entry does, not with the clock.
 */
export function timeEntryVersion(entry: TimeEntry): unknown {
  return entry.running ? { ...entry, duration: null, billable_amount: null } : entry;
}

/** A running timer shows the seconds elapsed so far, and what they are worth so far. */
export function toTimeEntry(row: TimeEntryRow, currency: string, now = Date.now()): TimeEntry {
  const running = row.end_at === null;
  const duration = running
    ? Math.max(0, Math.floor((now - row.start_at.getTime()) / 1000))
    : (row.duration_seconds ?? 0);
  return {
    id: row.id,
    user_id: row.user_id,
    project_id: row.project_id,
    task_id: row.task_id,
    description: row.description,
    start: rfc3339(row.start_at),
    end: rfc3339OrNull(row.end_at),
    duration,
    billable: row.billable,
    hourly_rate: row.hourly_rate,
    billable_rate: row.billable_rate,
    billable_amount: row.billable ? billableAmount(duration, row.billable_rate) : 0,
    currency,
    tag_ids: row.tag_ids,
    running,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
