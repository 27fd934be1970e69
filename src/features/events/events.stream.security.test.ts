import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type EventStream, listen, openStream } from "../../../test/helpers/event-stream.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";

// The stream shows what GET /v1/events shows a credential, for as long as the credential holds.
let t: TestApp;
let owner: Account;
let base: string;
const opened: EventStream[] = [];

beforeAll(async () => {
  // No workers: the webhooks made here must not be delivered anywhere.
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
  owner = await registerAccount(t.app);
  base = await listen(t.app);
});
afterAll(async () => {
  for (const stream of opened) stream.close();
  await t.close();
});

async function follow(token: string, at = base) {
  const stream = await openStream(at, token);
  opened.push(stream);
  expect(stream.status).toBe(200);
  return stream;
}

async function post(token: string, url: string, payload: Record<string, unknown>) {
  const res = await call(t.app, token, { method: "POST", url, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string; secret?: string };
}

/** Waits for the event about `resourceId` (written last), so that everything before it has arrived too. */
async function upTo(stream: EventStream, resourceId: string) {
  await expect
    .poll(() => stream.events.some((e) => e.data.resource_id === resourceId), { timeout: 5_000 })
    .toBe(true);
  return stream.events;
}

/** Waits for the last frame and the end of the response; returns why the server ended it. */
async function closedBy(stream: EventStream) {
  await expect.poll(() => stream.closing, { timeout: 5_000 }).toBeDefined();
  await stream.ended;
  return stream.closing;
}

describe("events stream: what a credential sees", () => {
  it("a manager's stream carries no webhook events and no other people's API keys", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const stream = await follow(manager.accessToken);
    await post(owner.accessToken, "/v1/webhooks", { url: "https://93.184.215.14/hooks", events: ["*"] });
    const ownersKey = await post(owner.accessToken, "/v1/api-keys", {
      name: "Owner's deploy key",
      scopes: ["read"],
    });
    const managersKey = await post(manager.accessToken, "/v1/api-keys", {
      name: "Mine",
      scopes: ["read:events"],
    });
    const marker = await post(owner.accessToken, "/v1/projects", { name: "Marker" });

    const events = await upTo(stream, marker.id);
    expect(events.map((e) => e.event)).toEqual(["api_key.created", "project.created"]);
    expect(events[0]?.data.resource_id).toBe(managersKey.id);
    const body = JSON.stringify(events);
    expect(body).not.toContain(ownersKey.id);
    expect(body).not.toContain("93.184.215.14");
    // The owner's stream, opened the same way, does carry them.
    const ownersStream = await follow(owner.accessToken);
    const next = await post(owner.accessToken, "/v1/webhooks", {
      url: "https://93.184.215.14/h2",
      events: ["*"],
    });
    expect((await ownersStream.waitForEvents(1))[0]?.data.resource_id).toBe(next.id);
  });

  it("an API key sees the events of exactly the resources its scopes read", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:events", "read:projects"] });
    const stream = await follow(key.secret);
    await post(owner.accessToken, "/v1/tags", { name: "hidden" });
    await post(owner.accessToken, "/v1/clients", { name: "hidden too" });
    const project = await post(owner.accessToken, "/v1/projects", { name: "Visible" });
    const events = await upTo(stream, project.id);
    expect(events.map((e) => e.event)).toEqual(["project.created"]);
  });

  it("two organizations writing at once each see their own events, and never the other's", async () => {
    const [a, b] = [await registerAccount(t.app), await registerAccount(t.app)];
    const [streamA, streamB] = [await follow(a.accessToken), await follow(b.accessToken)];
    const writes = (account: Account, label: string) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post(account.accessToken, "/v1/tags", { name: `${label}-${i}` }),
        ),
      );
    const [tagsA, tagsB] = await Promise.all([writes(a, "a"), writes(b, "b")]);
    const eventsA = await streamA.waitForEvents(10);
    const eventsB = await streamB.waitForEvents(10);
    expect(eventsA.map((e) => e.data.resource_id).sort()).toEqual(tagsA.map((tag) => tag.id).sort());
    expect(eventsB.map((e) => e.data.resource_id).sort()).toEqual(tagsB.map((tag) => tag.id).sort());
    expect(eventsA.every((e) => e.data.organization_id === a.orgId)).toBe(true);
    expect(JSON.stringify(eventsB)).not.toContain(a.orgId);
  });
});

describe("events stream: X-Organization-ID (SPEC §3)", () => {
  it("names another organization only where the user is a member: then its events, and only its", async () => {
    const outsider = await registerAccount(t.app);
    const refused = await call(t.app, outsider.accessToken, {
      method: "GET",
      url: "/v1/events/stream",
      headers: { "x-organization-id": owner.orgId },
    });
    expect(expectError(refused, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");

    const stranger = await registerAccount(t.app);

    const joined = await addExistingAccount(
      t.app,
      owner.accessToken,
      { email: stranger.email, accessToken: stranger.accessToken },
      "manager",
    );
    expect(joined.id).toBe(stranger.userId);
    const stream = await openStream(base, stranger.accessToken, {
      headers: { "x-organization-id": owner.orgId },
    });
    opened.push(stream);
    expect(stream.status).toBe(200);
    // Their own organization is followed too, so that its events are on their way to streams.
    await follow(stranger.accessToken);
    await post(stranger.accessToken, "/v1/tags", { name: "in the stranger's own organization" });
    const here = await post(owner.accessToken, "/v1/projects", { name: "In the owner's" });
    const events = await upTo(stream, here.id);
    expect(events.every((e) => e.data.organization_id === owner.orgId)).toBe(true);
  });
});

describe("events stream: a credential that stops working ends its streams (SPEC §1: within about 1 s)", () => {
  it("a revoked API key", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
    const stream = await follow(key.secret);
    const res = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    expect(res.statusCode).toBe(204);
    expect(await closedBy(stream)).toEqual({
      reason: "revoked_token",
      message: "This API key has been revoked",
      reconnect: false,
    });
  });

  it("a key revoked through another process ends the stream held by this one", async () => {
    const other = await t.anotherProcess({ VOLTASIS_WORKERS: "off" });
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
    const stream = await follow(key.secret, await listen(other));
    const res = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    expect(res.statusCode).toBe(204);
    expect((await closedBy(stream))?.reason).toBe("revoked_token");
  });

  it("a session that logged out", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "admin");
    const stream = await follow(member.accessToken);
    const res = await call(t.app, member.accessToken, { method: "POST", url: "/v1/auth/logout" });
    expect(res.statusCode).toBe(204);
    expect((await closedBy(stream))?.reason).toBe("revoked_token");
  });

  it("a deactivated member", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const key = await createKey(t.app, manager.accessToken, { scopes: ["read:events"] });
    const [bySession, byKey] = [await follow(manager.accessToken), await follow(key.secret)];
    const res = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${manager.id}` });
    expect(res.statusCode).toBe(204);
    expect((await closedBy(bySession))?.reconnect).toBe(false);
    expect((await closedBy(byKey))?.reason).toBe("deactivated_member");
  });

  it("a manager made a member, who may no longer read events", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const stream = await follow(manager.accessToken);
    const res = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${manager.id}`,
      payload: { role: "member" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await closedBy(stream))?.reason).toBe("insufficient_scope");
  });
});
