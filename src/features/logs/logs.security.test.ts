import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let ownerKey: { id: string; secret: string };
let logId = "";
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Acme Secret Org" });
  ownerKey = await createKey(t.app, owner.accessToken, { name: "Acme secret key", scopes: ["read"] });
  await call(t.app, ownerKey.secret, { method: "GET", url: "/v1/projects?search=acme-secret-query" });
  await t.app.requestLog.flush();
  logId = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/logs" })).json().data[0].id;
});
afterAll(() => t.close());

const get = (token: string | null, url: string) => call(t.app, token, { method: "GET", url });

describe("logs: credentials, roles and scopes", () => {
  it("needs a credential", async () => {
    expectError(await get(null, "/v1/logs"), 401, "UNAUTHORIZED");
    expectError(await get(null, `/v1/api-keys/${ownerKey.id}/usage`), 401, "UNAUTHORIZED");
  });

  it("only owners and admins read the log: managers and members lack read:logs", async () => {
    for (const role of ["member", "manager"]) {
      const user = await memberWithToken(t.app, owner.accessToken, role);
      const res = await get(user.accessToken, "/v1/logs");
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "read:logs",
      });
    }
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    expect((await get(admin.accessToken, "/v1/logs")).statusCode).toBe(200);
  });

  it("an API key needs read:logs (coarse read includes it)", async () => {
    const narrow = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    expectError(await get(narrow.secret, "/v1/logs"), 403, "FORBIDDEN");
    const fine = await createKey(t.app, owner.accessToken, { scopes: ["read:logs"] });
    expect((await get(fine.secret, "/v1/logs")).statusCode).toBe(200);
    expect((await get(ownerKey.secret, "/v1/logs")).statusCode).toBe(200);
  });

  it("usage needs read:api-keys, and members see only their own keys' usage", async () => {
    const narrow = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    const refused = await get(narrow.secret, `/v1/api-keys/${narrow.id}/usage`);
    expect(expectError(refused, 403, "FORBIDDEN").details).toMatchObject({ required_scope: "read:api-keys" });

    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const own = await createKey(t.app, member.accessToken, { scopes: ["read:projects"] });
    expect((await get(member.accessToken, `/v1/api-keys/${own.id}/usage`)).statusCode).toBe(200);
    const others = await get(member.accessToken, `/v1/api-keys/${ownerKey.id}/usage`);
    expect(expectError(others, 403, "FORBIDDEN").details).toEqual({ reason: "not_owner" });
    expect((await get(owner.accessToken, `/v1/api-keys/${own.id}/usage`)).statusCode).toBe(200);
  });

  it("stores paths without their query strings", async () => {
    const rows = await t.db
      .selectFrom("logs")
      .select("path")
      .where("organization_id", "=", owner.orgId)
      .execute();
    expect(rows.map((r) => r.path)).toContain("/v1/projects");
    expect(JSON.stringify(rows)).not.toContain("acme-secret-query");
  });
});

describe("logs: other organizations", () => {
  it("another organization sees only its own entries, and its cursor cannot point into ours", async () => {
    const stranger = await registerAccount(t.app);
    await get(stranger.accessToken, "/v1/tags");
    await t.app.requestLog.flush();
    const res = await get(stranger.accessToken, "/v1/logs?limit=100");
    expect(res.statusCode).toBe(200);
    const entries = res.json().data as Array<{ user_id: string }>;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.user_id === stranger.userId)).toBe(true);
    for (const secret of [owner.orgId, owner.userId, ownerKey.id, "Acme secret"]) {
      expect(res.body).not.toContain(secret);
    }
    for (const query of [`?user_id=${owner.userId}`, `?api_key_id=${ownerKey.id}`]) {
      expect((await get(stranger.accessToken, `/v1/logs${query}`)).json().data).toEqual([]);
    }
    const cursor = await get(stranger.accessToken, `/v1/logs?starting_after=${logId}`);
    expect(expectError(cursor, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "starting_after",
      reason: "not_found",
    });
  });

  it("another organization's key's usage is a 403 that shows nothing of it", async () => {
    const stranger = await registerAccount(t.app);
    const res = await get(stranger.accessToken, `/v1/api-keys/${ownerKey.id}/usage`);
    expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
    expect(res.body).not.toContain("Acme secret");
  });

  it("requests of another organization are not counted in ours", async () => {
    const before = await t.db
      .selectFrom("logs")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("organization_id", "=", owner.orgId)
      .executeTakeFirstOrThrow();
    const stranger = await registerAccount(t.app);
    await get(stranger.accessToken, `/v1/users/${owner.userId}`);
    await t.app.requestLog.flush();
    const after = await t.db
      .selectFrom("logs")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("organization_id", "=", owner.orgId)
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
