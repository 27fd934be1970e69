import { type Static, Type } from "@sinclair/typebox";
import { ALL_SCOPES, type Scope } from "../../platform/auth/scopes.js";
import { idPattern } from "../../platform/ids.js";
import { PageQueryProperties } from "../../platform/pagination.js";

const KEY_ID_EXAMPLE = "key_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

/** Longest grace period for the old secret after a roll: one week. */
export const MAX_ROLL_GRACE_S = 7 * 24 * 60 * 60;

// One `enum` rather than a union of literals: OpenAPI shows one list, and a wrong value is answered
// with "must be one of: …" instead of "must be equal to constant".
export const ScopeSchema = Type.Unsafe<Scope>({
  type: "string",
  enum: [...ALL_SCOPES],
  description: "A coarse scope (`read`, `write`, `delete`, `admin`) or a fine one (`<action>:<resource>`)",
  examples: ["read:users"],
});

export const API_KEY_STATUSES = ["active", "revoked", "expired"] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];
export const ApiKeyStatusSchema = Type.Unsafe<ApiKeyStatus>({
  type: "string",
  enum: [...API_KEY_STATUSES],
  description: "Derived from `revoked_at` and `expires_at`",
  examples: ["active"],
});

export const API_KEY_MODES = ["live", "test"] as const;
export type ApiKeyMode = (typeof API_KEY_MODES)[number];
const apiKeyModeSchema = (description: string) =>
  Type.Unsafe<ApiKeyMode>({ type: "string", enum: [...API_KEY_MODES], description, examples: ["live"] });

const Timestamp = (description: string) =>
  Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description,
    examples: ["2024-01-01T00:00:00Z"],
  });

/** The public columns of a key; the secret and its hash are never among them. */
const apiKeyProperties = {
  id: Type.String({ pattern: idPattern("apiKey"), examples: [KEY_ID_EXAMPLE] }),
  name: Type.String({ description: "What the key is for", examples: ["CI/CD Pipeline Key"] }),
  mode: apiKeyModeSchema(
    "`live` keys (`vlt_live_…`) act on the organization's data; `test` keys (`vlt_test_…`) on its sandbox",
  ),
  prefix: Type.String({
    description: "The first characters of the secret, to recognise it",
    examples: ["vlt_live_4eC3"],
  }),
  last4: Type.String({ description: "The last 4 characters of the secret", examples: ["x9Qz"] }),
  scopes: Type.Array(ScopeSchema, { description: "As granted", examples: [["read:users"]] }),
  status: ApiKeyStatusSchema,
  created_by: Type.String({
    pattern: idPattern("user"),
    description: "The user who created the key; it acts with at most their role",
    examples: ["usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"],
  }),
  created_at: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
  last_used_at: Timestamp("Last authenticated request, recorded within a few seconds; null if never"),
  expires_at: Timestamp("When the key stops working; null means never"),
  revoked_at: Timestamp("When the key was revoked; null if it was not"),
};

export const ApiKeySchema = Type.Object(apiKeyProperties, { $id: "ApiKey", additionalProperties: false });
export type ApiKey = Static<typeof ApiKeySchema>;

export const ApiKeyWithSecretSchema = Type.Object(
  {
    ...apiKeyProperties,
    secret: Type.String({
      description: "The key itself, shown only in this response: store it now. Only its hash is kept.",
      examples: ["vlt_live_4eC39HqLyjWDarjtT1zdp7dcx9Qzabcd"],
    }),
  },
  { $id: "ApiKeyWithSecret", additionalProperties: false },
);
export type ApiKeyWithSecret = Static<typeof ApiKeyWithSecretSchema>;

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ["CI/CD Pipeline Key"] }),
    scopes: Type.Array(ScopeSchema, {
      minItems: 1,
      uniqueItems: true,
      description: "At most what the creator's role allows",
      examples: [["read:users", "write:time-entries"]],
    }),
    expires_at: Type.Optional(
      Type.String({
        format: "date-time",
        description: "When the key stops working; must be in the future. Omit for a key that never expires.",
        examples: ["2030-12-31T23:59:59Z"],
      }),
    ),
    mode: Type.Optional(
      apiKeyModeSchema(
        "`live` (the default) or `test`: a test key (`vlt_test_…`) acts on the organization's sandbox, " +
          "never on its live data",
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export const RollApiKeyBody = Type.Object(
  {
    expires_in_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ROLL_GRACE_S,
        default: 0,
        description: "How long the old secret keeps working (at most a week); 0 stops it at once",
        examples: [3600],
      }),
    ),
  },
  { additionalProperties: false },
);
export type RollApiKeyBody = Static<typeof RollApiKeyBody>;

export const ApiKeyParams = Type.Object(
  { id: Type.String({ pattern: idPattern("apiKey"), examples: [KEY_ID_EXAMPLE] }) },
  { additionalProperties: false },
);

export const ListApiKeysQuery = Type.Object(
  {
    ...PageQueryProperties,
    status: Type.Optional(ApiKeyStatusSchema),
    mode: Type.Optional(apiKeyModeSchema("Only live or only test keys")),
  },
  { additionalProperties: false },
);
export type ListApiKeysQuery = Static<typeof ListApiKeysQuery>;
