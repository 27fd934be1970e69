import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { deliverySeqScans } from "../../../test/helpers/webhook-rows.js";
import { systemClock } from "../../platform/background/clock.js";
import { createQueueStore } from "./queue-store.js";
import type { SendResult, WebhookSender } from "./sender.js";
import { createDeliveryWorker, PER_WEBHOOK } from "./worker.js";

// How the worker shares its sending slots among endpoints, on backlogs queued straight into the
// table. The app runs no workers: the tests drive one themselves, with a sender that answers
// only when told to, so that "in flight" is a state the test holds rather than a race.
let t: TestApp;
let owner: Account;
const { create } = ownerApi(
  () => t,
  () => owner,
);

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true", VOLTASIS_WORKERS: "off" });
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());
// Claims span every endpoint: each test starts from an empty queue.
beforeEach(async () => {
  await t.db.deleteFrom("webhooks").execute();
});

async function endpoint(name: string): Promise<{ id: string; url: string }> {
  const url = `http://127.0.0.1:9/${name}`;
  // An event nothing here records: the queue holds only what the test puts there.
  const hook = await create("/v1/webhooks", { url, events: ["time_entry.deleted"] });
  return { id: hook.id, url };
}

/** `count` deliveries for the webhook, due about `agoMs` ago (a microsecond apart, numbered in `payload` in due order). */
async function queue(webhookId: string, count: number, agoMs: number) {
  await sql`
    INSERT INTO webhook_deliveries
      (id, organization_id, webhook_id, event_id, event_name, payload, next_attempt_at, created_at)
    SELECT 'dlv_' || ${webhookId} || '_' || g, ${owner.orgId}, ${webhookId}, 'evt_' || g, 'tag.created',
           g::text, now() - ${agoMs} * interval '1 millisecond' + g * interval '1 microsecond', now()
    FROM generate_series(1, ${count}) AS g`.execute(t.db);
}

const claim = (limits: { total: number; perWebhook: number; shares?: Map<string, number> }) =>
  createQueueStore(t.db).claim(new Date(), 30_000, limits);

describe("a claim", () => {
  it("reads the queue through its indexes only, however many rows are queued", async () => {
    const busy = await endpoint("busy");
    await queue(busy.id, 5_000, 60_000);
    await sql`ANALYZE webhook_deliveries`.execute(t.db);

    // In one transaction, so that everything runs on the connection whose scans are counted.
    const seqScans = await t.db.transaction().execute(async (trx) => {
      const claimed = await createQueueStore(trx).claim(new Date(), 30_000, { total: 200, perWebhook: 24 });
      expect(claimed).toHaveLength(24);
      return deliverySeqScans(trx);
    });
    expect(seqScans).toBe(0);
  });

  it("finds another endpoint's rows behind a big backlog of one whose share is used up", async () => {
    const busy = await endpoint("busy");
    const other = await endpoint("other");
    await queue(busy.id, 5_000, 60_000);
    await queue(other.id, 2, 1_000);

    const claimed = await claim({ total: 100, perWebhook: 10, shares: new Map([[busy.id, 0]]) });
    expect(claimed.map((d) => [d.webhook_id, d.payload])).toEqual([
      [other.id, "1"],
      [other.id, "2"],
    ]);
  });

  it("takes each endpoint's oldest rows up to its share, then the oldest of those up to the total", async () => {
    const a = await endpoint("a");
    const b = await endpoint("b");
    const c = await endpoint("c");
    await queue(a.id, 50, 60_000);
    await queue(b.id, 50, 30_000);
    await queue(c.id, 50, 1_000);

    const claimed = await claim({ total: 12, perWebhook: 5, shares: new Map([[b.id, 3]]) });
    const taken = (id: string) => claimed.filter((d) => d.webhook_id === id).map((d) => d.payload);
    expect(taken(a.id).sort()).toEqual(["1", "2", "3", "4", "5"]);
    expect(taken(b.id).sort()).toEqual(["1", "2", "3"]);
    // c's rows are the newest: it gets what the total leaves.
    expect(taken(c.id).sort()).toEqual(["1", "2", "3", "4"]);
    // Claimed rows are leased: the next claim takes the rows after them.
    const next = await claim({ total: 100, perWebhook: 1 });
    expect(next.map((d) => [d.webhook_id, d.payload]).sort()).toEqual(
      [
        [a.id, "6"],
        [b.id, "4"],
        [c.id, "5"],
      ].sort(),
    );
  });
});

