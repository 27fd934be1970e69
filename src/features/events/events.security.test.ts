import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let event: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  await call(t.app, owner.accessToken, {
    method: "POST",
    url: "/v1/projects",
    payload: { name: "Acme secret project" },
  });
  event = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/events" })).json().data[0];
});
afterAll(() => t.close());

describe("events: roles and scopes", () => {
  it("members may not read events; managers may", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    for (const url of ["/v1/events", `/v1/events/${event.id}`]) {
      const res = await call(t.app, member.accessToken, { method: "GET", url });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "read:events",
      });
    }
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const res = await call(t.app, manager.accessToken, { method: "GET", url: `/v1/events/${event.id}` });
    expect(res.json().data).toEqual(event);
  });

  it("an API key needs read:events (coarse read includes it)", async () => {
    const narrow = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    expectError(await call(t.app, narrow.secret, { method: "GET", url: "/v1/events" }), 403, "FORBIDDEN");
    const wide = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
    expect((await call(t.app, wide.secret, { method: "GET", url: "/v1/events" })).statusCode).toBe(200);
  });
});

describe("events: only about resources the credential may read (SPEC §3)", () => {
  const names = (res: { json(): { data: Array<{ event: string; data: { created_by?: string } }> } }) =>
    res.json().data.map((e) => e.event);

  it("a manager sees no webhook events and no API-key events but those of their own keys", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const webhook = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/webhooks",
      payload: { url: "http://93.184.216.34/hooks/voltasis", events: ["project.*"] },
    });
    expect(webhook.statusCode, webhook.body).toBe(201);
    await createKey(t.app, owner.accessToken, { name: "Owner's deploy key" });
    const own = await createKey(t.app, manager.accessToken, {
      name: "Manager's key",
      scopes: ["read:projects"],
    });

    const all = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/events?per_page=100" });
    expect(names(all)).toEqual(
      expect.arrayContaining(["webhook.created", "api_key.created", "project.created"]),
    );
    const seen = await call(t.app, manager.accessToken, { method: "GET", url: "/v1/events?per_page=100" });
    expect(seen.statusCode).toBe(200);
    expect(names(seen)).not.toContain("webhook.created");
    const keyEvents = seen.json().data.filter((e: { event: string }) => e.event.startsWith("api_key."));
    expect(keyEvents.map((e: { resource_id: string }) => e.resource_id)).toEqual([own.id]);
    expect(seen.body).not.toContain("Owner's deploy key");
    expect(names(seen)).toEqual(expect.arrayContaining(["project.created", "member.created"]));

    const hidden = all
      .json()
      .data.filter(
        (e: { event: string; resource_id: string }) =>
          e.event === "webhook.created" || (e.event === "api_key.created" && e.resource_id !== own.id),
      );
    expect(hidden.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining(["webhook.created", "api_key.created"]),
    );
    for (const e of hidden) {
      const res = await call(t.app, manager.accessToken, { method: "GET", url: `/v1/events/${e.id}` });
      expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("resource_not_readable");
      expect(res.body).not.toContain("hooks/voltasis");
    }
    const filtered = await call(t.app, manager.accessToken, {
      method: "GET",
      url: "/v1/events?resource_type=webhook",
    });
    expect(filtered.json().data).toEqual([]);
    expect(filtered.json().pagination.total).toBe(0);
  });

  it("an API key sees the events of exactly the resources its scopes read", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:events", "read:projects"] });
    const res = await call(t.app, key.secret, { method: "GET", url: "/v1/events?per_page=100" });
    expect(res.statusCode).toBe(200);
    expect(new Set(res.json().data.map((e: { resource_type: string }) => e.resource_type))).toEqual(
      new Set(["project"]),
    );
    const bare = await createKey(t.app, owner.accessToken, { scopes: ["read:events"] });
    const none = await call(t.app, bare.secret, { method: "GET", url: "/v1/events" });
    expect(none.json()).toMatchObject({ data: [], pagination: { total: 0 } });
  });
});

describe("events: other organizations", () => {
  it("another organization gets 403 on this organization's event, and sees only its own", async () => {
    const stranger = await registerAccount(t.app);
    const res = await call(t.app, stranger.accessToken, { method: "GET", url: `/v1/events/${event.id}` });
    expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
    expect(res.body).not.toContain("Acme secret");

    await call(t.app, stranger.accessToken, { method: "POST", url: "/v1/tags", payload: { name: "own" } });
    const listed = await call(t.app, stranger.accessToken, { method: "GET", url: "/v1/events" });
    expect(listed.json().data.map((e: { event: string }) => e.event)).toEqual(["tag.created"]);
    expect(listed.body).not.toContain(owner.orgId);

    // A cursor from another organization is no way in either.
    const cursor = await call(t.app, stranger.accessToken, {
      method: "GET",
      url: `/v1/events?starting_after=${event.id}`,
    });
    expect(expectError(cursor, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "starting_after",
      reason: "not_found",
    });
  });
});
