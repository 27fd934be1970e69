import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { PageQueryProperties } from "../../platform/pagination.js";
import { ScopeSchema } from "../api-keys/schemas.js";

const APP_ID_EXAMPLE = "oap_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const GRANT_ID_EXAMPLE = "ogr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const REQUEST_ID_EXAMPLE = "oar_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const ORG_ID_EXAMPLE = "org_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const USER_ID_EXAMPLE = "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

export const MAX_REDIRECT_URIS = 10;

const Timestamp = (description: string) =>
  Type.String({ format: "date-time", description, examples: ["2024-01-01T00:00:00Z"] });
const NullableTimestamp = (description: string) =>
  Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description,
    examples: ["2024-01-01T00:00:00Z"],
  });

export const CLIENT_TYPES = ["confidential", "public"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
const ClientTypeSchema = Type.Unsafe<ClientType>({
  type: "string",
  enum: [...CLIENT_TYPES],
  description:
    "`confidential`: a server that keeps a client secret; `public`: a single-page or native app, which " +
    "cannot, and has none (PKCE protects its codes)",
  examples: ["confidential"],
});

const RedirectUri = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    "Where the browser returns with the code, matched exactly (no prefixes, no wildcards): https, " +
    "http on a loopback address (127.0.0.1, [::1], localhost) or a native app's private scheme " +
    "(`com.example.app:/callback`); no fragment",
  examples: ["https://app.example.com/oauth/callback"],
});

const RedirectUris = Type.Array(RedirectUri, {
  minItems: 1,
  maxItems: MAX_REDIRECT_URIS,
  uniqueItems: true,
  examples: [["https://app.example.com/oauth/callback"]],
});

const appProperties = {
  id: Type.String({ pattern: idPattern("oauthApp"), examples: [APP_ID_EXAMPLE] }),
  client_id: Type.String({
    description: "The app's OAuth `client_id`: the same as its id",
    examples: [APP_ID_EXAMPLE],
  }),
  name: Type.String({ description: "Shown to people on the consent screen", examples: ["Invoice Sync"] }),
  client_type: ClientTypeSchema,
  redirect_uris: RedirectUris,
  secret_last4: Type.Union([Type.String(), Type.Null()], {
    description: "The last 4 characters of the client secret, to recognise it; null for a public app",
    examples: ["x9Qz"],
  }),
  created_by: Type.String({ pattern: idPattern("user"), examples: [USER_ID_EXAMPLE] }),
  created_at: Timestamp("When the app was registered"),
  updated_at: Timestamp("When the app last changed (its secret included)"),
};

export const OAuthAppSchema = Type.Object(appProperties, { $id: "OAuthApp", additionalProperties: false });
export type OAuthApp = Static<typeof OAuthAppSchema>;

export const OAuthAppWithSecretSchema = Type.Object(
  {
    ...appProperties,
    client_secret: Type.Union([Type.String(), Type.Null()], {
      description:
        "The client secret, shown only in this response (store it now; only its hash is kept); null for a public app",
      examples: ["vlt_ocs_4eC39HqLyjWDarjtT1zdp7dcx9Qzabcd0123456x"],
    }),
  },
  { $id: "OAuthAppWithSecret", additionalProperties: false },
);
export type OAuthAppWithSecret = Static<typeof OAuthAppWithSecretSchema>;

export const CreateOAuthAppBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ["Invoice Sync"] }),
    redirect_uris: RedirectUris,
    client_type: Type.Optional(ClientTypeSchema),
  },
  { additionalProperties: false },
);
export type CreateOAuthAppBody = Static<typeof CreateOAuthAppBody>;

export const UpdateOAuthAppBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ["Invoice Sync"] })),
    redirect_uris: Type.Optional(RedirectUris),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateOAuthAppBody = Static<typeof UpdateOAuthAppBody>;

export const OAuthAppParams = Type.Object(
  { id: Type.String({ pattern: idPattern("oauthApp"), examples: [APP_ID_EXAMPLE] }) },
  { additionalProperties: false },
);

export const ListOAuthAppsQuery = Type.Object(PageQueryProperties, { additionalProperties: false });
export type ListOAuthAppsQuery = Static<typeof ListOAuthAppsQuery>;

export const GRANT_STATUSES = ["active", "revoked"] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
const GrantStatusSchema = Type.Unsafe<GrantStatus>({
  type: "string",
  enum: [...GRANT_STATUSES],
  description: "`revoked` once the person, an admin or the app's deletion ended it",
  examples: ["active"],
});

