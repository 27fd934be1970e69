import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import type { Attempt, Delivery, Webhook } from "./schemas.js";
import type { AttemptRow, DeliveryRow, WebhookRow } from "./store.js";

/** The webhook as the API shows it: the secrets never leave except in create and rotate answers. */
export function toWebhook(row: WebhookRow): Webhook {
  const { secret: _secret, previous_secret: _previous, ...visible } = row;
  return {
    id: visible.id,
    url: visible.url,
    description: visible.description,
    events: visible.events,
    enabled: visible.enabled,
    disabled_reason: visible.disabled_reason as Webhook["disabled_reason"],
    failing_since: rfc3339OrNull(visible.failing_since),
    previous_secret_expires_at: rfc3339OrNull(visible.previous_secret_expires_at),
    created_at: rfc3339(visible.created_at),
    updated_at: rfc3339(visible.updated_at),
  };
}

function toAttempt(row: AttemptRow): Attempt {
  return {
    attempt: row.attempt,
    status_code: row.status_code,
    duration_ms: row.duration_ms,
    error: row.error,
    response_excerpt: row.response_excerpt,
    attempted_at: rfc3339(row.attempted_at),
  };
}

export function toDelivery(row: DeliveryRow, attempts: AttemptRow[]): Delivery {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event_id: row.event_id,
    event: row.event_name,
    status: row.status as Delivery["status"],
    attempt_count: row.attempts,
    next_attempt_at: row.status === "pending" ? rfc3339OrNull(row.next_attempt_at) : null,
    completed_at: rfc3339OrNull(row.completed_at),
    created_at: rfc3339(row.created_at),
    attempts: attempts.map(toAttempt),
  };
}
