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

const hourlyRate = Type.Union([Type.Integer({ minimum: 0, maximum: 2_147_483_647 }), Type.Null()], {
  description: "The member's hourly rate in minor units (cents), set when they join; null: none",
  examples: [7500],
});

/**
 * SPEC §3: members are invited, never taken. Nothing here or in the answer says whether the e-mail
 * already has an account: the invitee decides, by accepting as a new or a signed-in user.
 */
export const InviteMemberBody = Type.Object(
  {
    email: email("Where the invitation goes; the invitee accepts with this e-mail"),
    role: roleSchema("Only the owner may invite an owner"),
    hourly_rate: Type.Optional(hourlyRate),
  },
  { additionalProperties: false },
);
export type InviteMemberBody = Static<typeof InviteMemberBody>;

const INVITATION_STATUSES = ["invited", "accepted", "revoked", "expired"] as const;
const invitationStatus = (description: string) =>
  Type.Unsafe<(typeof INVITATION_STATUSES)[number]>({
    type: "string",
    enum: [...INVITATION_STATUSES],
    description,
    examples: ["invited"],
  });
const timestampOrNull = (description: string) =>
  Type.Union([Type.String({ format: "date-time" }), Type.Null()], { description, examples: [null] });

const invitationProperties = {
  id: Type.String({ pattern: idPattern("invitation"), examples: ["inv_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
  email: email("The invited e-mail"),
  role: roleSchema("The role the invitee gets"),
  hourly_rate: hourlyRate,
  status: invitationStatus("`invited` until accepted, revoked or past `expires_at` (7 days)"),
  invited_by: Type.Union([Type.String(), Type.Null()], {
    description: "The user who invited",
    examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
  }),
  expires_at: Timestamp,
  accepted_at: timestampOrNull("When the invitee accepted"),
  accepted_by: Type.Union([Type.String(), Type.Null()], {
    description: "The member the invitation became",
    examples: [null],
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const InvitationSchema = Type.Object(invitationProperties, {
  $id: "Invitation",
  additionalProperties: false,
});
export type Invitation = Static<typeof InvitationSchema>;

export const InvitationWithTokenSchema = Type.Object(
  {
    ...invitationProperties,
    token: Type.String({
      description: "The one-time token; shown in this response only. Send it to the invitee.",
      examples: ["vlt_inv_8dJq2mNq7Ts4Vx9Yb3Cd6Fg1Hj5Wq2eR4tY6uI8o"],
    }),
    invitation_url: Type.String({
      description: "The console page where the invitee accepts; the token is in its fragment",
      examples: [
        "https://voltasis.example.com/accept-invitation#token=vlt_inv_8dJq2mNq7Ts4Vx9Yb3Cd6Fg1Hj5Wq2eR4tY6uI8o",
      ],
    }),
  },
  { $id: "InvitationWithToken", additionalProperties: false },
);
export type InvitationWithToken = Static<typeof InvitationWithTokenSchema>;

export const InvitationParams = Type.Object(
  { id: Type.String({ pattern: idPattern("invitation"), examples: ["inv_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }) },
  { additionalProperties: false },
);

export const ListInvitationsQuery = Type.Object(
  { ...PageQueryProperties, status: Type.Optional(invitationStatus("Only invitations in this status")) },
  { additionalProperties: false },
);
export type ListInvitationsQuery = Static<typeof ListInvitationsQuery>;

/** SPEC §3: an organization changes only what is its own; a person's name is theirs (PATCH /v1/auth/me). */
export const UpdateMemberBody = Type.Object(
  {
    role: Type.Optional(
      roleSchema("You cannot change your own role; only the owner may grant or take `owner`"),
    ),
    status: Type.Optional(statusSchema("`deactivated` ends their sessions here; `active` restores access")),
  },
  { additionalProperties: false, minProperties: 1, description: "At least one field" },
);
export type UpdateMemberBody = Static<typeof UpdateMemberBody>;

export const MEMBER_SCHEMAS = [UserSchema, MemberSchema, InvitationSchema];