export const OAuthGrantSchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("oauthGrant"), examples: [GRANT_ID_EXAMPLE] }),
    app: Type.Object(
      {
        id: Type.String({ pattern: idPattern("oauthApp"), examples: [APP_ID_EXAMPLE] }),
        name: Type.String({ examples: ["Invoice Sync"] }),
      },
      { additionalProperties: false, description: "The app the person authorized" },
    ),
    user_id: Type.String({
      pattern: idPattern("user"),
      description: "The person who authorized it; the app acts as them, never beyond their role",
      examples: [USER_ID_EXAMPLE],
    }),
    scopes: Type.Array(ScopeSchema, {
      description: "Every scope the person granted the app in this organization",
      examples: [["read:projects", "write:time-entries"]],
    }),
    status: GrantStatusSchema,
    created_at: Timestamp("When the person first authorized the app"),
    updated_at: Timestamp("When the grant last changed"),
    revoked_at: NullableTimestamp("When it was revoked; null while active"),
  },
  { $id: "OAuthGrant", additionalProperties: false },
);
export type OAuthGrant = Static<typeof OAuthGrantSchema>;

export const OAuthGrantParams = Type.Object(
  { id: Type.String({ pattern: idPattern("oauthGrant"), examples: [GRANT_ID_EXAMPLE] }) },
  { additionalProperties: false },
);

export const ListOAuthGrantsQuery = Type.Object(
  {
    ...PageQueryProperties,
    status: Type.Optional(GrantStatusSchema),
    app_id: Type.Optional(Type.String({ pattern: idPattern("oauthApp"), examples: [APP_ID_EXAMPLE] })),
  },
  { additionalProperties: false },
);
export type ListOAuthGrantsQuery = Static<typeof ListOAuthGrantsQuery>;

export const OAuthAuthorizationRequestSchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("oauthRequest"), examples: [REQUEST_ID_EXAMPLE] }),
    app: Type.Object(
      {
        name: Type.String({ examples: ["Invoice Sync"] }),
        client_type: ClientTypeSchema,
      },
      { additionalProperties: false, description: "The app asking" },
    ),
    redirect_uri: Type.String({
      description: "Where the browser returns after the decision",
      examples: ["https://app.example.com/oauth/callback"],
    }),
    scopes: Type.Array(
      Type.Object(
        {
          scope: ScopeSchema,
          description: Type.String({ description: "The scope in words", examples: ["See projects"] }),
        },
        { additionalProperties: false },
      ),
      { description: "What the app asks for" },
    ),
    organizations: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: idPattern("organization"), examples: [ORG_ID_EXAMPLE] }),
          name: Type.String({ examples: ["Acme Studio"] }),
          role: Type.String({ description: "Your role there", examples: ["owner"] }),
          allowed: Type.Boolean({
            description: "Whether your role there holds every scope asked for (approving otherwise fails)",
          }),
          remembered: Type.Boolean({
            description:
              "Whether you already granted this app every scope asked for there: the consent screen may approve at once",
          }),
        },
        { additionalProperties: false },
      ),
      { description: "The organizations you may authorize the app for, one to pick" },
    ),
    expires_at: Timestamp("The request must be decided before this"),
  },
  { $id: "OAuthAuthorizationRequest", additionalProperties: false },
);
export type OAuthAuthorizationRequest = Static<typeof OAuthAuthorizationRequestSchema>;

export const OAuthAuthorizationRequestParams = Type.Object(
  { id: Type.String({ pattern: idPattern("oauthRequest"), examples: [REQUEST_ID_EXAMPLE] }) },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  {
    organization_id: Type.String({
      pattern: idPattern("organization"),
      description: "The organization the app will act in, as you: one of the request's `organizations`",
      examples: [ORG_ID_EXAMPLE],
    }),
  },
  { additionalProperties: false },
);
export type ApproveBody = Static<typeof ApproveBody>;

export const OAuthDecisionSchema = Type.Object(
  {
    redirect_to: Type.String({
      description:
        "Send the browser here: the app's redirect URI with `code` and `state` (approved) or " +
        "`error` and `state` (denied, or a scope your role does not hold)",
      examples: ["https://app.example.com/oauth/callback?code=vlt_oac_…&state=af0ifjsldkj"],
    }),
  },
  { $id: "OAuthDecision", additionalProperties: false },
);
export type OAuthDecision = Static<typeof OAuthDecisionSchema>;

export const OAUTH_SCHEMAS = [
  OAuthAppSchema,
  OAuthAppWithSecretSchema,
  OAuthGrantSchema,
  OAuthAuthorizationRequestSchema,
  OAuthDecisionSchema,
];
