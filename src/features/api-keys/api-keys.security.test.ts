import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const ids = (res: { json(): { data: Array<{ id: string }> } }) => res.json().data.map((k) => k.id);
const actOn = (token: string, key: { id: string }) => ({
  get: () => call(t.app, token, { method: "GET", url: `/v1/api-keys/${key.id}` }),
  revoke: () => call(t.app, token, { method: "DELETE", url: `/v1/api-keys/${key.id}` }),
  roll: () => call(t.app, token, { method: "POST", url: `/v1/api-keys/${key.id}/roll` }),
});

describe("api keys: scopes and roles", () => {
  it("a key without write:api-keys cannot create keys, nor list them without read:api-keys", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:users"] });
    const created = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "escalate", scopes: ["admin"] },
    });
    expect(expectError(created, 403, "FORBIDDEN").details).toEqual({
      reason: "insufficient_scope",
      required_scope: "write:api-keys",
    });
    const listed = await call(t.app, key.secret, { method: "GET", url: "/v1/api-keys" });
    expect(expectError(listed, 403, "FORBIDDEN").details?.required_scope).toBe("read:api-keys");
  });

  it("a key cannot mint a key with more than it holds, even when its creator could", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:projects", "write:api-keys"] });
    const res = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "escalate", scopes: ["read:projects", "admin"] },
    });
    expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
      reason: "scope_exceeds_credential",
      scopes: ["admin"],
    });
    const narrower = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "narrower", scopes: ["read:projects"] },
    });
    expect(narrower.statusCode).toBe(201);
    expect(narrower.json().data.created_by).toBe(owner.userId);
  });

  it("a member cannot grant more than their role allows", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    // Coarse `read` too: it includes read:webhooks and read:logs, which members lack.
    for (const scopes of [["admin"], ["read:projects", "write:projects"], ["write"], ["read"]]) {
      const res = await call(t.app, member.accessToken, {
        method: "POST",
        url: "/v1/api-keys",
        payload: { name: "too much", scopes },
      });
      const error = expectError(res, 403, "FORBIDDEN");
      expect(error.details?.reason).toBe("scope_exceeds_role");
      expect(error.details?.scopes).toEqual(scopes.filter((s) => s !== "read:projects"));
    }
    const scopes = ["read:projects", "write:time-entries"];
    const own = await createKey(t.app, member.accessToken, { scopes });
    const who = (await me(t.app, own.secret)).json().data;
    expect(who).toMatchObject({ id: member.id, role: "member", scopes });
  });

  it("members and managers see and manage only the keys they created", async () => {
    const ownerKey = await createKey(t.app, owner.accessToken);
    for (const role of ["member", "manager"] as const) {
      const user = await memberWithToken(t.app, owner.accessToken, role);
      const own = await createKey(t.app, user.accessToken, { scopes: ["read:projects"] });
      expect(ids(await call(t.app, user.accessToken, { method: "GET", url: "/v1/api-keys" }))).toEqual([
        own.id,
      ]);
      const other = actOn(user.accessToken, ownerKey);
      for (const res of [await other.get(), await other.revoke(), await other.roll()]) {
        expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "not_owner" });
      }
      expect((await actOn(user.accessToken, own).get()).statusCode).toBe(200);
      expect((await actOn(user.accessToken, own).revoke()).statusCode).toBe(204);
    }
    expect((await me(t.app, ownerKey.secret)).statusCode).toBe(200);
  });

  it("only a key's creator may roll it: an admin may revoke anyone's key, never obtain its secret", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const ownerKey = await createKey(t.app, owner.accessToken);
    const memberKey = await createKey(t.app, member.accessToken, { scopes: ["read:projects"] });
    const adminKey = await createKey(t.app, admin.accessToken, { scopes: ["admin"] });
    const refused = [
      await actOn(admin.accessToken, ownerKey).roll(),
      await actOn(admin.accessToken, memberKey).roll(),
      await actOn(adminKey.secret, memberKey).roll(),
      await actOn(owner.accessToken, memberKey).roll(),
    ];
    for (const res of refused) {
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "not_creator" });
      expect(res.body).not.toMatch(/vlt_live_/);
    }
    for (const key of [ownerKey, memberKey]) expect((await me(t.app, key.secret)).statusCode).toBe(200);
    const stored = await t.db
      .selectFrom("api_keys")
      .select("previous_secret_hash")
      .where("id", "in", [ownerKey.id, memberKey.id])
      .execute();
    expect(stored).toEqual([{ previous_secret_hash: null }, { previous_secret_hash: null }]);
    expect((await actOn(admin.accessToken, ownerKey).revoke()).statusCode).toBe(204);
    expectError(await me(t.app, ownerKey.secret), 401, "UNAUTHORIZED");
    expect((await actOn(member.accessToken, memberKey).roll()).statusCode).toBe(200);
  });

  it("a key holding only write:api-keys cannot roll a broader key of the same creator", async () => {
    const adminScoped = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    const roller = await createKey(t.app, owner.accessToken, { scopes: ["write:api-keys"] });
    const res = await actOn(roller.secret, adminScoped).roll();
    expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
      reason: "scope_exceeds_credential",
      scopes: ["admin"],
    });
    expect(res.body).not.toMatch(/vlt_live_/);
    expect((await me(t.app, adminScoped.secret)).statusCode).toBe(200);
    const narrow = await createKey(t.app, owner.accessToken, { scopes: ["write:api-keys"] });
    const rolled = await actOn(roller.secret, narrow).roll();
    expect(rolled.statusCode).toBe(200);
    expect(rolled.json().data.scopes).toEqual(["write:api-keys"]);
  });
});

