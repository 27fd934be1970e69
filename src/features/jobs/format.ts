import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import type { Job, JobResult } from "./schemas.js";
import type { JobRow } from "./store.js";

/**
 * A job as the API shows it. The uploaded CSV never appears: it lives in `jobs.input` (not read
 * into JobRow) and is not part of `params`, so neither a response nor an event carries the file.
 */
export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type as Job["type"],
    status: row.status as Job["status"],
    progress: row.progress,
    params: (row.params ?? {}) as Record<string, unknown>,
    result: (row.result ?? null) as JobResult,
    error: (row.error ?? null) as Job["error"],
    created_by: row.created_by,
    created_at: rfc3339(row.created_at),
    started_at: rfc3339OrNull(row.started_at),
    finished_at: rfc3339OrNull(row.finished_at),
  };
}
