import { type Static, Type } from "@sinclair/typebox";
import { PLANS } from "../../platform/config.js";
import { idPattern } from "../../platform/ids.js";

export const RoleSchema = Type.Union(
  [Type.Literal("owner"), Type.Literal("admin"), Type.Literal("manager"), Type.Literal("member")],
  { description: "Role in the organization (SPEC §3)", examples: ["admin"] },
);

export const PlanSchema = Type.Union(
  PLANS.map((plan) => Type.Literal(plan)),
  { description: "Billing plan; decides rate limits", examples: ["enterprise"] },
);

export const OrganizationSchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("organization"), examples: ["org_01JD6V7W9Q3E4R5T6Y7U8I9O0P"] }),
    name: Type.String({ examples: ["Acme Studio"] }),
    plan: PlanSchema,
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { $id: "Organization", additionalProperties: false },
);
export type Organization = Static<typeof OrganizationSchema>;

/** Named schemas, registered once at the root so every feature can `Type.Ref` them. */
export const ORGANIZATION_SCHEMAS = [OrganizationSchema];
