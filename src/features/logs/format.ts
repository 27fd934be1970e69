import { rfc3339 } from "../../platform/time.js";
import type { LogEntry } from "./schemas.js";
import type { LogRow } from "./store.js";

/** Audit entries made by background work (a webhook disabled after failing) have no credential. */
function credentialOf(row: LogRow): LogEntry["credential"] {
  if (row.api_key_id) return { type: "api_key", id: row.api_key_id };
  return row.user_id && row.request_id ? { type: "user", id: row.user_id } : null;
}

/** Both kinds in one shape: the fields of the other kind are null. */
export function toLogEntry(row: LogRow): LogEntry {
  return {
    id: row.id,
    kind: row.kind,
    created_at: rfc3339(row.created_at),
    user_id: row.user_id,
    credential: credentialOf(row),
    request_id: row.request_id,
    method: row.method,
    path: row.path,
    status: row.status,
    duration_ms: row.duration_ms,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    event_id: row.event_id,
  };
}
