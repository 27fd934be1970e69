import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

export const PROJECT_ID_EXAMPLE = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const CLIENT_ID_EXAMPLE = "cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

export const PROJECT_STATUSES = ["active", "archived"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
const statusSchema = (description: string) =>
  Type.Unsafe<ProjectStatus>({
    type: "string",
    enum: [...PROJECT_STATUSES],
    description,
    examples: ["active"],
  });

const ProjectId = Type.String({ pattern: idPattern("project"), examples: [PROJECT_ID_EXAMPLE] });
const ClientId = Type.String({ pattern: idPattern("client"), examples: [CLIENT_ID_EXAMPLE] });

const name = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: "\\S",
  description: "Unique in the organization, ignoring case; surrounding spaces are trimmed",
  examples: ["Website redesign"],
});
const description = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()], {
  description: "Free text",
  examples: ["Q3 relaunch of the marketing site"],
});
const nullableClientId = Type.Union([ClientId, Type.Null()], {
  description: "The client this project is for (a client of the same organization), or null",
  examples: [CLIENT_ID_EXAMPLE],
});
const billable = Type.Boolean({
  description: "Whether time on this project is billable by default",
  examples: [true],
});
const hourlyRate = Type.Union([Type.Integer({ minimum: 0, maximum: 2_147_483_647 }), Type.Null()], {
  description:
    "Minor units (cents) per hour in the organization's currency; null uses the member's rate, then the organization default",
  examples: [12500],
});
const color = Type.Union([Type.String({ pattern: "^#[0-9a-fA-F]{6}$" }), Type.Null()], {
  description: "`#rrggbb`, stored in lower case",
  examples: ["#3b82f6"],
});
const budgetHours = Type.Union([Type.Number({ minimum: 0, maximum: 9_999_999_999 }), Type.Null()], {
  description: "Planned hours, rounded to hundredths; null for no budget",
  examples: [120.5],
});
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });

export const ProjectSchema = Type.Object(
  {
    id: ProjectId,
    name,
    description,
    client_id: nullableClientId,
    status: statusSchema("`archived` projects keep their time entries but take no new work"),
    billable,
    hourly_rate: hourlyRate,
    currency: Type.String({
      description: "The organization's currency (`GET /v1/settings`), which `hourly_rate` is in; read-only",
      examples: ["USD"],
    }),
    color,
    budget_hours: budgetHours,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: "Project", additionalProperties: false },
);
export type Project = Static<typeof ProjectSchema>;

const writable = {
  description: Type.Optional(description),
  client_id: Type.Optional(nullableClientId),
  status: Type.Optional(statusSchema("Default `active`")),
  billable: Type.Optional(billable),
  hourly_rate: Type.Optional(hourlyRate),
  color: Type.Optional(color),
  budget_hours: Type.Optional(budgetHours),
};

export const CreateProjectBody = Type.Object({ name, ...writable }, { additionalProperties: false });
export type CreateProjectBody = Static<typeof CreateProjectBody>;

export const UpdateProjectBody = Type.Object(
  { name: Type.Optional(name), ...writable },
  { additionalProperties: false, minProperties: 1, description: "Only the fields given change" },
);
export type UpdateProjectBody = Static<typeof UpdateProjectBody>;

export const ProjectParams = Type.Object({ id: ProjectId }, { additionalProperties: false });

export const PROJECT_LIST: ListSpec = {
  table: "projects",
  alias: "p",
  filters: {
    status: { schema: statusSchema("Only projects with this status"), column: "p.status" },
    client_id: {
      schema: Type.String({
        pattern: idPattern("client"),
        description: "Only projects of this client",
        examples: [CLIENT_ID_EXAMPLE],
      }),
      column: "p.client_id",
    },
    billable: {
      schema: Type.Boolean({ description: "Only billable (true) or non-billable (false) projects" }),
      column: "p.billable",
    },
  },
  sort: {
    fields: { created_at: "p.created_at", name: "p.name", updated_at: "p.updated_at" },
    default: "created_at",
    order: "desc",
  },
};
export const ListProjectsQuery = listQuerySchema(PROJECT_LIST);
