import { type Static, Type } from "@sinclair/typebox";
import { PLANS, type Plan } from "../../platform/config.js";
import type { Role } from "../../platform/db/schema.js";
import { idPattern } from "../../platform/ids.js";
import { PageQueryProperties } from "../../platform/pagination.js";

export const ROLES: readonly Role[] = ["owner", "admin", "manager", "member"];

// `enum` rather than a union of literals: Ajv then reports "role must be one of: owner, admin, …"
// instead of "must be equal to constant" for the first branch.
export const roleSchema = (description = "Role in the organization (SPEC §3)") =>
  Type.Unsafe<Role>({ type: "string", enum: [...ROLES], description, examples: ["admin"] });
export const RoleSchema = roleSchema();

const planSchema = (description = "Billing plan; decides rate limits") =>
  Type.Unsafe<Plan>({ type: "string", enum: [...PLANS], description, examples: ["enterprise"] });
export const PlanSchema = planSchema();

const organizationProperties = {
  id: Type.String({ pattern: idPattern("organization"), examples: ["org_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
  name: Type.String({ description: "Display name", examples: ["Acme Studio"] }),
  plan: PlanSchema,
  mode: Type.Unsafe<"live" | "test">({
    type: "string",
    enum: ["live", "test"],
    description: "`test` for an organization's sandbox twin (SPEC §8), `live` otherwise",
    examples: ["live"],
  }),
  sandbox_of: Type.Union([Type.String({ pattern: idPattern("organization") }), Type.Null()], {
    description: "For a sandbox: the live organization it belongs to; null for a live organization",
    examples: [null],
  }),
  created_at: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
  updated_at: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
};

export const OrganizationSchema = Type.Object(organizationProperties, {
  $id: "Organization",
  additionalProperties: false,
});
export type Organization = Static<typeof OrganizationSchema>;

/** An item of `GET /v1/organizations`: an organization the caller belongs to, with their role there. */
export const OrganizationMembershipSchema = Type.Object(
  {
    ...organizationProperties,
    role: roleSchema("The caller's role in this organization"),
  },
  { $id: "OrganizationMembership", additionalProperties: false },
);
export type OrganizationMembership = Static<typeof OrganizationMembershipSchema>;

export const UpdateOrganizationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ["Acme Studio GmbH"] })),
    plan: Type.Optional(planSchema("Only the owner may change the plan")),
  },
  { additionalProperties: false, minProperties: 1, description: "At least one field" },
);
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBody>;

export const ListOrganizationsQuery = Type.Object(PageQueryProperties, { additionalProperties: false });
export type ListOrganizationsQuery = Static<typeof ListOrganizationsQuery>;

/** Named schemas, registered once at the root so every feature can `Type.Ref` them. */
export const ORGANIZATION_SCHEMAS = [OrganizationSchema, OrganizationMembershipSchema];
