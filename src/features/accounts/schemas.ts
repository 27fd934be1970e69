import { type Static, Type } from "@sinclair/typebox";
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
  { additionalProperties: false },
);
export type TokenResponse = Static<typeof TokenResponse>;

/** Seed 001's shape for "who am I". */
export const MeResponse = Type.Object(
  {
    id: Type.String({ examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
    email: Type.String({ examples: ["ada@example.com"] }),
    name: Type.String({ examples: ["Ada Lovelace"] }),
    role: RoleSchema,
    scopes: Type.Array(Type.String(), { examples: [["read", "write:time-entries"]] }),
    organization: Type.Object({ id: Type.String(), name: Type.String() }),
  },
  { additionalProperties: false },
);
