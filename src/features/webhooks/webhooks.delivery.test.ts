import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.js";
import { ManualClock } from "../../platform/background/clock.js";
import { createQueueStore } from "./queue-store.js";
import { RETRY_DELAYS_MS } from "./retry-schedule.js";
import { createWebhookSender } from "./sender.js";
import { createDeliveryWorker, PER_WEBHOOK } from "./worker.js";

// Retries span three days: the workers read this clock, and the tests move it forward.
const clock = new ManualClock();
let t: TestApp;
let owner: Account;
let failing: Receiver;
let healthy: Receiver;
const { api, create } = ownerApi(
  () => t,
  () => owner,
);
const until = <T>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 10_000, interval: 50 });
const seconds = (iso: string) => Date.parse(iso) / 1000;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" }, { clock });
  owner = await registerAccount(t.app);
  failing = await startReceiver(() => ({ status: 500, body: "receiver is down" }));
  healthy = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await failing.close();
  await healthy.close();
});

describe("retries on the Standard Webhooks schedule", () => {
  it("retries a failing endpoint only as the clock reaches each delay, then disables it after 3 days", async () => {
    const hook = await create("/v1/webhooks", { url: failing.url, events: ["project.created"] });
    const watcher = await create("/v1/webhooks", { url: healthy.url, events: ["webhook.disabled"] });
    const project = await create("/v1/projects", { name: "Retried" });
    await until(() => expect(failing.requests).toHaveLength(1));

    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      const attempt = i + 1;
      // The delivery waits exactly the schedule's delay after the attempt just made.
      const [delivery] = await until(async () => {
        const res = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).json().data;
        expect(res[0].attempts).toHaveLength(attempt);
        return res;
      });
      expect(delivery.status).toBe("pending");
      const last = delivery.attempts[attempt - 1];
      expect(last).toMatchObject({
        attempt,
        status_code: 500,
        error: "HTTP 500",
        response_excerpt: "receiver is down",
      });
      expect(seconds(delivery.next_attempt_at) - seconds(last.attempted_at)).toBeCloseTo(delay / 1000, -0.5);
      expect(failing.requests).toHaveLength(attempt);
      clock.advance(delay);
      await until(() => expect(failing.requests).toHaveLength(attempt + 1));
    }

    // Ten attempts, all with the event's id as webhook-id, each one verifiable.
    expect(failing.requests).toHaveLength(RETRY_DELAYS_MS.length + 1);
    const ids = new Set(failing.requests.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    for (const request of failing.requests) {
      expect(request.json.data.id).toBe(project.id);
      expect(new Webhook(hook.secret).verify(request.body, request.headers)).toEqual(request.json);
    }

    const disabled = await until(async () => {
      const res = (await api("GET", `/v1/webhooks/${hook.id}`)).json().data;
      expect(res.enabled).toBe(false);
      return res;
    });
    expect(disabled).toMatchObject({ disabled_reason: "failing", failing_since: expect.any(String) });
    const [delivery] = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).json().data;
    expect(delivery).toMatchObject({ status: "failed", attempt_count: 10, next_attempt_at: null });
    // The owner is told: GET /v1/events lists it, and other subscribers receive it.
    const events = (await api("GET", `/v1/events?event=webhook.disabled`)).json().data;
    expect(events).toEqual([
      expect.objectContaining({
        resource_id: hook.id,
        actor_id: null,
        data: expect.objectContaining({ enabled: false }),
      }),
    ]);
    await until(() =>
      expect(healthy.requests.filter((r) => r.json.event === "webhook.disabled")).toHaveLength(1),
    );
    expect(healthy.requests[0]?.json.data).toMatchObject({ id: hook.id, disabled_reason: "failing" });
    expect(JSON.stringify(events)).not.toContain(hook.secret);

    // Enabling it again starts afresh.
    const on = await api("PATCH", `/v1/webhooks/${hook.id}`, { enabled: true });
    expect(on.json().data).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await api("DELETE", `/v1/webhooks/${watcher.id}`);
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });

  it("a success ends the failing run", async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      const hook = await create("/v1/webhooks", { url: receiver.url, events: ["client.created"] });
      await create("/v1/clients", { name: "Flaky" });
      await until(async () => {
        expect((await api("GET", `/v1/webhooks/${hook.id}`)).json().data.failing_since).not.toBeNull();
      });
      receiver.respond(() => ({ status: 204 }));
      clock.advance(RETRY_DELAYS_MS[0] as number);
      await until(async () => {
        const [delivery] = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).json().data;
        expect(delivery).toMatchObject({ status: "succeeded", attempt_count: 2 });
      });
      expect((await api("GET", `/v1/webhooks/${hook.id}`)).json().data.failing_since).toBeNull();
    } finally {
      await receiver.close();
    }
  });

  it("disabling a webhook gives up its deliveries waiting for a retry", async () => {
    const hook = await create("/v1/webhooks", { url: failing.url, events: ["tag.created"] });
    await create("/v1/tags", { name: "never delivered" });
    await until(async () => {
      const [delivery] = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).json().data;
      expect(delivery.attempts).toHaveLength(1);
    });
    await api("PATCH", `/v1/webhooks/${hook.id}`, { enabled: false });
    const [delivery] = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).json().data;
    expect(delivery).toMatchObject({ status: "failed", next_attempt_at: null, attempt_count: 1 });
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });
});

