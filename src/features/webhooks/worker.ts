import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Clock } from "../../platform/background/clock.js";
import type { Db } from "../../platform/db/connection.js";
import { DELIVERIES_CHANNEL, recordEvent } from "../../platform/events.js";
import type { FeatureDeps } from "../../platform/feature.js";
import { systemOrgContext } from "../../platform/tenancy.js";
import { toWebhook } from "./format.js";
import { type ClaimedDelivery, createQueueStore, type DeliveryOutcome } from "./queue-store.js";
import { DISABLE_AFTER_FAILING_MS, retryDelayMs } from "./retry-schedule.js";
import { createWebhookSender, type SendResult, type WebhookSender } from "./sender.js";
import { signatureHeaders } from "./signature.js";
import { createWebhookStore } from "./store.js";

export const DELIVERY_TASK = "webhook-deliveries";
/** SPEC §7: an endpoint has 10 s to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
// A claim outlives the slowest send (10 s) with room to record it; a dead worker's rows are
// taken over once it runs out.
const LEASE_MS = 30_000;
const BATCH_SIZE = 100;
const CONCURRENCY = 50;

/** Runs `fn` over `items` with at most `limit` at a time, results in the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * One round: claim due deliveries (one short statement), send them concurrently, then record
 * every attempt and new state in one transaction. Nothing about a webhook is cached between
 * rounds: the claim reads its URL, secrets and enabled flag afresh.
 */
export function createDeliveryWorker(deps: {
  db: Db;
  clock: Clock;
  sender: WebhookSender;
  log?: FastifyBaseLogger;
}) {
  const { db, clock, sender } = deps;
  let closing = false;
  let round: Promise<number> | null = null;

  async function send(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const base = {
      deliveryId: delivery.id,
      organizationId: delivery.organization_id,
      webhookId: delivery.webhook_id,
      attempt: delivery.attempts,
    };
    if (!delivery.enabled) {
      // Disabled after this was queued: given up, like the rest of its queue when it was disabled.
      const at = clock.now();
      return { ...base, status: "failed", nextAttemptAt: null, completedAt: at, error: "webhook disabled" };
    }
    const attemptedAt = clock.now();
    const secrets = [delivery.secret];
    if (
      delivery.previous_secret &&
      (delivery.previous_secret_expires_at?.getTime() ?? 0) > attemptedAt.getTime()
    ) {
      secrets.push(delivery.previous_secret);
    }
    const headers = signatureHeaders({
      secrets,
      // The event's id: the same webhook-id on every attempt and redelivery, for receivers' dedupe.
      messageId: delivery.event_id,
      // Wall time, not the scheduling clock: receivers compare it with their own to refuse replays.
      timestamp: new Date(),
      body: delivery.payload,
    });
    let result: SendResult;
    try {
      result = await sender.send({ url: delivery.url, body: delivery.payload, headers });
    } catch (error) {
      result = { ok: false, statusCode: null, durationMs: 0, error: String(error), responseExcerpt: null };
    }
    const error = result.ok ? null : (result.error ?? `HTTP ${result.statusCode}`);
    const sent = { ...result, error, attemptedAt };
    if (result.ok) {
      return {
        ...base,
        sent,
        status: "succeeded",
        nextAttemptAt: null,
        completedAt: clock.now(),
        error: null,
      };
    }
    const delay = retryDelayMs(delivery.attempts);
    const now = clock.now();
    return delay === null
      ? { ...base, sent, status: "failed", nextAttemptAt: null, completedAt: now, error }
      : {
          ...base,
          sent,
          status: "pending",
          nextAttemptAt: new Date(now.getTime() + delay),
          completedAt: null,
          error,
        };
  }

  /** Failing state per webhook, and SPEC §7's disabling after 3 days of failures, told by an event. */
  async function recordOutcomes(outcomes: DeliveryOutcome[]) {
    const now = clock.now();
    const byWebhook = new Map<string, boolean>();
    for (const o of outcomes) {
      if (!o.sent) continue;
      // Any success in the batch means the endpoint works.
      byWebhook.set(o.webhookId, (byWebhook.get(o.webhookId) ?? false) || o.sent.ok);
    }
    const results = [...byWebhook]
      .map(([webhookId, succeeded]) => ({ webhookId, succeeded }))
      .sort((a, b) => a.webhookId.localeCompare(b.webhookId));
    await db.transaction().execute(async (trx) => {
      const queue = createQueueStore(trx);
      // Webhook rows before delivery rows, the order in which PATCH and DELETE lock them too, so
      // that a user disabling or deleting a webhook mid-round cannot deadlock with the worker.
      await queue.updateFailingState(results, now);
      const failing = results.filter((r) => !r.succeeded).map((r) => r.webhookId);
      const disabled = await queue.disableFailing(
        failing,
        new Date(now.getTime() - DISABLE_AFTER_FAILING_MS),
      );
      await queue.record(outcomes);
      for (const webhook of disabled) {
        const ctx = systemOrgContext(webhook.organization_id);
        await createWebhookStore(trx).failPending(
          ctx,
          webhook.id,
          now,
          "webhook disabled after 3 days of failures",
        );
        await recordEvent(trx, ctx, {
          name: "webhook.disabled",
          resourceType: "webhook",
          resourceId: webhook.id,
          actorId: null,
          data: toWebhook(webhook),
        });
      }
      if (disabled.length > 0) {
        deps.log?.warn({ webhooks: disabled.map((w) => w.id) }, "webhooks disabled after 3 days of failures");
      }
    });
  }

  async function runRound(): Promise<number> {
    const claimed = await createQueueStore(db).claim(clock.now(), LEASE_MS, BATCH_SIZE);
    if (claimed.length === 0) return 0;
    const outcomes = await mapBounded(claimed, CONCURRENCY, send);
    await recordOutcomes(outcomes);
    return claimed.length;
  }

  return {
    runOnce(): Promise<number> {
      if (closing) return Promise.resolve(0);
      round = runRound();
      return round;
    },

    /** Lets the round in progress finish and record; no new round starts. */
    async stop() {
      closing = true;
      await round?.catch(() => 0);
    },
  };
}

/** Registers the delivery loop with the app's background runner; it stops before the sender closes. */
export function registerDeliveryWorker(fastify: FastifyInstance, deps: FeatureDeps) {
  const sender = createWebhookSender({
    allowPrivate: deps.config.webhooksAllowPrivate,
    timeoutMs: DELIVERY_TIMEOUT_MS,
  });
  const worker = createDeliveryWorker({ db: deps.db, clock: deps.clock, sender, log: fastify.log });
  deps.background.register({
    name: DELIVERY_TASK,
    channel: DELIVERIES_CHANNEL,
    idleMs: 1_000,
    runOnce: worker.runOnce,
  });
  fastify.addHook("onClose", async () => {
    await worker.stop();
    await sender.close();
  });
}
