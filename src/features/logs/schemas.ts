import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

/** SPEC §6: logs are kept 30 days; older entries are no longer listed even before they are pruned. */
export const LOG_RETENTION_DAYS = 30;
/** Daily usage outlives the logs so a key's year can be compared; the longest range asked for at once. */
export const USAGE_RETENTION_DAYS = 400;
export const DEFAULT_USAGE_DAYS = 30;

const LOG_ID_EXAMPLE = "log_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const USER_ID_EXAMPLE = "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const KEY_ID_EXAMPLE = "key_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

const nullable = <T extends TSchema>(schema: T, description: string, example: unknown) =>
  Type.Union([schema, Type.Null()], { description, examples: [example] });

export const LOG_KINDS = ["request", "audit"] as const;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const CredentialSchema = Type.Object(
  {
    type: Type.Unsafe<"api_key" | "user">({
      type: "string",
      enum: ["api_key", "user"],
      description: "`api_key`: the request used an API key; `user`: a user's access token",
      examples: ["api_key"],
    }),
    id: Type.String({
      description: "The key's id (`key_…`) or the user's id (`usr_…`)",
      examples: [KEY_ID_EXAMPLE],
    }),
  },
  { additionalProperties: false },
);

/**
 * One entry of either kind. Every field is always present; those that do not apply to the entry's
 * kind are null, so a client reads both kinds with one type.
 */
export const LogEntrySchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("logEntry"), examples: [LOG_ID_EXAMPLE] }),
    kind: Type.Unsafe<(typeof LOG_KINDS)[number]>({
      type: "string",
      enum: [...LOG_KINDS],
      description:
        "`request`: an authenticated API call; `audit`: a change to keys, webhooks, members, settings or the organization",
      examples: ["request"],
    }),
    created_at: Type.String({
      format: "date-time",
      description: "When the request arrived, or when the change was made",
      examples: ["2024-01-01T00:00:00Z"],
    }),
    user_id: nullable(
      Type.String(),
      "Who: the user whose token made the request, the creator of the API key that made it, or the user who made the change; null for the system",
      USER_ID_EXAMPLE,
    ),
    credential: Type.Union([CredentialSchema, Type.Null()], {
      description:
        "The credential the request was made with; for an audit entry, that of the request that made the change (null when the server made it)",
    }),
    request_id: nullable(
      Type.String(),
      "The `X-Request-ID` of the request (request entries) or of the request that made the change (audit entries)",
      "req_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
    ),
    method: nullable(Type.String(), "HTTP method (request entries)", "POST"),
    path: nullable(
      Type.String(),
      "The URL path, without the query string (request entries)",
      "/v1/time-entries",
    ),
    status: nullable(Type.Integer(), "The HTTP status answered (request entries)", 201),
    duration_ms: nullable(
      Type.Number(),
      "Time from receiving the request to sending the response, in milliseconds (request entries)",
      12.5,
    ),
    action: nullable(
      Type.String(),
      "The event that the change wrote, `<resource>.<action>` (audit entries)",
      "api_key.revoked",
    ),
    resource_type: nullable(Type.String(), "What kind of thing changed (audit entries)", "api_key"),
    resource_id: nullable(Type.String(), "The id of what changed (audit entries)", KEY_ID_EXAMPLE),
    event_id: nullable(
      Type.String(),
      "The domain event with the full record of the change, at GET /v1/events/{id} (audit entries)",
      "evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
    ),
  },
  { $id: "LogEntry", additionalProperties: false },
);
export type LogEntry = Static<typeof LogEntrySchema>;

const idFilter = (kind: "user" | "apiKey", description: string, example: string) =>
  Type.String({ pattern: idPattern(kind), description, examples: [example] });

export const LOG_LIST: ListSpec = {
  table: "logs",
  alias: "l",
  filters: {
    kind: {
      schema: Type.String({ enum: [...LOG_KINDS], description: "Only entries of this kind" } as never),
      column: "l.kind",
    },
    status: {
      schema: Type.Integer({
        minimum: 100,
        maximum: 599,
        description: "Only requests answered with this HTTP status",
        examples: [404],
      }),
      column: "l.status",
    },
    method: {
      schema: Type.String({
        enum: [...HTTP_METHODS],
        description: "Only requests with this HTTP method",
      } as never),
      column: "l.method",
    },
    api_key_id: {
      schema: idFilter("apiKey", "Only requests made with this API key", KEY_ID_EXAMPLE),
      column: "l.api_key_id",
    },
    user_id: {
      schema: idFilter(
        "user",
        "Only entries of this user (their requests, their keys' requests and their changes)",
        USER_ID_EXAMPLE,
      ),
      column: "l.user_id",
    },
    action: {
      schema: Type.String({
        pattern: "^[a-z_]+\\.[a-z_]+$",
        maxLength: 100,
        description: "Only audit entries of this event name",
        examples: ["api_key.created"],
      }),
      column: "l.action",
    },
    resource_type: {
      schema: Type.String({
        enum: [
          "api_key",
          "webhook",
          "member",
          "settings",
          "organization",
          "sandbox",
          "oauth_app",
          "oauth_grant",
        ],
        description: "Only audit entries about this kind of resource",
      } as never),
      column: "l.resource_type",
    },
    resource_id: {
      schema: Type.String({
        minLength: 1,
        maxLength: 100,
        description: "Only audit entries about this resource",
        examples: [KEY_ID_EXAMPLE],
      }),
      column: "l.resource_id",
    },
  },
  range: { column: "l.created_at", description: "Entries created" },
  sort: { fields: { created_at: "l.created_at" }, default: "created_at", order: "desc" },
  cursor: { idPattern: idPattern("logEntry") },
};
export const ListLogsQuery = listQuerySchema(LOG_LIST);

// ---------------------------------------------------------------------------------------------
// GET /v1/api-keys/{id}/usage

export const UsageParams = Type.Object(
  { id: Type.String({ pattern: idPattern("apiKey"), examples: [KEY_ID_EXAMPLE] }) },
  { additionalProperties: false },
);

const day = (description: string, example: string) =>
  Type.String({ format: "date", description, examples: [example] });

export const UsageQuery = Type.Object(
  {
    from: Type.Optional(
      day(`First day counted, UTC (default: ${DEFAULT_USAGE_DAYS - 1} days before today)`, "2024-03-01"),
    ),
    to: Type.Optional(
      day(
        `Day after the last one counted, exclusive, UTC (default: tomorrow); at most ${USAGE_RETENTION_DAYS} days after from`,
        "2024-04-01",
      ),
    ),
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

const counts = {
  requests: Type.Integer({ description: "Authenticated requests made with the key", examples: [1520] }),
  errors: Type.Integer({ description: "Of which answered with a status of 400 or more", examples: [12] }),
};

export const UsageSchema = Type.Object(
  {
    api_key_id: Type.String({ pattern: idPattern("apiKey"), examples: [KEY_ID_EXAMPLE] }),
    from: day("First day counted", "2024-03-01"),
    to: day("Day after the last one counted (exclusive)", "2024-04-01"),
    totals: Type.Object(counts, { additionalProperties: false, description: "Sums over the days" }),
    days: Type.Array(
      Type.Object({ date: day("The UTC day", "2024-03-01"), ...counts }, { additionalProperties: false }),
      { description: "Every day of the range, oldest first, days without requests included with zeros" },
    ),
  },
  { $id: "ApiKeyUsage", additionalProperties: false },
);
export type Usage = Static<typeof UsageSchema>;
