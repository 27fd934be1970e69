import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Clock } from "../../platform/background/clock.js";
import type { Db } from "../../platform/db/connection.js";
import { DELIVERIES_CHANNEL, recordEvent } from "../../platform/events.js";
import type { WorkerDeps } from "../../platform/feature.js";
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
/** Sends in flight in this process, at most. */
const MAX_IN_FLIGHT = 400;
/** A claim waits until at least this many slots are free, so that claims stay batches. */
const MIN_CLAIM = 20;
/**
 * At most PER_WEBHOOK sends in flight to one endpoint, so one that hangs until the timeout holds a
 * share of the slots, never the whole process. A claim tops an endpoint up to PER_WEBHOOK once no
 * more than BUSY_WEBHOOK are left in flight: its pipe stays full and claims stay batches.
 * 96 rather than 48: a claim takes several ms of wall time under load, and topping up 24 at a time
 * let the pipe run dry while it ran (a drain spent about 300 instead of 200 us of main thread per
 * delivery, in twice the claims). The sender keeps as many sockets per host, so that no send waits
 * for a socket and each has its whole 10 s.
 */
export const PER_WEBHOOK = 96;
const BUSY_WEBHOOK = PER_WEBHOOK / 2;
/**
 * Outcomes are recorded in batches of this many, or after this long, whichever comes first. A
 * batch is one statement (a transaction when it may disable a webhook), so fewer, bigger batches
 * cost less. The wait delays only what GET .../deliveries shows, not any send: a slot is free
 * once its send ends.
 */
const RECORD_BATCH = 200;
const RECORD_AFTER_MS = 50;

/**
 * Claims due deliveries (one short statement), sends them concurrently, and records attempts and
 * new states in batched transactions. Nothing about a webhook is cached: each claim reads its
 * URL, secrets and enabled flag afresh.
 */
