import { rfc3339 } from "../../platform/time.js";
import type { DomainEventView } from "./schemas.js";
import type { EventRow } from "./store.js";

export function toEvent(row: EventRow): DomainEventView {
  return {
    id: row.id,
    event: row.name,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    actor_id: row.actor_id,
    organization_id: row.organization_id,
    data: row.data,
    created_at: rfc3339(row.created_at),
  };
}
