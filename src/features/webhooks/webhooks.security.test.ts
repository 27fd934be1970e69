import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.js";

let t: TestApp;
let owner: Account;
let stranger: Account;
let receiver: Receiver;
let hook: { id: string; secret: string };
let deliveryId: string;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" });
  owner = await registerAccount(t.app);
  stranger = await registerAccount(t.app);
  receiver = await startReceiver();
  const res = await call(t.app, owner.accessToken, {
    method: "POST",
    url: "/v1/webhooks",
    payload: { url: receiver.url, events: ["client.*"], description: "Owner's hook" },
  });
  hook = res.json().data;
  const ping = await call(t.app, owner.accessToken, { method: "POST", url: `/v1/webhooks/${hook.id}/test` });
  deliveryId = ping.json().data.id;
  await vi.waitFor(() => expect(receiver.requests).toHaveLength(1), { timeout: 10_000 });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const routes = (id: string, delivery: string) =>
  [
    ["GET", "/v1/webhooks", undefined, "read:webhooks"],
    ["GET", `/v1/webhooks/${id}`, undefined, "read:webhooks"],
    ["GET", `/v1/webhooks/${id}/deliveries`, undefined, "read:webhooks"],
    ["GET", `/v1/webhooks/${id}/deliveries/${delivery}`, undefined, "read:webhooks"],
    ["POST", "/v1/webhooks", { url: "http://127.0.0.1:9/x", events: ["*"] }, "write:webhooks"],
    ["PATCH", `/v1/webhooks/${id}`, { description: "changed" }, "write:webhooks"],
    ["POST", `/v1/webhooks/${id}/rotate-secret`, undefined, "write:webhooks"],
    ["POST", `/v1/webhooks/${id}/test`, undefined, "write:webhooks"],
    ["POST", `/v1/webhooks/${id}/deliveries/${delivery}/redeliver`, undefined, "write:webhooks"],
    ["DELETE", `/v1/webhooks/${id}`, undefined, "delete:webhooks"],
  ] as const;

async function unchanged() {
  const row = await t.db
    .selectFrom("webhooks")
    .selectAll()
    .where("id", "=", hook.id)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({
    description: "Owner's hook",
    enabled: true,
    secret: hook.secret,
    previous_secret: null,
  });
  const deliveries = await t.db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("webhook_id", "=", hook.id)
    .execute();
  expect(deliveries).toHaveLength(1);
}

describe("webhooks: credentials, roles and scopes", () => {
  it("no credential → 401 on every route", async () => {
    for (const [method, url, payload] of routes(hook.id, deliveryId)) {
      expectError(await call(t.app, null, { method, url, payload }), 401, "UNAUTHORIZED");
    }
    await unchanged();
  });

  it.each(["member", "manager"])("a %s may neither see nor change webhooks → 403", async (role) => {
    const user = await memberWithToken(t.app, owner.accessToken, role);
    for (const [method, url, payload, scope] of routes(hook.id, deliveryId)) {
      const res = await call(t.app, user.accessToken, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details, `${method} ${url}`).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    await unchanged();
  });

  it("an admin manages them", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const res = await call(t.app, admin.accessToken, { method: "GET", url: `/v1/webhooks/${hook.id}` });
    expect(res.statusCode).toBe(200);
  });

  it("an API key with read:webhooks reads but cannot write; coarse write does not cover webhooks", async () => {
    for (const scopes of [["read:webhooks"], ["read", "write", "delete"]]) {
      const key = await createKey(t.app, owner.accessToken, { scopes });
      expect((await call(t.app, key.secret, { method: "GET", url: "/v1/webhooks" })).statusCode).toBe(200);
      for (const [method, url, payload, scope] of routes(hook.id, deliveryId).filter(([m]) => m !== "GET")) {
        const res = await call(t.app, key.secret, { method, url, payload });
        expect(expectError(res, 403, "FORBIDDEN").details?.required_scope).toBe(scope);
      }
    }
    await unchanged();
  });
});

describe("webhooks: other organizations", () => {
  it("another organization's webhook and delivery ids → 403, nothing leaked", async () => {
    for (const [method, url, payload] of routes(hook.id, deliveryId).filter(([, u]) => u.includes(hook.id))) {
      const res = await call(t.app, stranger.accessToken, { method, url, payload });
      const error = expectError(res, 403, "FORBIDDEN");
      expect(error.details).toEqual({ reason: "foreign_organization" });
      expect(res.body).not.toContain(receiver.url);
    }
    await unchanged();
  });

  it("a foreign delivery id under one's own webhook → 403", async () => {
    const own = await call(t.app, stranger.accessToken, {
      method: "POST",
      url: "/v1/webhooks",
      payload: { url: receiver.url, events: ["tag.*"] },
    });
    const ownId = own.json().data.id;
    for (const [method, url] of [
      ["GET", `/v1/webhooks/${ownId}/deliveries/${deliveryId}`],
      ["POST", `/v1/webhooks/${ownId}/deliveries/${deliveryId}/redeliver`],
    ] as const) {
      const res = await call(t.app, stranger.accessToken, { method, url });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
    }
    const list = await call(t.app, stranger.accessToken, { method: "GET", url: "/v1/webhooks" });
    expect(list.json().data.map((w: { id: string }) => w.id)).toEqual([ownId]);
    await unchanged();
  });

  it("events of one organization are never delivered to another's webhook", async () => {
    const before = receiver.requests.length;
    await call(t.app, stranger.accessToken, { method: "POST", url: "/v1/tags", payload: { name: "theirs" } });
    await call(t.app, owner.accessToken, { method: "POST", url: "/v1/clients", payload: { name: "mine" } });
    await vi.waitFor(() => expect(receiver.requests.length).toBeGreaterThanOrEqual(before + 2), {
      timeout: 10_000,
    });
    const stranded = receiver.requests.filter(
      (r) => r.json.organization_id !== owner.orgId && r.json.organization_id !== stranger.orgId,
    );
    expect(stranded).toEqual([]);
    for (const request of receiver.requests) {
      expect(request.json.organization_id === owner.orgId || request.json.event.startsWith("tag.")).toBe(
        true,
      );
    }
  });
});
