import { rfc3339 } from "../../platform/time.js";
import type { Project } from "./schemas.js";
import type { ProjectRow } from "./store.js";

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    client_id: row.client_id,
    status: row.status,
    billable: row.billable,
    hourly_rate: row.hourly_rate,
    currency: row.currency,
    color: row.color,
    // numeric(12,2) arrives as a string so as not to lose precision; two decimals fit a double.
    budget_hours: row.budget_hours === null ? null : Number(row.budget_hours),
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
