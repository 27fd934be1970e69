import { type Kysely, type RawBuilder, sql } from "kysely";
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
 * Delivery ids made ahead for one event, so that the event and its deliveries take one statement.
 * An organization with more subscribed webhooks than this gets the rest in a second statement.
 */
const DELIVERY_IDS_AHEAD = 4;

/** One event as the WITH parts of a statement, and what that statement selects for it. */
export interface EventWrite {
  id: string;
  /** Data-modifying WITH parts: they run to completion whether or not the final SELECT reads them. */
  parts: RawBuilder<unknown>[];
  /** Sends the event's notice when (and only if) the change commits, in commit order. */
  notice: RawBuilder<unknown>;
  /** Whether a delivery was queued (the workers are then told, once per statement). */
  queued: RawBuilder<boolean>;
  /** How many webhooks are subscribed to it at the time of the statement. */
  subscribed: RawBuilder<number>;
}

/**
 * The SQL that writes one event: the event, the audit entry when its resource is audited, and one
 * delivery per subscribed webhook numbered 1 to deliveryIds.length. `tag` keeps the WITH names
 * of several events in one statement apart. `strict` makes a webhook beyond the ids fail the
 * statement (a delivery id that is null) rather than leave it to a second statement: a caller
 * that cannot send one falls back to a path that can, and no delivery is dropped.
 */
export function eventWrite(
  ctx: OrgContext,
  event: DomainEvent,
  deliveryIds: string[],
  options: { tag?: string; at?: Date; strict?: boolean } = {},
): EventWrite {
  const id = newId("event");
  const at = options.at ?? new Date();
  const name = (part: string) => sql.raw(`${part}${options.tag ?? ""}`);
  const payload = webhookPayload(id, event.name, at, ctx.orgId, event.data);
  const parts = [
    sql`${name("recorded")} AS (
      INSERT INTO events (id, organization_id, name, resource_type, resource_id, actor_id, data, created_at)
      -- As text, cast by PostgreSQL: postgres.js would JSON.stringify a string bound to a jsonb
      -- parameter once more and store a JSON string instead of the object.
      VALUES (${id}, ${ctx.orgId}, ${event.name}, ${event.resourceType}, ${event.resourceId},
              ${event.actorId}, ${JSON.stringify(event.data)}::text::jsonb, ${at}))`,
    sql`${name("subscribed")} AS (${subscribedWebhooks(ctx, event.name)})`,
    sql`${name("queued")} AS (
      ${queueDeliveries(ctx, { id, name: event.name, payload, at }, name("subscribed"), deliveryIds, !options.strict)}
      RETURNING 1)`,
  ];
  if (AUDITED_RESOURCES.has(event.resourceType)) {
    parts.push(sql`${name("audited")} AS (
      INSERT INTO logs (id, organization_id, kind, created_at, user_id, api_key_id, request_id,
                        action, resource_type, resource_id, event_id)
      VALUES (${newId("logEntry")}, ${ctx.orgId}, 'audit', ${at}, ${event.actorId},
              ${ctx.via?.apiKeyId ?? null}, ${ctx.via?.requestId ?? null}, ${event.name},
              ${event.resourceType}, ${event.resourceId}, ${id}))`);
  }
  return {
    id,
    parts,
    notice: sql`pg_notify(${EVENTS_CHANNEL}, ${eventNotice.format(ctx.orgId, id)})`,
    queued: sql<boolean>`EXISTS (SELECT 1 FROM ${name("queued")})`,
    subscribed: sql<number>`(SELECT count(*)::int FROM ${name("subscribed")})`,
  };
}

/** Tells the delivery workers, when one of `events` queued a delivery. */
export const deliveriesNotice = (events: EventWrite[]) =>
  sql`CASE WHEN ${sql.join(
    events.map((e) => e.queued),
    sql` OR `,
  )} THEN pg_notify(${DELIVERIES_CHANNEL}, '') END`;

