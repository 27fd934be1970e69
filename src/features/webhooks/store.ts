import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { DELIVERIES_CHANNEL } from "../../platform/events.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { DELIVERY_LIST, WEBHOOK_LIST } from "./schemas.js";

const FIELDS = [
  "id",
  "url",
  "description",
  "events",
  "enabled",
  "disabled_reason",
  "secret",
  "previous_secret",
  "previous_secret_expires_at",
  "failing_since",
  "created_at",
  "updated_at",
] as const;
const COLUMNS = FIELDS.map((field) => `w.${field}` as const);

const DELIVERY_FIELDS = [
  "id",
  "webhook_id",
  "event_id",
  "event_name",
  "payload",
  "status",
  "attempts",
  "next_attempt_at",
  "completed_at",
  "created_at",
] as const;
const DELIVERY_COLUMNS = DELIVERY_FIELDS.map((field) => `d.${field}` as const);

export interface WebhookFields {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
  disabled_reason?: string | null;
  failing_since?: Date | null;
  secret?: string;
  previous_secret?: string | null;
  previous_secret_expires_at?: Date | null;
}

export function createWebhookStore(db: Db) {
  const inOrg = (ctx: OrgContext) =>
    db.selectFrom("webhooks as w").select(COLUMNS).where("w.organization_id", "=", ctx.orgId);
  const deliveriesOf = (ctx: OrgContext, webhookId: string) =>
    db
      .selectFrom("webhook_deliveries as d")
      .select(DELIVERY_COLUMNS)
      .where("d.organization_id", "=", ctx.orgId)
      .where("d.webhook_id", "=", webhookId);

  return {
    list(ctx: OrgContext, query: Record<string, unknown>) {
      return runList(db, ctx, WEBHOOK_LIST, inOrg(ctx), query);
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = inOrg(ctx).where("w.id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    insert(
      ctx: OrgContext,
      row: {
        id: string;
        url: string;
        events: string[];
        description: string;
        enabled: boolean;
        secret: string;
        createdBy: string;
      },
    ) {
      const { createdBy, ...fields } = row;
      return db
        .insertInto("webhooks")
        .values({
          ...fields,
          organization_id: ctx.orgId,
          disabled_reason: row.enabled ? null : "manual",
          created_by: createdBy,
        })
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    update(ctx: OrgContext, id: string, fields: WebhookFields) {
      return db
        .updateTable("webhooks")
        .set({ ...fields, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    async remove(ctx: OrgContext, id: string) {
      await db.deleteFrom("webhooks").where("organization_id", "=", ctx.orgId).where("id", "=", id).execute();
    },

    /** Gives up the webhook's queued deliveries: a disabled endpoint is sent nothing. */
    async failPending(ctx: OrgContext, webhookId: string, at: Date, reason: string) {
      await db
        .updateTable("webhook_deliveries")
        .set({
          status: "failed",
          completed_at: at,
          next_attempt_at: null,
          locked_until: null,
          last_error: reason,
        })
        .where("organization_id", "=", ctx.orgId)
        .where("webhook_id", "=", webhookId)
        .where("status", "=", "pending")
        .execute();
    },

    /** Queues one delivery to send now and wakes the workers when the transaction commits. */
    async queueDelivery(
      ctx: OrgContext,
      row: { id: string; webhookId: string; eventId: string; eventName: string; payload: string; at: Date },
    ) {
      const inserted = await db
        .insertInto("webhook_deliveries")
        .values({
          id: row.id,
          organization_id: ctx.orgId,
          webhook_id: row.webhookId,
          event_id: row.eventId,
          event_name: row.eventName,
          payload: row.payload,
          next_attempt_at: row.at,
          created_at: row.at,
        })
        .returning(DELIVERY_FIELDS)
        .executeTakeFirstOrThrow();
      await sql`SELECT pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(db);
      return inserted;
    },

    listDeliveries(ctx: OrgContext, webhookId: string, query: Record<string, unknown>) {
      return runList(db, ctx, DELIVERY_LIST, deliveriesOf(ctx, webhookId), query);
    },

    findDelivery(ctx: OrgContext, webhookId: string, deliveryId: string) {
      return deliveriesOf(ctx, webhookId).where("d.id", "=", deliveryId).executeTakeFirst();
    },

    /** Every attempt of these deliveries, oldest first: one query for a whole page. */
    attemptsOf(ctx: OrgContext, deliveryIds: string[]) {
      if (deliveryIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("webhook_attempts")
        .select([
          "delivery_id",
          "attempt",
          "status_code",
          "duration_ms",
          "error",
          "response_excerpt",
          "attempted_at",
        ])
        .where("organization_id", "=", ctx.orgId)
        .where("delivery_id", "in", deliveryIds)
        .orderBy("delivery_id")
        .orderBy("attempt")
        .execute();
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
export type WebhookRow = NonNullable<Awaited<ReturnType<WebhookStore["find"]>>>;
export type DeliveryRow = NonNullable<Awaited<ReturnType<WebhookStore["findDelivery"]>>>;
export type AttemptRow = Awaited<ReturnType<WebhookStore["attemptsOf"]>>[number];
