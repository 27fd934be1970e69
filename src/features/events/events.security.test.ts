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
    const member = await memberWithToken(t.app, owner.accessToken, owner.orgId, "member");
    for (const url of ["/v1/events", `/v1/events/${event.id}`]) {
      const res = await call(t.app, member.accessToken, { method: "GET", url });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "read:events",
      });
    }
    const manager = await memberWithToken(t.app, owner.accessToken, owner.orgId, "manager");
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