/** A sender whose requests stay in flight until the test answers them. */
function heldSender() {
  const held: Array<{ url: string; answer: () => void }> = [];
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const sent: string[] = [];
  const sender: WebhookSender = {
    send({ url, body }) {
      sent.push(`${url} ${body}`);
      const n = (inFlight.get(url) ?? 0) + 1;
      inFlight.set(url, n);
      most.set(url, Math.max(most.get(url) ?? 0, n));
      return new Promise<SendResult>((resolve) => {
        held.push({
          url,
          answer: () => {
            inFlight.set(url, (inFlight.get(url) ?? 1) - 1);
            resolve({ ok: true, statusCode: 204, durationMs: 1, error: null, responseExcerpt: "" });
          },
        });
      });
    },
    close: async () => {},
  };
  /** Answers the oldest `count` requests held for `url` (all of them when count is omitted). */
  const answer = (url: string, count = Number.POSITIVE_INFINITY) => {
    for (let i = 0; i < held.length && count > 0; ) {
      const request = held[i] as (typeof held)[number];
      if (request.url !== url) {
        i++;
        continue;
      }
      held.splice(i, 1);
      request.answer();
      count--;
    }
  };
  return { sender, answer, held, most, sent };
}

describe("the delivery worker", () => {
  it("tops an endpoint up to its share as its sends end, and never sends it more", async () => {
    const hook = await endpoint("backlog");
    const total = PER_WEBHOOK * 4;
    await queue(hook.id, total, 60_000);
    const { sender, answer, most, sent } = heldSender();
    let wakes = 0;
    const worker = createDeliveryWorker({ db: t.db, clock: systemClock, sender, onSlotFreed: () => wakes++ });

    expect(await worker.runOnce()).toBe(PER_WEBHOOK);
    // Its share is in flight: nothing more for it, however long its backlog, and no reason to
    // claim again before its sends end.
    expect(worker.claimAgainAtOnce()).toBe(false);
    expect(await worker.runOnce()).toBe(0);
    answer(hook.url, PER_WEBHOOK / 2 - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await worker.runOnce()).toBe(0);
    expect(wakes).toBe(0);
    // Half done: the worker asks to be run again, and the claim fills the freed half.
    answer(hook.url, 1);
    await vi.waitFor(() => expect(wakes).toBe(1));
    expect(await worker.runOnce()).toBe(PER_WEBHOOK / 2);

    // Half ends again, and the other half while the claim topping it up runs: no send will end at
    // half the share any more to ask for the next claim, so the worker asks for it at once.
    answer(hook.url, PER_WEBHOOK / 2);
    await vi.waitFor(() => expect(wakes).toBe(2));
    const claiming = worker.runOnce();
    answer(hook.url, PER_WEBHOOK / 2);
    expect(await claiming).toBe(PER_WEBHOOK / 2);
    expect(worker.claimAgainAtOnce()).toBe(true);

    while (sent.length < total) {
      answer(hook.url);
      await vi.waitFor(async () => expect(await worker.runOnce()).toBeGreaterThan(0));
    }
    answer(hook.url);
    await worker.stop();
    expect(most.get(hook.url)).toBe(PER_WEBHOOK);
    expect(new Set(sent).size).toBe(total);
    const rows = await t.db.selectFrom("webhook_deliveries").select(["status", "attempts"]).execute();
    expect(rows.every((row) => row.status === "succeeded" && row.attempts === 1)).toBe(true);
  });

  it("while an endpoint hangs with its share and a backlog, sends another endpoint's rows at once", async () => {
    const stuck = await endpoint("stuck");
    const fine = await endpoint("fine");
    await queue(stuck.id, 2_000, 60_000);
    const { sender, answer, sent } = heldSender();
    const worker = createDeliveryWorker({ db: t.db, clock: systemClock, sender });

    expect(await worker.runOnce()).toBe(PER_WEBHOOK);
    await queue(fine.id, 3, 1_000);
    expect(await worker.runOnce()).toBe(3);
    expect(sent.filter((s) => s.startsWith(fine.url))).toHaveLength(3);
    expect(sent.filter((s) => s.startsWith(stuck.url))).toHaveLength(PER_WEBHOOK);

    answer(fine.url);
    answer(stuck.url);
    await worker.stop();
  });
});
