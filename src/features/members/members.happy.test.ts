import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember, login } from "../../../test/helpers/members.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const member = (fields: Record<string, unknown>) => ({
  id: expect.stringMatching(/^usr_[0-9A-Z]{26}$/),
  created_at: expect.stringMatching(TIMESTAMP),
  updated_at: expect.stringMatching(TIMESTAMP),
  status: "active",
  ...fields,
});

describe("members: read, change, deactivate", () => {
  it("GET /v1/users starts with the owner alone", async () => {
    const owner = await registerAccount(t.app, { name: "Olga" });
    const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/users" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      data: [member({ id: owner.userId, email: owner.email, name: "Olga", role: "owner" })],
      pagination: {
        total: 1,
        limit: 20,
        offset: 0,
        has_more: false,
        page: 1,
        per_page: 20,
        total_pages: 1,
        has_next: false,
        has_previous: false,
      },
      metadata: { timestamp: expect.stringMatching(TIMESTAMP), request_id: res.headers["x-request-id"] },
    });
  });

  it("a member added with a password signs in to the organization with their role", async () => {
    const owner = await registerAccount(t.app, { organization_name: "Signed" });
    const added = await addMember(t.app, owner.accessToken, { role: "admin", password: "admin password 1" });
    const row = await t.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", added.id)
      .executeTakeFirst();
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    const tokens = await login(t.app, added.email, "admin password 1");
    const me = await call(t.app, tokens.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data).toMatchObject({
      id: added.id,
      role: "admin",
      organization: { id: owner.orgId, name: "Signed" },
    });
  });

  it("PATCH changes the role; only the given fields change", async () => {
    const owner = await registerAccount(t.app);
    const added = await addMember(t.app, owner.accessToken, { role: "member", name: "Kept" });
    const before = (
      await call(t.app, owner.accessToken, { method: "GET", url: `/v1/users/${added.id}` })
    ).json();
    const res = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${added.id}`,
      payload: { role: "manager" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({ ...before.data, role: "manager", updated_at: expect.any(String) });
    const again = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/users/${added.id}` });
    expect(again.json().data).toEqual(res.json().data);
  });

  it("DELETE deactivates: 204, sessions here end, the account and membership stay; PATCH reactivates", async () => {
    const owner = await registerAccount(t.app);
    const added = await addMember(t.app, owner.accessToken, {
      role: "member",
      password: "member password 1",
    });
    const tokens = await login(t.app, added.email, "member password 1");
    const res = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${added.id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const read = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/users/${added.id}` });
    expect(read.json().data).toEqual(
      member({ id: added.id, email: added.email, name: "New Member", role: "member", status: "deactivated" }),
    );
    const sessions = await t.db
      .selectFrom("sessions")
      .select(["revoked_reason"])
      .where("user_id", "=", added.id)
      .execute();
    // The session the acceptance opened and the login's: both end.
    expect(sessions).toEqual([
      { revoked_reason: "member_deactivated" },
      { revoked_reason: "member_deactivated" },
    ]);
    expect((await call(t.app, tokens.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      401,
    );
    // Deactivating again changes nothing.
    expect(
      (await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${added.id}` })).statusCode,
    ).toBe(204);

    const back = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${added.id}`,
      payload: { status: "active" },
    });
    expect(back.json().data).toMatchObject({ status: "active", role: "member" });
    // Old sessions stay ended; signing in again works.
    expect((await call(t.app, tokens.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      401,
    );
    const fresh = await login(t.app, added.email, "member password 1");
    expect((await call(t.app, fresh.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      200,
    );
  });

  it("an owner grants the owner role, and one of two owners may demote or deactivate the other", async () => {
    const owner = await registerAccount(t.app);
    const second = await addMember(t.app, owner.accessToken, { role: "owner" });
    const demote = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${second.id}`,
      payload: { role: "admin" },
    });
    expect(demote.json().data.role).toBe("admin");
    const third = await addMember(t.app, owner.accessToken, { role: "owner" });
    const off = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${third.id}` });
    expect(off.statusCode).toBe(204);
  });

  it("lists in membership order, filtered by status and role, paginated in both styles", async () => {
    const owner = await registerAccount(t.app);
    const ids = [owner.userId];
    for (const role of ["member", "manager", "member", "admin"]) {
      ids.push((await addMember(t.app, owner.accessToken, { role })).id);
    }
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${ids[3]}` });
    const list = (query: string) =>
      call(t.app, owner.accessToken, { method: "GET", url: `/v1/users${query}` });
    const idsOf = (res: Awaited<ReturnType<typeof list>>) => res.json().data.map((m: { id: string }) => m.id);

    expect(idsOf(await list(""))).toEqual(ids);
    expect(idsOf(await list("?role=member"))).toEqual([ids[1], ids[3]]);
    expect(idsOf(await list("?status=deactivated"))).toEqual([ids[3]]);
    expect(idsOf(await list("?status=active&role=member"))).toEqual([ids[1]]);

    const byOffset = await list("?limit=2&offset=2");
    expect(idsOf(byOffset)).toEqual(ids.slice(2, 4));
    expect(byOffset.json().pagination).toEqual({
      total: 5,
      limit: 2,
      offset: 2,
      has_more: true,
      page: 2,
      per_page: 2,
      total_pages: 3,
      has_next: true,
      has_previous: true,
    });
    const byPage = await list("?page=3&per_page=2");
    expect(idsOf(byPage)).toEqual(ids.slice(4));
    expect(byPage.json().pagination).toEqual({
      total: 5,
      limit: 2,
      offset: 4,
      has_more: false,
      page: 3,
      per_page: 2,
      total_pages: 3,
      has_next: false,
      has_previous: true,
    });
    const beyond = await list("?page=9&per_page=2");
    expect(beyond.json().data).toEqual([]);
    expect(beyond.json().pagination).toMatchObject({
      total: 5,
      offset: 16,
      has_more: false,
      has_next: false,
    });
  });
});
