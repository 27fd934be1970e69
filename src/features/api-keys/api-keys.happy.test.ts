import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Keys Inc" });
});
afterAll(() => t.close());

const get = (id: string, token = owner.accessToken) =>
  call(t.app, token, { method: "GET", url: `/v1/api-keys/${id}` });
const list = (query = "", token = owner.accessToken) =>
  call(t.app, token, { method: "GET", url: `/v1/api-keys${query}` });

describe("api keys: create, list, get, use, revoke, roll", () => {
  it("creates a key and shows its secret once; only a SHA-256 hash is stored", async () => {
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "CI/CD Pipeline Key", scopes: ["read:users", "write:time-entries"] },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    const secret: string = body.data.secret;
    expect(secret).toMatch(/^vlt_live_[0-9A-Za-z]{32}$/);
    expect(body).toEqual({
      data: {
        id: expect.stringMatching(/^key_[0-9A-Z]{26}$/),
        name: "CI/CD Pipeline Key",
        mode: "live",
        prefix: secret.slice(0, 13),
        last4: secret.slice(-4),
        scopes: ["read:users", "write:time-entries"],
        status: "active",
        created_by: owner.userId,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        last_used_at: null,
        expires_at: null,
        revoked_at: null,
        secret,
      },
      metadata: { timestamp: expect.any(String), request_id: res.headers["x-request-id"] },
    });
    const row = await t.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret);

    const { secret: _shownOnce, ...key } = body.data;
    for (const res of [await get(key.id), await list()]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toContain(row.secret_hash);
      expect(res.body).not.toContain('"secret"');
    }
    expect((await get(key.id)).json().data).toEqual(key);
    expect((await list()).json().data).toContainEqual(key);
  });

  it("the key authenticates GET /v1/auth/me with the granted scopes and the creator's role", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:users", "write:time-entries"] });
    const res = await me(t.app, key.secret);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({
      id: owner.userId,
      email: owner.email,
      name: expect.any(String),
      role: "owner",
      scopes: ["read:users", "write:time-entries"],
      mode: "live",
      organization: { id: owner.orgId, name: "Keys Inc", sandbox_of: null },
    });
  });

  it("records last_used_at after use (usage is written in batches every few seconds)", async () => {
    const key = await createKey(t.app, owner.accessToken);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await get(key.id)).json().data.last_used_at).toMatch(/Z$/), {
      timeout: 7_000,
      interval: 250,
    });
  });

  it("DELETE revokes at once, answers 204 and is idempotent", async () => {
    const key = await createKey(t.app, owner.accessToken);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    const res = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const refused = expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED");
    expect(refused.details?.reason).toBe("revoked_token");

    const revoked = (await get(key.id)).json().data;
    expect(revoked).toMatchObject({ status: "revoked", revoked_at: expect.stringMatching(/Z$/) });
    const again = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    expect(again.statusCode).toBe(204);
    expect((await get(key.id)).json().data.revoked_at).toBe(revoked.revoked_at);
  });

  it("an expired key is refused with expired_token and listed as expired", async () => {
    const key = await createKey(t.app, owner.accessToken, { expires_at: "2999-01-01T00:00:00Z" });
    expect(key.expires_at).toBe("2999-01-01T00:00:00Z");
    await t.db
      .updateTable("api_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", key.id)
      .execute();
    const refused = expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED");
    expect(refused.details?.reason).toBe("expired_token");
    expect((await get(key.id)).json().data.status).toBe("expired");
    const expired = (await list("?status=expired")).json().data.map((k: { id: string }) => k.id);
    expect(expired).toContain(key.id);
    const active = (await list("?status=active")).json().data.map((k: { id: string }) => k.id);
    expect(active).not.toContain(key.id);
  });

  it("roll without a grace period: the new secret works and the old one stops at once", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    const res = await call(t.app, owner.accessToken, { method: "POST", url: `/v1/api-keys/${key.id}/roll` });
    expect(res.statusCode).toBe(200);
    const rolled = res.json().data;
    expect(rolled).toMatchObject({ id: key.id, scopes: ["read:projects"], status: "active" });
    expect(rolled.secret).toMatch(/^vlt_live_[0-9A-Za-z]{32}$/);
    expect(rolled.secret).not.toBe(key.secret);
    expect(rolled.prefix).toBe(rolled.secret.slice(0, 13));
    expect(rolled.last4).toBe(rolled.secret.slice(-4));
    expect((await me(t.app, rolled.secret)).statusCode).toBe(200);
    expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED");
    expect((await get(key.id)).body).not.toContain(rolled.secret);
  });

  it("roll with a grace period: the old secret works until the grace period ends", async () => {
    const key = await createKey(t.app, owner.accessToken);
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: `/v1/api-keys/${key.id}/roll`,
      payload: { expires_in_seconds: 3600 },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(t.app, res.json().data.secret)).statusCode).toBe(200);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    await t.db
      .updateTable("api_keys")
      .set({ previous_secret_expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", key.id)
      .execute();
    // Another process's change is seen within 1 s (SPEC §1): the authenticator's bounded cache.
    await vi.waitFor(async () => expect((await me(t.app, key.secret)).statusCode).toBe(401), {
      timeout: 1_500,
      interval: 100,
    });
    expect((await me(t.app, res.json().data.secret)).statusCode).toBe(200);
  });

  it("lists newest first, filters by status and pages in both styles", async () => {
    const org = await registerAccount(t.app);
    const keys = [];
    for (const name of ["one", "two", "three"]) keys.push(await createKey(t.app, org.accessToken, { name }));
    await call(t.app, org.accessToken, { method: "DELETE", url: `/v1/api-keys/${keys[0]?.id}` });

    const first = (await list("?limit=2&offset=0", org.accessToken)).json();
    expect(first.data.map((k: { name: string }) => k.name)).toEqual(["three", "two"]);
    expect(first.pagination).toEqual({
      total: 3,
      limit: 2,
      offset: 0,
      has_more: true,
      page: 1,
      per_page: 2,
      total_pages: 2,
      has_next: true,
      has_previous: false,
    });
    const second = (await list("?page=2&per_page=2", org.accessToken)).json();
    expect(second.data.map((k: { name: string }) => k.name)).toEqual(["one"]);
    expect(second.pagination).toMatchObject({
      total: 3,
      offset: 2,
      page: 2,
      has_more: false,
      has_previous: true,
    });

    const revoked = (await list("?status=revoked", org.accessToken)).json();
    expect(revoked.data.map((k: { name: string }) => k.name)).toEqual(["one"]);
    expect(revoked.pagination.total).toBe(1);
    const active = (await list("?status=active", org.accessToken)).json();
    expect(active.data.map((k: { name: string }) => k.name)).toEqual(["three", "two"]);
  });

  it("owners and admins see and revoke every key of the organization", async () => {
    const org = await registerAccount(t.app);
    const member = await memberWithToken(t.app, org.accessToken, "member");
    const admin = await memberWithToken(t.app, org.accessToken, "admin");
    const memberKey = await createKey(t.app, member.accessToken, { scopes: ["read:projects"] });
    const ownerKey = await createKey(t.app, org.accessToken);
    const seenByAdmin = (await list("", admin.accessToken)).json().data.map((k: { id: string }) => k.id);
    expect(seenByAdmin).toEqual([ownerKey.id, memberKey.id]);
    expect((await get(memberKey.id, org.accessToken)).json().data.created_by).toBe(member.id);
    const res = await call(t.app, admin.accessToken, {
      method: "DELETE",
      url: `/v1/api-keys/${memberKey.id}`,
    });
    expect(res.statusCode).toBe(204);
    expectError(await me(t.app, memberKey.secret), 401, "UNAUTHORIZED");
  });
});
