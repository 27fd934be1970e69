import { type Static, Type } from "@sinclair/typebox";
import { INVITATION_TOKEN_PATTERN } from "../../platform/auth/secrets.js";
import { idPattern } from "../../platform/ids.js";
import { UserSchema } from "../members/schemas.js";
import { OrganizationSchema, RoleSchema } from "../organizations/schemas.js";

const Email = Type.String({ format: "email", maxLength: 254, examples: ["ada@example.com"] });
const Password = Type.String({
  minLength: 8,
  maxLength: 256,
  description: "At least 8 characters",
  examples: ["correct horse battery staple"],
});

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 200, examples: ["Ada Lovelace"] }),
    organization_name: Type.String({ minLength: 1, maxLength: 200, examples: ["Acme Studio"] }),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 256 }),
    organization_id: Type.Optional(
      Type.String({
        pattern: idPattern("organization"),
        description: "Organization to sign in to; defaults to the first one the user joined",
      }),
    ),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200, examples: ["vlt_rt_…"] }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const TokenResponse = Type.Object(
  {
    token_type: Type.Literal("Bearer"),
    access_token: Type.String({
      description: "Send as `Authorization: Bearer <access_token>`",
      examples: ["vlt_at_…"],
    }),
    expires_in: Type.Integer({ description: "Seconds until the access token expires", examples: [86400] }),
    refresh_token: Type.String({
      description: "Single use: each refresh returns a new one",
      examples: ["vlt_rt_…"],
    }),
    refresh_expires_in: Type.Integer({ examples: [2592000] }),
    user: Type.Ref(UserSchema),
    organization: Type.Ref(OrganizationSchema),
  },
  { $id: "Session", additionalProperties: false },
);
export type TokenResponse = Static<typeof TokenResponse>;

export const AcceptInvitationBody = Type.Object(
  {
    token: Type.String({
      pattern: INVITATION_TOKEN_PATTERN,
      description: "The invitation's one-time token (from its `invitation_url`, after `#token=`)",
      examples: ["vlt_inv_8dJq2mNq7Ts4Vx9Yb3Cd6Fg1Hj5Wq2eR4tY6uI8o"],
    }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "For a new account: the name it shows",
        examples: ["Grace Hopper"],
      }),
    ),
    password: Type.Optional({ ...Password, description: "For a new account: its password (8+ characters)" }),
  },
  { additionalProperties: false },
);
export type AcceptInvitationBody = Static<typeof AcceptInvitationBody>;

export const UpdateProfileBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ["Ada King"] })),
    email: Type.Optional({ ...Email, description: "A new e-mail to sign in with; needs current_password" }),
    password: Type.Optional({
      ...Password,
      description: "A new password; needs current_password, and ends your other sessions",
    }),
    current_password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "Your password now",
        examples: ["correct horse"],
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, description: "At least one field" },
);
export type UpdateProfileBody = Static<typeof UpdateProfileBody>;

/** Seed 001's shape for "who am I". */
export const MeResponse = Type.Object(
  {
    id: Type.String({ examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
    email: Type.String({ examples: ["ada@example.com"] }),
    name: Type.String({ examples: ["Ada Lovelace"] }),
    role: RoleSchema,
    scopes: Type.Array(Type.String(), { examples: [["read", "write:time-entries"]] }),
    mode: Type.Unsafe<"live" | "test">({
      type: "string",
      enum: ["live", "test"],
      description:
        "`test` when the credential acts on the sandbox (SPEC §8): a `vlt_test_` key, or a user token sent with the sandbox's X-Organization-ID",
      examples: ["live"],
    }),
    organization: Type.Object(
      {
        id: Type.String(),
        name: Type.String(),
        sandbox_of: Type.Union([Type.String(), Type.Null()], {
          description: "In test mode: the live organization whose sandbox this is; null in live mode",
        }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: "Me", additionalProperties: false },
);
