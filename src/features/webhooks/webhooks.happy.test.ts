import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.js";

let t: TestApp;
let owner: Account;
let receiver: Receiver;
const { api, create } = ownerApi(
  () => t,
  () => owner,
);

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" });
  owner = await registerAccount(t.app);
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const until = <T>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 10_000, interval: 50 });
// The subscriptions tests' webhooks post to /other, the deliveries tests' to /hooks.
const mine = () => receiver.requests.filter((r) => r.path === "/hooks");
const receivedFor = (event: string) => mine().filter((r) => r.json.event === event);
const otherUrl = () => receiver.url.replace(/\/hooks$/, "/other");

describe("webhook subscriptions", () => {
  it("creates a webhook and shows its secret once", async () => {
    const res = await api("POST", "/v1/webhooks", {
      url: otherUrl(),
      events: ["client.created", "project.*"],
      description: "Sync",
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().data;
    expect(created).toEqual({
      id: expect.stringMatching(/^whk_/),
      url: otherUrl(),
      description: "Sync",
      events: ["client.created", "project.*"],
      enabled: true,
      disabled_reason: null,
      failing_since: null,
      previous_secret_expires_at: null,
      created_at: TIMESTAMP,
      updated_at: TIMESTAMP,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    const got = (await api("GET", `/v1/webhooks/${created.id}`)).json().data;
    const { secret, ...visible } = created;
    expect(got).toEqual(visible);
    const list = await api("GET", "/v1/webhooks");
    expect(list.json().data).toEqual([visible]);
    expect(list.json().pagination).toMatchObject({ total: 1, limit: 20, offset: 0, has_more: false });
    expect(list.body).not.toContain(secret);
    // The audit trail and the event stream never carry the secret either.
    const events = await t.db
      .selectFrom("events")
      .select(["name", "data"])
      .where("resource_id", "=", created.id)
      .execute();
    expect(events.map((e) => e.name)).toEqual(["webhook.created"]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("filters the list by enabled and pages it", async () => {
    const off = await create("/v1/webhooks", { url: otherUrl(), events: ["*"], enabled: false });
    expect(off).toMatchObject({ enabled: false, disabled_reason: "manual" });
    const disabled = await api("GET", "/v1/webhooks?enabled=false");
    expect(disabled.json().data.map((w: { id: string }) => w.id)).toEqual([off.id]);
    const enabled = await api("GET", "/v1/webhooks?enabled=true&per_page=1&page=1");
    expect(enabled.json().pagination).toMatchObject({ total: 1, per_page: 1, page: 1, has_next: false });
    await api("DELETE", `/v1/webhooks/${off.id}`);
  });

  it("updates only the fields given and records webhook.updated", async () => {
    const hook = await create("/v1/webhooks", { url: otherUrl(), events: ["tag.created"] });
    const res = await api("PATCH", `/v1/webhooks/${hook.id}`, { events: ["tag.*"], description: "Tags" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({
      url: otherUrl(),
      events: ["tag.*"],
      description: "Tags",
      enabled: true,
    });
    const names = (
      await t.db.selectFrom("events").select("name").where("resource_id", "=", hook.id).execute()
    ).map((e) => e.name);
    expect(names).toEqual(["webhook.created", "webhook.updated"]);
    const gone = await api("DELETE", `/v1/webhooks/${hook.id}`);
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe("");
    expect((await api("GET", `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
    const after = await t.db.selectFrom("events").select("name").where("resource_id", "=", hook.id).execute();
    expect(after.map((e) => e.name)).toContain("webhook.deleted");
  });
});

describe("deliveries", () => {
  let hook: { id: string; secret: string };

  beforeAll(async () => {
    hook = await create("/v1/webhooks", { url: receiver.url, events: ["time_entry.created", "project.*"] });
  });

  it("delivers subscribed events signed both ways, and only those", async () => {
    const client = await create("/v1/clients", { name: "Not subscribed by this hook" });
    const project = await create("/v1/projects", { name: "Website" });
    await until(() => expect(receivedFor("project.created").length).toBeGreaterThanOrEqual(1));
    const delivered = receivedFor("project.created").find((r) => r.json.data.id === project.id);
    if (!delivered) throw new Error("project.created not delivered");
    expect(delivered.json).toEqual({
      id: expect.stringMatching(/^evt_/),
      event: "project.created",
      timestamp: TIMESTAMP,
      organization_id: owner.orgId,
      data: project,
    });
    expect(new Webhook(hook.secret).verify(delivered.body, delivered.headers)).toEqual(delivered.json);
    expect(delivered.headers["x-signature"]).toBe(
      createHmac("sha256", hook.secret).update(delivered.body).digest("hex"),
    );
    expect(delivered.headers["webhook-id"]).toBe(delivered.json.id);
    expect(delivered.headers["content-type"]).toMatch(/^application\/json/);
    // The event is the one GET /v1/events lists.
    const event = await api("GET", `/v1/events/${delivered.json.id}`);
    expect(event.json().data).toMatchObject({ event: "project.created", resource_id: project.id });
    // client.created went to the first test's webhook only.
    await until(() => expect(receiver.requests.filter((r) => r.json.data.id === client.id)).toHaveLength(1));
    expect(mine().filter((r) => r.json.data.id === client.id)).toEqual([]);
  });

  it("lists deliveries with every attempt", async () => {
    await until(async () => {
      const res = await api("GET", `/v1/webhooks/${hook.id}/deliveries`);
      expect(res.json().data[0]?.status).toBe("succeeded");
    });
    const res = await api("GET", `/v1/webhooks/${hook.id}/deliveries?status=succeeded`);
    expect(res.statusCode, res.body).toBe(200);
    const [delivery] = res.json().data;
    expect(delivery).toEqual({
      id: expect.stringMatching(/^dlv_/),
      webhook_id: hook.id,
      event_id: expect.stringMatching(/^evt_/),
      event: "project.created",
      status: "succeeded",
      attempt_count: 1,
      next_attempt_at: null,
      completed_at: TIMESTAMP,
      created_at: TIMESTAMP,
      attempts: [
        {
          attempt: 1,
          status_code: 200,
          duration_ms: expect.any(Number),
          error: null,
          response_excerpt: "ok",
          attempted_at: TIMESTAMP,
        },
      ],
    });
    const one = await api("GET", `/v1/webhooks/${hook.id}/deliveries/${delivery.id}`);
    expect(one.json().data).toEqual(delivery);
  });

  it("pages deliveries with starting_after", async () => {
    await create("/v1/projects", { name: "Second" });
    await create("/v1/projects", { name: "Third" });
    await until(async () => {
      const res = await api("GET", `/v1/webhooks/${hook.id}/deliveries?status=pending`);
      expect(res.json().data).toEqual([]);
    });
    const first = (await api("GET", `/v1/webhooks/${hook.id}/deliveries?limit=2`)).json();
    expect(first.data).toHaveLength(2);
    const next = await api(
      "GET",
      `/v1/webhooks/${hook.id}/deliveries?limit=2&starting_after=${first.data[1].id}`,
    );
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().data).toHaveLength(1);
    expect(next.json().pagination.has_more).toBe(false);
    const ids = [...first.data, ...next.json().data].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
  });

  it("sends a test ping to that endpoint only", async () => {
    const res = await api("POST", `/v1/webhooks/${hook.id}/test`);
    expect(res.statusCode, res.body).toBe(202);
    const delivery = res.json().data;
    expect(delivery).toMatchObject({
      event: "webhook.test",
      status: "pending",
      attempt_count: 0,
      attempts: [],
    });
    await until(() => expect(receivedFor("webhook.test")).toHaveLength(1));
    const [ping] = receivedFor("webhook.test");
    expect(ping?.json).toMatchObject({ id: delivery.event_id, data: { webhook_id: hook.id } });
    expect(ping?.headers["webhook-id"]).toBe(delivery.event_id);
    expect(new Webhook(hook.secret).verify(ping?.body ?? "", ping?.headers ?? {})).toBeTruthy();
    // A ping is not a domain event.
    expect((await api("GET", `/v1/events/${delivery.event_id}`)).statusCode).toBe(404);
  });

  it("redelivers the same body with the same webhook-id", async () => {
    const [delivery] = (
      await api("GET", `/v1/webhooks/${hook.id}/deliveries?status=succeeded&limit=1`)
    ).json().data;
    const before = mine().filter((r) => r.headers["webhook-id"] === delivery.event_id);
    expect(before).toHaveLength(1);
    const res = await api("POST", `/v1/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().data).toMatchObject({
      event_id: delivery.event_id,
      event: delivery.event,
      status: "pending",
    });
    expect(res.json().data.id).not.toBe(delivery.id);
    await until(() =>
      expect(mine().filter((r) => r.headers["webhook-id"] === delivery.event_id)).toHaveLength(2),
    );
    const [original, again] = mine().filter((r) => r.headers["webhook-id"] === delivery.event_id);
    expect(again?.body).toBe(original?.body);
  });

  it("queues nothing for a disabled webhook, and re-enabling clears its failing state", async () => {
    const off = await create("/v1/webhooks", { url: receiver.url, events: ["tag.created"] });
    const patched = await api("PATCH", `/v1/webhooks/${off.id}`, { enabled: false });
    expect(patched.json().data).toMatchObject({ enabled: false, disabled_reason: "manual" });
    await create("/v1/tags", { name: "quiet" });
    const deliveries = await t.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("webhook_id", "=", off.id)
      .execute();
    expect(deliveries).toEqual([]);
    const on = await api("PATCH", `/v1/webhooks/${off.id}`, { enabled: true });
    expect(on.json().data).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
  });
});