export function createDeliveryWorker(deps: {
  db: Db;
  clock: Clock;
  sender: WebhookSender;
  log?: FastifyBaseLogger;
  /** Told when a send ends while due rows were left behind, so the loop claims again at once. */
  onSlotFreed?: () => void;
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
    const failing = results.filter((r) => !r.succeeded).map((r) => r.webhookId);
    // No webhook can be disabled: the batch is one statement, atomic by itself.
    if (failing.length === 0) return createQueueStore(db).record(outcomes, results, now);
    await db.transaction().execute(async (trx) => {
      const queue = createQueueStore(trx);
      // Webhook rows before delivery rows, the order in which PATCH and DELETE lock them too, so
      // that a user disabling or deleting a webhook mid-round cannot deadlock with the worker.
      // Disabling first finds the same webhooks: a run of failures the batch starts is not 3 days old.
      const disabled = await queue.disableFailing(
        failing,
        new Date(now.getTime() - DISABLE_AFTER_FAILING_MS),
      );
      await queue.record(outcomes, results, now);
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

  // The pipeline: claims fill free sending slots; each finished send frees its slot at once, and
  // outcomes are recorded in batches. No send waits for a slower one, so an endpoint that hangs
  // for 10 s delays nobody else's deliveries.
  let inFlight = 0;
  const inFlightByWebhook = new Map<string, number>();
  let outcomes: DeliveryOutcome[] = [];
  let recordTimer: NodeJS.Timeout | null = null;
  let recording: Promise<void> = Promise.resolve();
  let slotWaiters: Array<() => void> = [];
  /** The last claim left due rows behind (no room, or endpoints at their limit). */
  let claimWasLimited = false;
  /** More may be due for slots free now: the last claim filled the room, or an endpoint's share. */
  let claimAgain = false;
  /** A claim is running: the pipe, even if empty now, is about to be refilled. */
  let claiming = false;

  function nextFreedSlot(): Promise<void> {
    return new Promise((resolve) => slotWaiters.push(resolve));
  }

  function flushOutcomes(): Promise<void> {
    if (recordTimer) clearTimeout(recordTimer);
    recordTimer = null;
    const batch = outcomes;
    outcomes = [];
    if (batch.length === 0) return recording;
    recording = recording
      .then(() => recordOutcomes(batch))
      // The rows stay claimed until their lease runs out, then are sent again: at least once.
      .catch((error) => deps.log?.error({ err: error }, "recording webhook deliveries failed"));
    return recording;
  }

  /** `outcome` is null when sending broke unexpectedly: the row is sent again once its lease runs out. */
  function finished(delivery: ClaimedDelivery, outcome: DeliveryOutcome | null) {
    inFlight--;
    const left = (inFlightByWebhook.get(delivery.webhook_id) ?? 1) - 1;
    if (left === 0) inFlightByWebhook.delete(delivery.webhook_id);
    else inFlightByWebhook.set(delivery.webhook_id, left);
    if (outcome) outcomes.push(outcome);
    // Idle now: record at once. Not while a claim runs: it refills the pipe, and recording every
    // time the pipe ran dry made batches of 25 instead of RECORD_BATCH.
    if (outcomes.length >= RECORD_BATCH || (inFlight === 0 && !claiming)) void flushOutcomes();
    else recordTimer ??= setTimeout(() => void flushOutcomes(), RECORD_AFTER_MS);
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const wake of waiters) wake();
    // Claim again once a batch's worth is free: for the process, or for an endpoint held back.
    if (claimWasLimited && (left === BUSY_WEBHOOK || MAX_IN_FLIGHT - inFlight === MIN_CLAIM)) {
      deps.onSlotFreed?.();
    }
  }

  async function runRound(): Promise<number> {
    while (MAX_IN_FLIGHT - inFlight < MIN_CLAIM) await nextFreedSlot();
    const room = MAX_IN_FLIGHT - inFlight;
    // An endpoint with sends in flight gets what tops it up, or nothing while it has enough.
    const shares = new Map<string, number>();
    for (const [id, n] of inFlightByWebhook) shares.set(id, n > BUSY_WEBHOOK ? 0 : PER_WEBHOOK - n);
    claiming = true;
    let claimed: ClaimedDelivery[];
    try {
      claimed = await createQueueStore(db).claim(clock.now(), LEASE_MS, {
        total: room,
        perWebhook: PER_WEBHOOK,
        shares,
      });
    } finally {
      claiming = false;
    }
    // The pipe ran dry during a claim that found nothing: what it sent is recorded now.
    if (claimed.length === 0 && inFlight === 0) void flushOutcomes();
    const taken = new Map<string, number>();
    for (const delivery of claimed) {
      inFlight++;
      inFlightByWebhook.set(delivery.webhook_id, (inFlightByWebhook.get(delivery.webhook_id) ?? 0) + 1);
      taken.set(delivery.webhook_id, (taken.get(delivery.webhook_id) ?? 0) + 1);
      void send(delivery).then(
        (outcome) => finished(delivery, outcome),
        (error) => {
          deps.log?.error({ err: error, delivery: delivery.id }, "sending a webhook delivery failed");
          finished(delivery, null);
        },
      );
    }
    // An endpoint that got its whole share may have more due: a send ending at BUSY_WEBHOOK says
    // when to claim again (onSlotFreed), or, if that many ended while the claim ran, no send will
    // any more: claim again now.
    const filled = [...taken].filter(([id, n]) => n === (shares.get(id) ?? PER_WEBHOOK)).map(([id]) => id);
    const heldBack = [...shares.values()].some((share) => share === 0);
    claimWasLimited = heldBack || filled.length > 0 || claimed.length === room;
    claimAgain =
      claimed.length === room || filled.some((id) => (inFlightByWebhook.get(id) ?? 0) <= BUSY_WEBHOOK);
    return claimed.length;
  }

  return {
    /** Claims what is due into free slots and starts sending it; returns how many it claimed. */
    runOnce(): Promise<number> {
      if (closing) return Promise.resolve(0);
      round = runRound();
      return round;
    },

    /**
     * Whether to claim again at once. Unless the room ran out, the last claim gave every endpoint
     * its share of what was due: claiming again finds nothing until an endpoint's sends end
     * (onSlotFreed says when) or new rows are queued (their NOTIFY says so). Claiming again at
     * once anyway made every second claim of a drain an empty one.
     */
    claimAgainAtOnce: () => claimAgain,

    /** Lets every send in flight finish and be recorded; no new claim starts. */
    async stop() {
      closing = true;
      await round?.catch(() => 0);
      while (inFlight > 0) await nextFreedSlot();
      await flushOutcomes();
    },
  };
}

/** Registers the delivery loop with the app's background runner; it stops before the sender closes. */
export function registerDeliveryWorker(fastify: FastifyInstance, deps: WorkerDeps) {
  const sender = createWebhookSender({
    allowPrivate: deps.config.webhooksAllowPrivate,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    socketsPerHost: PER_WEBHOOK,
  });
  const worker = createDeliveryWorker({
    db: deps.db,
    clock: deps.clock,
    sender,
    log: fastify.log,
    onSlotFreed: () => deps.background.wake(DELIVERY_TASK),
  });
  deps.background.register({
    name: DELIVERY_TASK,
    channel: DELIVERIES_CHANNEL,
    idleMs: 1_000,
    // The runner claims again at once after a round that handled something, and otherwise waits
    // to be woken: it is told 0 when claiming again now would find nothing.
    runOnce: async () => {
      const claimed = await worker.runOnce();
      return worker.claimAgainAtOnce() ? claimed : 0;
    },
  });
  fastify.addHook("onClose", async () => {
    await worker.stop();
    await sender.close();
  });
}
