import type { Role } from "../../platform/db/schema.js";
import { rfc3339 } from "../../platform/time.js";
import type { Organization, OrganizationMembership } from "./schemas.js";

export type OrganizationRow = {
  id: string;
  name: string;
  plan: string;
  sandbox_of: string | null;
  created_at: Date;
  updated_at: Date;
};

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan as Organization["plan"],
    mode: row.sandbox_of === null ? "live" : "test",
    sandbox_of: row.sandbox_of,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}

export function toOrganizationMembership(row: OrganizationRow & { role: Role }): OrganizationMembership {
  return { ...toOrganization(row), role: row.role };
}
