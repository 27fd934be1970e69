import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const twinsOf = (orgId: string) =>
  t.db.selectFrom("organizations").select("id").where("sandbox_of", "=", orgId).execute();

describe("sandbox: who reaches it, and how it is made", () => {
  it("two first uses at once, on two processes, make one twin", async () => {
    const owner = await registerAccount(t.app);
    const admin = await addMember(t.app, owner.accessToken, { role: "admin" });
    const keys = [
      await createKey(t.app, owner.accessToken, { mode: "test" }),
      await createKey(t.app, admin.accessToken, { mode: "test" }),
    ];
    const other = await t.anotherProcess();
    const answers = await Promise.all([
      me(t.app, keys[0]?.secret as string),
      me(other, keys[1]?.secret as string),
      call(t.app, owner.accessToken, { method: "GET", url: "/v1/sandbox" }),
      call(other, admin.accessToken, { method: "GET", url: "/v1/sandbox" }),
    ]);
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    const twins = await twinsOf(owner.orgId);
    expect(twins).toHaveLength(1);
    const ids = answers.map((res) => res.json().data.organization?.id ?? res.json().data.organization_id);
    expect(new Set(ids)).toEqual(new Set([twins[0]?.id]));
    // One demo cast, both people in it with their live roles.
    const members = await call(t.app, keys[0]?.secret as string, {
      method: "GET",
      url: "/v1/users?per_page=100",
    });
    expect(members.json().pagination.total).toBe(8);
  });

  it("a revoked or malformed test key is refused before any sandbox is made", async () => {
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken, { mode: "test" });
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    expect(expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED").details?.reason).toBe(
      "revoked_token",
    );
    const unknown = `vlt_test_${"A".repeat(32)}`;
    expect(expectError(await me(t.app, unknown), 401, "UNAUTHORIZED").details?.reason).toBe("invalid_token");
    expect(await twinsOf(owner.orgId)).toEqual([]);
  });

  it("the role in the sandbox is the live one: a demotion or a deactivation reaches test keys", async () => {
    const owner = await registerAccount(t.app);
    const admin = await addMember(t.app, owner.accessToken, { role: "admin" });
    const key = await createKey(t.app, admin.accessToken, { scopes: ["read"], mode: "test" });
    expect((await me(t.app, key.secret)).json().data).toMatchObject({ role: "admin", mode: "test" });
    const demote = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${admin.id}`,
      payload: { role: "member" },
    });
    expect(demote.statusCode).toBe(200);
    const who = (await me(t.app, key.secret)).json().data;
    expect(who).toMatchObject({ role: "member", mode: "test" });
    // The coarse `read` shrinks with the role: members read no logs, in the sandbox either.
    const logs = await call(t.app, key.secret, { method: "GET", url: "/v1/logs" });
    expect(expectError(logs, 403, "FORBIDDEN").details?.required_scope).toBe("read:logs");
    const inTwin = await call(t.app, key.secret, { method: "GET", url: `/v1/users/${admin.id}` });
    expect(inTwin.json().data.role).toBe("member");

    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${admin.id}` });
    expect(expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED").details?.reason).toBe(
      "deactivated_member",
    );
  });

  it("only members of the live organization may use its sandbox's id; nobody signs in to a sandbox", async () => {
    const owner = await registerAccount(t.app);
    const twinId = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/sandbox" })).json().data
      .organization_id;
    const stranger = await registerAccount(t.app);
    const res = await call(t.app, stranger.accessToken, {
      method: "GET",
      url: "/v1/projects",
      headers: { "x-organization-id": twinId },
    });
    expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
    // The owner is a member of the twin (its data is theirs), yet a session is only ever live.
    const login = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: owner.email, password: owner.password, organization_id: twinId },
    });
    expect(expectError(login, 401, "UNAUTHORIZED").details?.reason).toBe("no_active_membership");
    const orgs = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organizations" })).json();
    expect(orgs.data.map((o: { id: string }) => o.id)).toEqual([owner.orgId]);
  });

  it("test mode cannot manage what is the live organization's: keys and members (403 live_only)", async () => {
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken, { scopes: ["admin"], mode: "test" });
    const twinId = (await me(t.app, key.secret)).json().data.organization.id;
    const asTwin = { "x-organization-id": twinId };
    const attempts = [
      { method: "GET", url: "/v1/api-keys" },
      { method: "POST", url: "/v1/api-keys", payload: { name: "minted in test mode", scopes: ["admin"] } },
      { method: "GET", url: `/v1/api-keys/${key.id}` },
      { method: "DELETE", url: `/v1/api-keys/${key.id}` },
      { method: "POST", url: `/v1/api-keys/${key.id}/roll` },
      { method: "GET", url: `/v1/api-keys/${key.id}/usage` },
      { method: "POST", url: "/v1/users", payload: { email: "sandbox-invitee@example.com", role: "admin" } },
      { method: "PATCH", url: `/v1/users/${owner.userId}`, payload: { role: "member" } },
      { method: "DELETE", url: `/v1/users/${owner.userId}` },
    ] as const;
    for (const attempt of attempts) {
      for (const [token, headers] of [
        [key.secret, {}],
        [owner.accessToken, asTwin],
      ] as const) {
        const res = await call(t.app, token, { ...attempt, headers });
        expect(expectError(res, 403, "FORBIDDEN").details, `${attempt.method} ${attempt.url}`).toEqual({
          reason: "live_only",
        });
      }
    }
    // Nothing happened: one key, unrevoked; no invitation; the owner is still the owner.
    const keys = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/api-keys" })).json().data;
    expect(keys).toEqual([expect.objectContaining({ id: key.id, status: "active", mode: "test" })]);
    expect((await me(t.app, owner.accessToken)).json().data.role).toBe("owner");
    const invitations = await t.db
      .selectFrom("invitations")
      .select("id")
      .where("organization_id", "in", [owner.orgId, twinId])
      .execute();
    expect(invitations).toEqual([]);
  });
});
