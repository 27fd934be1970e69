import { rfc3339 } from "../../platform/time.js";
import type { Tag } from "./schemas.js";
import type { TagRow } from "./store.js";

export function toTag(row: TagRow): Tag {
  return {
    id: row.id,
    name: row.name,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
