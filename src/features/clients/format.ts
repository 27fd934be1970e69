import { rfc3339 } from "../../platform/time.js";
import type { Client } from "./schemas.js";
import type { ClientRow } from "./store.js";

export function toClient(row: ClientRow): Client {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    notes: row.notes,
    status: row.status,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