/**
 * One delivery to each webhook numbered 1 to ids.length in `webhooks` (webhook_id, n); with
 * `onlyNumbered` off, one numbered past the ids gets a null id, which fails the statement.
 */
function queueDeliveries(
  ctx: OrgContext,
  event: { id: string; name: string; payload: string; at: Date },
  webhooks: RawBuilder<unknown>,
  ids: string[],
  onlyNumbered: boolean,
) {
  return sql`
    INSERT INTO webhook_deliveries
      (id, organization_id, webhook_id, event_id, event_name, payload, next_attempt_at, created_at)
    SELECT (${ids}::text[])[n], ${ctx.orgId}, webhook_id, ${event.id}, ${event.name}, ${event.payload},
           ${event.at}, ${event.at}
    FROM ${webhooks}${onlyNumbered ? sql` WHERE n <= ${ids.length}` : sql``}`;
}

/**
 * Writes a domain event. Pass the transaction that makes the change: the event, one queued
 * delivery per subscribed webhook and the audit entry then commit or roll back with it (the
 * outbox), so none is lost or invented.
 *
 * One statement does all of it (event, audit entry, the deliveries of up to DELIVERY_IDS_AHEAD
 * webhooks, both NOTIFYs): a write's round trips to PostgreSQL are most of what it costs (issue 15).
 */
export async function recordEvent(
  trx: Kysely<Database>,
  ctx: OrgContext,
  event: DomainEvent,
): Promise<string> {
  const at = new Date();
  const ids = Array.from({ length: DELIVERY_IDS_AHEAD }, () => newId("delivery"));
  const write = eventWrite(ctx, event, ids, { at });
  const { id } = write;
  const { rows } = await sql<{ webhooks: number }>`
    WITH ${sql.join(write.parts)}
    SELECT ${write.notice}, ${deliveriesNotice([write])}, ${write.subscribed} AS webhooks`.execute(trx);
  const webhooks = rows[0]?.webhooks ?? 0;
  if (webhooks > DELIVERY_IDS_AHEAD) {
    // Those not queued above: a webhook deleted in between must not shift one past the first part.
    const rest = Array.from({ length: webhooks - DELIVERY_IDS_AHEAD }, () => newId("delivery"));
    const payload = webhookPayload(id, event.name, at, ctx.orgId, event.data);
    await sql`
      WITH subscribed AS (${subscribedWebhooks(ctx, event.name)}), missing AS (
        SELECT webhook_id, row_number() OVER (ORDER BY webhook_id) AS n FROM subscribed s
        WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d
          WHERE d.organization_id = ${ctx.orgId} AND d.webhook_id = s.webhook_id
            AND d.created_at = ${at} AND d.event_id = ${id})
      )
      ${queueDeliveries(ctx, { id, name: event.name, payload, at }, sql`missing`, rest, true)}`.execute(trx);
  }
  return id;
}

/**
 * How many enabled webhooks the organization has, as an expression: at least as many as any
 * event's subscribers, for a caller that reads it with other things before making delivery ids.
 */
export function enabledWebhookCount(ctx: OrgContext): RawBuilder<number> {
  return sql<number>`(SELECT count(*)::int FROM webhooks w WHERE w.organization_id = ${ctx.orgId} AND w.enabled)`;
}

/**
 * The enabled webhooks of the organization subscribed to `name` (by name, `resource.*` or `*`),
 * numbered in id order so that two statements of one event split them the same way.
 */
function subscribedWebhooks(ctx: OrgContext, name: string) {
  const wildcard = `${name.split(".")[0]}.*`;
  return sql`
    SELECT id AS webhook_id, row_number() OVER (ORDER BY id) AS n FROM webhooks
    WHERE organization_id = ${ctx.orgId} AND enabled
      AND events && ARRAY[${name}, ${wildcard}, '*']::text[]`;
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
