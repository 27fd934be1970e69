import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

export const TAG_ID_EXAMPLE = "tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

const TagId = Type.String({ pattern: idPattern("tag"), examples: [TAG_ID_EXAMPLE] });
const name = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: "\\S",
  description: "Unique in the organization, ignoring case; surrounding spaces are trimmed",
  examples: ["meeting"],
});
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });

export const TagSchema = Type.Object(
  { id: TagId, name, created_at: Timestamp, updated_at: Timestamp },
  { $id: "Tag", additionalProperties: false },
);
export type Tag = Static<typeof TagSchema>;

export const TagBody = Type.Object({ name }, { additionalProperties: false });
export type TagBody = Static<typeof TagBody>;

export const TagParams = Type.Object({ id: TagId }, { additionalProperties: false });

export const TAG_LIST: ListSpec = {
  table: "tags",
  alias: "g",
  filters: {},
  sort: { fields: { created_at: "g.created_at", name: "g.name" }, default: "created_at", order: "desc" },
};
export const ListTagsQuery = listQuerySchema(TAG_LIST);
