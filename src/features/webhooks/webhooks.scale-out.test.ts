import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.js";

// SPEC §1 scale-out: the queue lives in PostgreSQL and any process may work it. Here the API
// process runs no workers; two other processes on the same database do.
let t: TestApp;
let owner: Account;
let receiver: Receiver;
const { create } = ownerApi(
  () => t,
  () => owner,
);
const CHANGES = 60;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true", VOLTASIS_WORKERS: "off" });
  owner = await registerAccount(t.app);
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

describe("webhook deliveries across processes", () => {
  it("are sent by another process, woken by the commit's NOTIFY, each event once", async () => {
    await create("/v1/webhooks", { url: receiver.url, events: ["tag.created"] });
    // Only the worker processes send; the one that took each request never does.
    await t.anotherProcess({ VOLTASIS_WORKERS: "on" });
    await t.anotherProcess({ VOLTASIS_WORKERS: "on" });
    const tags = [];
    for (let i = 0; i < CHANGES; i++) tags.push(await create("/v1/tags", { name: `across-${i}` }));

    await vi.waitFor(() => expect(receiver.requests).toHaveLength(CHANGES), { timeout: 10_000 });
    const delivered = receiver.requests.map((r) => r.json.data.id);
    expect(new Set(delivered).size).toBe(CHANGES);
    expect([...delivered].sort()).toEqual(tags.map((tag) => tag.id).sort());
    // Recorded a moment after the receiver answered.
    await vi.waitFor(async () => {
      const rows = await t.db.selectFrom("webhook_deliveries").select(["status", "attempts"]).execute();
      expect(rows).toHaveLength(CHANGES);
      expect(rows.every((row) => row.status === "succeeded" && row.attempts === 1)).toBe(true);
    });
  });
});
