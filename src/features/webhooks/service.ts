import type { Principal } from "../../platform/auth/authenticator.js";
import type { Clock } from "../../platform/background/clock.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";
import { recordChange, webhookPayload } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { checkWebhookUrl, type Resolver } from "./address-policy.js";
import { isSubscribable, TEST_EVENT } from "./event-catalogue.js";
import { toDelivery, toWebhook } from "./format.js";
import type {
  CreateWebhookBody,
  Delivery,
  UpdateWebhookBody,
  Webhook,
  WebhookWithSecret,
} from "./schemas.js";
import { newWebhookSecret } from "./signature.js";
import { createWebhookStore, type DeliveryRow, type WebhookFields, type WebhookStore } from "./store.js";

/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

function checkEvents(events: string[]) {
  const unknown = events.filter((entry) => !isSubscribable(entry));
  if (unknown.length > 0) {
    throw new ValidationError("events", `Unknown events: ${unknown.join(", ")}`, "unknown_event", {
      unknown,
    });
  }
}

function webhookDisabled() {
  return new ConflictError("This webhook is disabled: enable it first", "webhook_disabled");
}

export function createWebhookService(
  deps: { db: Db; config: Config; clock: Clock },
  /** Tests resolve host names to addresses of their choosing; production uses the system resolver. */
  options: { resolve?: Resolver } = {},
) {
  const { db, config, clock } = deps;

  async function checkUrl(url: string) {
    const result = await checkWebhookUrl(url, {
      allowPrivate: config.webhooksAllowPrivate,
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
    if (!result.ok) throw new ValidationError("url", result.message, result.reason);
  }

  async function findOrFail(conn: Db, store: WebhookStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row =
      (await store.find(ctx, id, { forUpdate })) ??
      (await notFoundOrForeign(conn, ctx, "webhooks", "id", id, "webhook"));
    // Locked for a write: the request's If-Match is answered against what GET shows (SPEC §8).
    if (forUpdate) checkPrecondition(ctx, toWebhook(row));
    return row;
  }

  /**
   * Reads in one snapshot: a delivery and its attempts are recorded together by the worker, and
   * read separately they could show a new attempt beside the delivery's previous schedule.
   */
  function snapshot<T>(read: (trx: Db) => Promise<T>): Promise<T> {
    return db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(read);
  }

  async function withAttempts(conn: Db, ctx: OrgContext, rows: DeliveryRow[]): Promise<Delivery[]> {
    const attempts = await createWebhookStore(conn).attemptsOf(
      ctx,
      rows.map((row) => row.id),
    );
    return rows.map((row) =>
      toDelivery(
        row,
        attempts.filter((attempt) => attempt.delivery_id === row.id),
      ),
    );
  }

  /** Queues a delivery of `payload` to the webhook, to be sent at once. */
  async function queue(
    ctx: OrgContext,
    webhookId: string,
    event: { id: string; name: string; payload: string },
  ) {
    const row = await createWebhookStore(db).queueDelivery(ctx, {
      id: newId("delivery"),
      webhookId,
      eventId: event.id,
      eventName: event.name,
      payload: event.payload,
      at: clock.now(),
    });
    return toDelivery(row, []);
  }

  return {
    async create(ctx: OrgContext, principal: Principal, body: CreateWebhookBody): Promise<WebhookWithSecret> {
      checkEvents(body.events);
      await checkUrl(body.url);
      const secret = newWebhookSecret();
      const webhook = await db.transaction().execute(async (trx) => {
        const row = await createWebhookStore(trx).insert(ctx, {
          id: newId("webhook"),
          url: body.url,
          events: body.events,
          description: body.description ?? "",
          enabled: body.enabled ?? true,
          secret,
          createdBy: principal.user.id,
        });
        return recordChange(trx, ctx, principal, "webhook.created", toWebhook(row));
      });
      return { ...webhook, secret };
    },

    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createWebhookStore(db).list(ctx, query);
      return { items: rows.map(toWebhook), pagination };
    },

    async get(ctx: OrgContext, id: string): Promise<Webhook> {
      return toWebhook(await findOrFail(db, createWebhookStore(db), ctx, id));
    },

    /**
     * Turning a webhook off gives up its queued deliveries (they can be redelivered by hand);
     * turning it on starts afresh, with no failing state.
     */
    async update(
      ctx: OrgContext,
      principal: Principal,
      id: string,
      body: UpdateWebhookBody,
    ): Promise<Webhook> {
      if (body.events) checkEvents(body.events);
      if (body.url !== undefined) await checkUrl(body.url);
      return db.transaction().execute(async (trx) => {
        const store = createWebhookStore(trx);
        const current = await findOrFail(trx, store, ctx, id, true);
        const fields: WebhookFields = { ...body };
        if (body.enabled === true) Object.assign(fields, { disabled_reason: null, failing_since: null });
        if (body.enabled === false && current.enabled) {
          fields.disabled_reason = "manual";
          await store.failPending(ctx, id, clock.now(), "webhook disabled");
        }
        const row = await store.update(ctx, id, fields);
        return recordChange(trx, ctx, principal, "webhook.updated", toWebhook(row));
      });
    },

    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const store = createWebhookStore(trx);
        const row = await findOrFail(trx, store, ctx, id, true);
        await store.remove(ctx, id);
        await recordChange(trx, ctx, principal, "webhook.deleted", toWebhook(row));
      });
    },

    /** A new secret; the current one keeps signing beside it for 24 h (SPEC §7). */
    async rotateSecret(ctx: OrgContext, principal: Principal, id: string): Promise<WebhookWithSecret> {
      const secret = newWebhookSecret();
      const webhook = await db.transaction().execute(async (trx) => {
        const store = createWebhookStore(trx);
        const current = await findOrFail(trx, store, ctx, id, true);
        const row = await store.update(ctx, id, {
          secret,
          previous_secret: current.secret,
          previous_secret_expires_at: new Date(clock.now().getTime() + SECRET_OVERLAP_MS),
        });
        return recordChange(trx, ctx, principal, "webhook.secret_rotated", toWebhook(row));
      });
      return { ...webhook, secret };
    },

    /** A `webhook.test` ping to this endpoint only: no domain event, but an `evt_` id for webhook-id. */
    async sendTest(ctx: OrgContext, id: string): Promise<Delivery> {
      const webhook = await findOrFail(db, createWebhookStore(db), ctx, id);
      if (!webhook.enabled) throw webhookDisabled();
      const eventId = newId("event");
      const data = { webhook_id: webhook.id, message: "A test delivery from Voltasis" };
      const payload = webhookPayload(eventId, TEST_EVENT, clock.now(), ctx.orgId, data);
      return queue(ctx, webhook.id, { id: eventId, name: TEST_EVENT, payload });
    },

    async listDeliveries(ctx: OrgContext, webhookId: string, query: Record<string, unknown>) {
      return snapshot(async (trx) => {
        const store = createWebhookStore(trx);
        await findOrFail(trx, store, ctx, webhookId);
        const { rows, pagination } = await store.listDeliveries(ctx, webhookId, query);
        return { items: await withAttempts(trx, ctx, rows), pagination };
      });
    },

    async getDelivery(ctx: OrgContext, webhookId: string, deliveryId: string): Promise<Delivery> {
      return snapshot(async (trx) => {
        const store = createWebhookStore(trx);
        await findOrFail(trx, store, ctx, webhookId);
        const row =
          (await store.findDelivery(ctx, webhookId, deliveryId)) ??
          (await notFoundOrForeign(trx, ctx, "webhook_deliveries", "id", deliveryId, "delivery"));
        const [delivery] = await withAttempts(trx, ctx, [row]);
        return delivery as Delivery;
      });
    },

    /** The same body and `webhook-id` again, as a new delivery sent now. */
    async redeliver(ctx: OrgContext, webhookId: string, deliveryId: string): Promise<Delivery> {
      const store = createWebhookStore(db);
      const webhook = await findOrFail(db, store, ctx, webhookId);
      const original =
        (await store.findDelivery(ctx, webhookId, deliveryId)) ??
        (await notFoundOrForeign(db, ctx, "webhook_deliveries", "id", deliveryId, "delivery"));
      if (!webhook.enabled) throw webhookDisabled();
      return queue(ctx, webhookId, {
        id: original.event_id,
        name: original.event_name,
        payload: original.payload,
      });
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