describe("api keys: other organizations", () => {
  it("another organization gets 403 on this organization's key, which keeps working", async () => {
    const key = await createKey(t.app, owner.accessToken, { name: "Acme secret integration" });
    const stranger = await registerAccount(t.app);
    const strangerKey = await createKey(t.app, stranger.accessToken, { scopes: ["admin"] });
    for (const token of [stranger.accessToken, strangerKey.secret]) {
      const other = actOn(token, key);
      for (const res of [await other.get(), await other.revoke(), await other.roll()]) {
        const error = expectError(res, 403, "FORBIDDEN");
        expect(error.details).toEqual({ reason: "foreign_organization" });
        expect(res.body).not.toContain("Acme secret integration");
      }
      const listed = await call(t.app, token, { method: "GET", url: "/v1/api-keys" });
      expect(ids(listed)).toEqual([strangerKey.id]);
    }
    const row = await t.db
      .selectFrom("api_keys")
      .select(["revoked_at", "last4", "previous_secret_hash"])
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ revoked_at: null, last4: key.secret.slice(-4), previous_secret_hash: null });
    expect((await me(t.app, key.secret)).json().data.organization.id).toBe(owner.orgId);
  });

  it("a key cannot switch organizations with X-Organization-ID", async () => {
    const key = await createKey(t.app, owner.accessToken);
    const stranger = await registerAccount(t.app);
    const res = await call(t.app, key.secret, {
      method: "GET",
      url: "/v1/api-keys",
      headers: { "x-organization-id": stranger.orgId },
    });
    expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
  });

  it("a malformed or unknown key is a 401 and says nothing about other keys", async () => {
    const key = await createKey(t.app, owner.accessToken);
    const tampered = `${key.secret.slice(0, -1)}${key.secret.endsWith("A") ? "B" : "A"}`;
    for (const [token, reason] of [
      [tampered, "invalid_token"],
      [key.secret.slice(0, -1), "malformed_token"],
      [key.prefix as string, "malformed_token"],
    ]) {
      const res = await call(t.app, token as string, { method: "GET", url: "/v1/auth/me" });
      expect(expectError(res, 401, "UNAUTHORIZED").details?.reason).toBe(reason);
    }
  });
});
