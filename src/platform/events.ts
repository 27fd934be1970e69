import { type Kysely, sql } from "kysely";
import type { Database } from "./db/schema.js";
import { newId } from "./ids.js";
import type { OrgContext } from "./tenancy.js";
import { rfc3339 } from "./time.js";

export interface DomainEvent {
  /** `<resource>.created|updated|deleted`, `timer.started`, … (SPEC §7). */
  name: string;
  resourceType: string;
  resourceId: string;
  /** The user behind the change, when there is one. */
  actorId: string | null;
  /** The resource as the API shows it (after the change; before it for a delete). */
  data: unknown;
}

/** Workers LISTEN here; a NOTIFY sent inside the transaction reaches them when it commits. */
export const DELIVERIES_CHANNEL = "voltasis_webhook_deliveries";

/**
 * Every process LISTENs here once for the live event stream (GET /v1/events/stream). The payload
 * is only `<organization id> <event id>` (NOTIFY payloads are limited to 8000 bytes): a process
 * with open streams of that organization loads the event itself.
 */
export const EVENTS_CHANNEL = "voltasis_events";

/** The payload of a NOTIFY on EVENTS_CHANNEL, and back. */
export const eventNotice = {
  format: (orgId: string, eventId: string) => `${orgId} ${eventId}`,
  parse(payload: string): { orgId: string; eventId: string } | null {
    const [orgId, eventId, ...rest] = payload.split(" ");
    return orgId && eventId && rest.length === 0 ? { orgId, eventId } : null;
  },
};

/** Changes to these are also written to the audit log (GET /v1/logs): who changed access. */
const AUDITED_RESOURCES = new Set([
  "api_key",
  "webhook",
  "member",
  "invitation",
  "settings",
  "organization",
  "sandbox",
  "oauth_app",
  "oauth_grant",
]);

/** The body every subscriber receives for an event, exactly as SPEC §7 shows it. */
export function webhookPayload(id: string, name: string, at: Date, orgId: string, data: unknown): string {
  return JSON.stringify({ id, event: name, timestamp: rfc3339(at), organization_id: orgId, data });
}

/**
 * Writes a domain event. Pass the transaction that makes the change: the event, one queued
 * delivery per subscribed webhook and the audit entry then commit or roll back with it (the
 * outbox), so none is lost or invented.
 */
export async function recordEvent(
  trx: Kysely<Database>,
  ctx: OrgContext,
  event: DomainEvent,
): Promise<string> {
  const id = newId("event");
  const at = new Date();
  const json = JSON.stringify(event.data);
  await trx
    .insertInto("events")
    .values({
      id,
      organization_id: ctx.orgId,
      name: event.name,
      resource_type: event.resourceType,
      resource_id: event.resourceId,
      actor_id: event.actorId,
      // As text, cast by PostgreSQL: postgres.js would JSON.stringify a string bound to a jsonb
      // parameter once more and store a JSON string instead of the object.
      data: sql<string>`${json}::text::jsonb`,
      created_at: at,
    })
    .execute();
  if (AUDITED_RESOURCES.has(event.resourceType)) {
    await trx
      .insertInto("logs")
      .values({
        id: newId("logEntry"),
        organization_id: ctx.orgId,
        kind: "audit",
        created_at: at,
        user_id: event.actorId,
        api_key_id: ctx.via?.apiKeyId ?? null,
        request_id: ctx.via?.requestId ?? null,
        action: event.name,
        resource_type: event.resourceType,
        resource_id: event.resourceId,
        event_id: id,
      })
      .execute();
  }
  await queueDeliveries(trx, ctx, { id, name: event.name, at, data: event.data });
  // Sent when (and only if) the change commits, in commit order.
  await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${eventNotice.format(ctx.orgId, id)})`.execute(trx);
  return id;
}

/**
 * Records `<resource>.<action>` about a resource as the API shows it, done by `actor`, and
 * returns the resource. The resource type is the name's first part, as SPEC §7 names events.
 */
export async function recordChange<T extends { id: string }>(
  trx: Kysely<Database>,
  ctx: OrgContext,
  actor: { user: { id: string } },
  name: string,
  resource: T,
): Promise<T> {
  await recordEvent(trx, ctx, {
    name,
    resourceType: name.slice(0, name.lastIndexOf(".")),
    resourceId: resource.id,
    actorId: actor.user.id,
    data: resource,
  });
  return resource;
}

/** Queues one delivery of the event to each enabled webhook subscribed to it (names or `resource.*`). */
async function queueDeliveries(
  trx: Kysely<Database>,
  ctx: OrgContext,
  event: { id: string; name: string; at: Date; data: unknown },
) {
  const wildcard = `${event.name.split(".")[0]}.*`;
  const webhooks = await trx
    .selectFrom("webhooks")
    .select("id")
    .where("organization_id", "=", ctx.orgId)
    .where("enabled", "=", true)
    .where(sql<boolean>`events && ARRAY[${event.name}, ${wildcard}, '*']::text[]`)
    .execute();
  if (webhooks.length === 0) return;
  const payload = webhookPayload(event.id, event.name, event.at, ctx.orgId, event.data);
  await trx
    .insertInto("webhook_deliveries")
    .values(
      webhooks.map((webhook) => ({
        id: newId("delivery"),
        organization_id: ctx.orgId,
        webhook_id: webhook.id,
        event_id: event.id,
        event_name: event.name,
        payload,
        next_attempt_at: event.at,
        created_at: event.at,
      })),
    )
    .execute();
  await sql`SELECT pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(trx);
}
