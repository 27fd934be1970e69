import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

export const WEBHOOK_ID_EXAMPLE = "whk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const DELIVERY_ID_EXAMPLE = "dlv_01JD6V7W9Q3E4R5T6Y7Z8H9K0Q";
const EVENT_ID_EXAMPLE = "evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0R";
const SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const WebhookId = Type.String({ pattern: idPattern("webhook"), examples: [WEBHOOK_ID_EXAMPLE] });
const DeliveryId = Type.String({ pattern: idPattern("delivery"), examples: [DELIVERY_ID_EXAMPLE] });
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });
const NullableTimestamp = (description: string) =>
  Type.Union([Timestamp, Type.Null()], { description, examples: [null] });

const url = Type.String({
  format: "uri",
  maxLength: 2048,
  description:
    "An http(s) URL. It must not resolve to a loopback, private, link-local or metadata address " +
    "unless the server runs with VOLTASIS_WEBHOOKS_ALLOW_PRIVATE=true",
  examples: ["https://hooks.example.com/voltasis"],
});
const events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description:
    "Event names (`time_entry.created`), a resource's wildcard (`project.*`) or `*` for all; " +
    "see the catalogue in docs/webhooks.md",
  examples: [["time_entry.created", "project.*"]],
});
const description = Type.String({
  maxLength: 500,
  description: "What the endpoint is for",
  examples: ["Sync time to payroll"],
});
const enabled = Type.Boolean({
  description: "Whether events are delivered; turning it back on clears the failing state",
  examples: [true],
});

export const DISABLED_REASONS = ["manual", "failing"] as const;

export const WebhookSchema = Type.Object(
  {
    id: WebhookId,
    url,
    description,
    events,
    enabled,
    disabled_reason: Type.Union(
      [
        Type.Unsafe<(typeof DISABLED_REASONS)[number]>({ type: "string", enum: [...DISABLED_REASONS] }),
        Type.Null(),
      ],
      {
        description: "`manual` (turned off through the API) or `failing` (3 days of failed deliveries)",
        examples: [null],
      },
    ),
    failing_since: NullableTimestamp(
      "Start of the current run of failed deliveries; cleared by any success. At 3 days the webhook is disabled",
    ),
    previous_secret_expires_at: NullableTimestamp(
      "After a rotation, until when deliveries are signed with the previous secret too",
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: "Webhook", additionalProperties: false },
);
export type Webhook = Static<typeof WebhookSchema>;

export const WebhookWithSecretSchema = Type.Object(
  {
    ...WebhookSchema.properties,
    secret: Type.String({
      description: "The signing secret. Shown only in this response: store it now",
      examples: [SECRET_EXAMPLE],
    }),
  },
  { $id: "WebhookWithSecret", additionalProperties: false },
);
export type WebhookWithSecret = Static<typeof WebhookWithSecretSchema>;

export const CreateWebhookBody = Type.Object(
  {
    url,
    events,
    description: Type.Optional(description),
    enabled: Type.Optional({ ...enabled, description: "Default true" }),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(url),
    events: Type.Optional(events),
    description: Type.Optional(description),
    enabled: Type.Optional(enabled),
  },
  { additionalProperties: false, minProperties: 1, description: "Only the fields given change" },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookParams = Type.Object({ id: WebhookId }, { additionalProperties: false });
export const DeliveryParams = Type.Object(
  { id: WebhookId, delivery_id: DeliveryId },
  { additionalProperties: false },
);

export const WEBHOOK_LIST: ListSpec = {
  table: "webhooks",
  alias: "w",
  filters: {
    enabled: {
      schema: Type.Boolean({ description: "Only enabled (or disabled) webhooks" }),
      column: "w.enabled",
    },
  },
  sort: { fields: { created_at: "w.created_at", url: "w.url" }, default: "created_at", order: "desc" },
};
export const ListWebhooksQuery = listQuerySchema(WEBHOOK_LIST);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
const deliveryStatus = (description: string) =>
  Type.Unsafe<DeliveryStatus>({
    type: "string",
    enum: [...DELIVERY_STATUSES],
    description,
    examples: ["succeeded"],
  });

export const AttemptSchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1, description: "1 for the first try", examples: [1] }),
    status_code: Type.Union([Type.Integer(), Type.Null()], {
      description: "The endpoint's HTTP status; null when no response came (timeout, refused)",
      examples: [200],
    }),
    duration_ms: Type.Integer({
      minimum: 0,
      description: "From sending to the end of the response",
      examples: [84],
    }),
    error: Type.Union([Type.String(), Type.Null()], {
      description: "Why the attempt failed (`timeout`, `connection refused`, `HTTP 500`, …); null on success",
      examples: [null],
    }),
    response_excerpt: Type.Union([Type.String(), Type.Null()], {
      description: "The start of the response body",
      examples: ["ok"],
    }),
    attempted_at: Timestamp,
  },
  { additionalProperties: false },
);
export type Attempt = Static<typeof AttemptSchema>;

export const DeliverySchema = Type.Object(
  {
    id: DeliveryId,
    webhook_id: WebhookId,
    event_id: Type.String({
      description: "The event's id: the body's `id` and the `webhook-id` header, the same on every attempt",
      examples: [EVENT_ID_EXAMPLE],
    }),
    event: Type.String({ description: "The event's name", examples: ["time_entry.created"] }),
    status: deliveryStatus(
      "`pending` (queued or waiting for a retry), `succeeded`, or `failed` (retries spent or webhook disabled)",
    ),
    attempt_count: Type.Integer({ minimum: 0, description: "Attempts made so far", examples: [1] }),
    next_attempt_at: NullableTimestamp("When the next attempt is due, while pending"),
    completed_at: NullableTimestamp("When it succeeded or was given up"),
    created_at: Timestamp,
    attempts: Type.Array(AttemptSchema, { description: "Every attempt, oldest first" }),
  },
  { $id: "Delivery", additionalProperties: false },
);
export type Delivery = Static<typeof DeliverySchema>;

export const DELIVERY_LIST: ListSpec = {
  table: "webhook_deliveries",
  alias: "d",
  filters: {
    status: { schema: deliveryStatus("Only deliveries in this state"), column: "d.status" },
  },
  sort: { fields: { created_at: "d.created_at" }, default: "created_at", order: "desc" },
  cursor: { idPattern: idPattern("delivery") },
};
export const ListDeliveriesQuery = listQuerySchema(DELIVERY_LIST);
