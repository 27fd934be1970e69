import { rfc3339 } from "../../platform/time.js";
import type { Organization } from "./schemas.js";

export function toOrganization(row: {
  id: string;
  name: string;
  plan: string;
  created_at: Date;
  updated_at: Date;
}): Organization {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan as Organization["plan"],
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
