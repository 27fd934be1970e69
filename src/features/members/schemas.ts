import { type Static, Type } from "@sinclair/typebox";
import type { MembershipStatus } from "../../platform/db/schema.js";
import { idPattern } from "../../platform/ids.js";
import { PageQueryProperties } from "../../platform/pagination.js";
import { roleSchema } from "../organizations/schemas.js";

const UserId = Type.String({
  pattern: idPattern("user"),
  description: "User id",
  examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
});
const email = (description = "E-mail address") =>
  Type.String({ format: "email", maxLength: 254, description, examples: ["ada@example.com"] });
const name = (description = "Display name") =>
  Type.String({ minLength: 1, maxLength: 200, description, examples: ["Ada Lovelace"] });
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });

export const MEMBER_STATUSES: readonly MembershipStatus[] = ["active", "deactivated"];
const statusSchema = (description: string) =>
  Type.Unsafe<MembershipStatus>({
    type: "string",
    enum: [...MEMBER_STATUSES],
    description,
    examples: ["active"],
  });

/** A platform account as the token responses show it. */
export const UserSchema = Type.Object(
  { id: UserId, email: email(), name: name(), created_at: Timestamp },
  { $id: "User", additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

/** A user as a member of this organization; the timestamps are the membership's. */
export const MemberSchema = Type.Object(
  {
    id: UserId,
    email: email(),
    name: name(),
    role: roleSchema(),
    status: statusSchema("`deactivated` members cannot sign in to this organization; their data stays"),
    created_at: Type.String({
      format: "date-time",
      description: "When they joined",
      examples: ["2024-01-01T00:00:00Z"],
    }),
    updated_at: Timestamp,
  },
  { $id: "Member", additionalProperties: false },
);
export type Member = Static<typeof MemberSchema>;

export const MemberParams = Type.Object({ id: UserId }, { additionalProperties: false });

export const ListMembersQuery = Type.Object(
  {
    ...PageQueryProperties,
    status: Type.Optional(statusSchema("Only members with this status")),
    role: Type.Optional(roleSchema("Only members with this role")),
  },
  { additionalProperties: false },
);
export type ListMembersQuery = Static<typeof ListMembersQuery>;

export const CreateMemberBody = Type.Object(
  {
    email: email("An existing account with this e-mail (any case) is added; otherwise one is created"),
    name: name("Used only when a new account is created"),
    role: roleSchema("Only the owner may grant `owner`"),
    password: Type.Optional(
      Type.String({
        minLength: 8,
        maxLength: 256,
        description:
          "Initial password for a new account (at least 8 characters); without one the user cannot sign in " +
          "yet. Not allowed for an existing account.",
        examples: ["correct horse battery staple"],
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateMemberBody = Static<typeof CreateMemberBody>;

export const UpdateMemberBody = Type.Object(
  {
    name: Type.Optional(name("The user's display name, on every organization they belong to")),
    role: Type.Optional(
      roleSchema("You cannot change your own role; only the owner may grant or take `owner`"),
    ),
    status: Type.Optional(statusSchema("`deactivated` ends their sessions here; `active` restores access")),
  },
  { additionalProperties: false, minProperties: 1, description: "At least one field" },
);
export type UpdateMemberBody = Static<typeof UpdateMemberBody>;

export const MEMBER_SCHEMAS = [UserSchema, MemberSchema];
