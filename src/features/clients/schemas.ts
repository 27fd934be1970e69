import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

export const CLIENT_ID_EXAMPLE = "cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

export const CLIENT_STATUSES = ["active", "archived"] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
const statusSchema = (description: string) =>
  Type.Unsafe<ClientStatus>({
    type: "string",
    enum: [...CLIENT_STATUSES],
    description,
    examples: ["active"],
  });

const ClientId = Type.String({ pattern: idPattern("client"), examples: [CLIENT_ID_EXAMPLE] });
const name = Type.String({
  minLength: 1,
  maxLength: 200,
  // At least one visible character; surrounding spaces are trimmed.
  pattern: "\\S",
  description: "Unique in the organization, ignoring case",
  examples: ["Acme Corp"],
});
const email = Type.Union([Type.String({ format: "email", maxLength: 254 }), Type.Null()], {
  description: "Billing or contact address",
  examples: ["billing@acme.example"],
});
const notes = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()], {
  description: "Free text",
  examples: ["Invoice monthly, net 30"],
});
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });

export const ClientSchema = Type.Object(
  {
    id: ClientId,
    name,
    email,
    notes,
    status: statusSchema("`archived` clients stay on their projects but are hidden from pickers"),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: "Client", additionalProperties: false },
);
export type Client = Static<typeof ClientSchema>;

export const CreateClientBody = Type.Object(
  {
    name,
    email: Type.Optional(email),
    notes: Type.Optional(notes),
    status: Type.Optional(statusSchema("Default `active`")),
  },
  { additionalProperties: false },
);
export type CreateClientBody = Static<typeof CreateClientBody>;

export const UpdateClientBody = Type.Object(
  {
    name: Type.Optional(name),
    email: Type.Optional(email),
    notes: Type.Optional(notes),
    status: Type.Optional(statusSchema("`archived` or back to `active`")),
  },
  { additionalProperties: false, minProperties: 1, description: "Only the fields given change" },
);
export type UpdateClientBody = Static<typeof UpdateClientBody>;

export const ClientParams = Type.Object({ id: ClientId }, { additionalProperties: false });

export const CLIENT_LIST: ListSpec = {
  table: "clients",
  alias: "c",
  filters: { status: { schema: statusSchema("Only clients with this status"), column: "c.status" } },
  sort: {
    fields: { created_at: "c.created_at", name: "c.name", updated_at: "c.updated_at" },
    default: "created_at",
    order: "desc",
  },
};
export const ListClientsQuery = listQuerySchema(CLIENT_LIST);
