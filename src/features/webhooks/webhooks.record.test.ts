import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { deliverySeqScans, insertWebhook } from "../../../test/helpers/webhook-rows.js";
import { createQueueStore, type DeliveryOutcome } from "./queue-store.js";

// Recording a batch of outcomes, one statement, against other transactions holding rows.
let t: TestApp;
let owner: Account;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

/** A delivery claimed for its first attempt, and that attempt's success. */
async function claimedDelivery(webhookId: string): Promise<DeliveryOutcome> {
  const id = `dlv_record_${webhookId}`;
  await sql`
    INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event_name, payload,
      attempts, next_attempt_at, locked_until, created_at)
    VALUES (${id}, ${owner.orgId}, ${webhookId}, 'evt_record', 'tag.created', '{}', 1, now(),
      now() + interval '30 seconds', now())`.execute(t.db);
  const at = new Date();
  return {
    deliveryId: id,
    organizationId: owner.orgId,
    webhookId,
    attempt: 1,
    sent: { ok: true, statusCode: 204, durationMs: 3, error: null, responseExcerpt: "", attemptedAt: at },
    status: "succeeded",
    nextAttemptAt: null,
    completedAt: at,
    error: null,
  };
}

describe("recording a batch", () => {
  it("locks the webhook rows it changes before any delivery row, as PATCH and DELETE do", async () => {
    const webhookId = await insertWebhook(t.db, owner.orgId, ["tag.created"]);
    await sql`UPDATE webhooks SET failing_since = now() - interval '1 hour' WHERE id = ${webhookId}`.execute(
      t.db,
    );
    const outcome = await claimedDelivery(webhookId);

    let recording: Promise<void> | undefined;
    // A user's PATCH holds the webhook row: the batch, ending its run of failures, waits for it.
    await t.db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM webhooks WHERE id = ${webhookId} FOR UPDATE`.execute(trx);
      recording = createQueueStore(t.db).record([outcome], [{ webhookId, succeeded: true }], new Date());
      await vi.waitFor(async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%failing_state%'`.execute(t.db);
        expect(rows[0]?.n).toBe(1);
      });
      // ...holding no delivery row meanwhile, which the PATCH would lock next to fail its queue.
      const free = await sql`
        SELECT id FROM webhook_deliveries WHERE id = ${outcome.deliveryId} FOR UPDATE NOWAIT`.execute(t.db);
      expect(free.rows).toHaveLength(1);
    });
    await recording;

    const delivery = await t.db
      .selectFrom("webhook_deliveries")
      .select(["status", "locked_until"])
      .where("id", "=", outcome.deliveryId)
      .executeTakeFirstOrThrow();
    expect(delivery).toEqual({ status: "succeeded", locked_until: null });
    const webhook = await t.db
      .selectFrom("webhooks")
      .select("failing_since")
      .where("id", "=", webhookId)
      .executeTakeFirstOrThrow();
    expect(webhook.failing_since).toBeNull();
    const attempts = await t.db
      .selectFrom("webhook_attempts")
      .select(["attempt", "status_code"])
      .where("delivery_id", "=", outcome.deliveryId)
      .execute();
    expect(attempts).toEqual([{ attempt: 1, status_code: 204 }]);
  });

  it("finds the batch's rows through the primary key, however many rows are queued", async () => {
    const webhookId = await insertWebhook(t.db, owner.orgId, ["tag.created"]);
    const outcome = await claimedDelivery(webhookId);
    await sql`
      INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event_name, payload,
        next_attempt_at, created_at)
      SELECT 'dlv_queued_' || g, ${owner.orgId}, ${webhookId}, 'evt_' || g, 'tag.created', '{}', now(), now()
      FROM generate_series(1, 5000) AS g`.execute(t.db);
    await sql`ANALYZE webhook_deliveries`.execute(t.db);

    // In one transaction, so that everything runs on the connection whose scans are counted.
    const seqScans = await t.db.transaction().execute(async (trx) => {
      await createQueueStore(trx).record([outcome], [{ webhookId, succeeded: true }], new Date());
      return deliverySeqScans(trx);
    });
    expect(seqScans).toBe(0);
    const delivery = await t.db
      .selectFrom("webhook_deliveries")
      .select("status")
      .where("id", "=", outcome.deliveryId)
      .executeTakeFirstOrThrow();
    expect(delivery.status).toBe("succeeded");
  });
});