describe("secret rotation", () => {
  it("signs with both secrets for 24 h, then with the new one only", async () => {
    const hook = await create("/v1/webhooks", { url: healthy.url, events: ["client.*"] });
    const rotated = await api("POST", `/v1/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret } = rotated.json().data;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(hook.secret);
    expect(
      Date.parse(rotated.json().data.previous_secret_expires_at) - clock.now().getTime(),
    ).toBeGreaterThan(23.9 * 3600_000);
    expect((await api("GET", `/v1/webhooks/${hook.id}`)).body).not.toContain(secret);

    const during = await create("/v1/clients", { name: "During overlap" });
    const first = await until(() => {
      const got = healthy.requests.find((r) => r.json.data.id === during.id);
      expect(got).toBeDefined();
      return got as NonNullable<typeof got>;
    });
    expect(new Webhook(secret).verify(first.body, first.headers)).toBeTruthy();
    expect(new Webhook(hook.secret).verify(first.body, first.headers)).toBeTruthy();
    expect(first.headers["x-signature"]).toBe(createHmac("sha256", secret).update(first.body).digest("hex"));

    clock.advance(24 * 3600_000 + 1_000);
    const after = await create("/v1/clients", { name: "After overlap" });
    const second = await until(() => {
      const got = healthy.requests.find((r) => r.json.data.id === after.id);
      expect(got).toBeDefined();
      return got as NonNullable<typeof got>;
    });
    expect(new Webhook(secret).verify(second.body, second.headers)).toBeTruthy();
    expect(() => new Webhook(hook.secret).verify(second.body, second.headers)).toThrow();
    const events = (await api("GET", `/v1/events?resource_id=${hook.id}`)).json().data;
    expect(events.map((e: { event: string }) => e.event)).toContain("webhook.secret_rotated");
    expect(JSON.stringify(events)).not.toContain(secret);
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });
});

describe("the address check at delivery time", () => {
  it("refuses to connect to a private address when private addresses are not allowed", async () => {
    // The webhook was accepted (here because the app allows private addresses; in production
    // because its name resolved to a public address then): the sender checks again at connect time.
    const receiver = await startReceiver();
    const other = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true", VOLTASIS_WORKERS: "off" });
    try {
      const account = await registerAccount(other.app);
      const res = await other.app.inject({
        method: "POST",
        url: "/v1/webhooks",
        headers: { authorization: `Bearer ${account.accessToken}` },
        payload: { url: receiver.url, events: ["*"] },
      });
      expect(res.statusCode, res.body).toBe(201);
      const sender = createWebhookSender({ allowPrivate: false, timeoutMs: 2_000 });
      const worker = createDeliveryWorker({ db: other.db, clock, sender });
      await other.app.inject({
        method: "POST",
        url: `/v1/webhooks/${res.json().data.id}/test`,
        headers: { authorization: `Bearer ${account.accessToken}` },
      });
      expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
      // Waits for the sends it started and their records.
      await worker.stop();
      await sender.close();
      expect(receiver.requests).toEqual([]);
      const attempts = await other.db.selectFrom("webhook_attempts").selectAll().execute();
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({
          status_code: null,
          error: expect.stringMatching(/refused.*loopback/),
        });
      }
      // Nothing was claimed twice: the rows wait for their retry.
      expect(
        await createQueueStore(other.db).claim(new Date(), 30_000, { total: 100, perWebhook: 10 }),
      ).toEqual([]);
    } finally {
      await other.close();
      await receiver.close();
    }
  });
});

describe("an endpoint that hangs", () => {
  it("holds a few sending slots and delays no other endpoint's deliveries", async () => {
    const stuck = await startReceiver(() => "hang");
    const fine = await startReceiver();
    try {
      const slow = await create("/v1/webhooks", { url: stuck.url, events: ["tag.created"] });
      await create("/v1/webhooks", { url: fine.url, events: ["client.created"] });
      // More than its share, so that the share is what holds it back.
      for (let i = 0; i < PER_WEBHOOK + 12; i++) await create("/v1/tags", { name: `hanging-${i}` });
      await until(() => expect(stuck.requests.length).toBeGreaterThanOrEqual(10));

      const client = await create("/v1/clients", { name: "Prompt" });
      await until(() => expect(fine.requests.map((r) => r.json.data.id)).toContain(client.id));
      // Delivered while the stuck endpoint still holds its requests open: none of its attempts has
      // ended yet (they end at the 10 s timeout), and it was never given more than its share.
      const ended = await t.db
        .selectFrom("webhook_attempts")
        .innerJoin("webhook_deliveries", "webhook_deliveries.id", "webhook_attempts.delivery_id")
        .select("webhook_attempts.id")
        .where("webhook_deliveries.webhook_id", "=", slow.id)
        .execute();
      expect(ended).toEqual([]);
      expect(stuck.requests.length).toBeLessThanOrEqual(PER_WEBHOOK);
    } finally {
      // Closing the receiver ends the hanging requests, so the app does not wait for their timeout.
      await stuck.close();
      await fine.close();
    }
  });
});
