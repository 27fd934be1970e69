import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";
import {
  authorizeQuery,
  decide,
  oauthTokens,
  pkcePair,
  type RegisteredApp,
  registerApp,
  startAuthorization,
} from "../../../test/helpers/oauth.js";

let t: TestApp;
let owner: Account;
let registered: RegisteredApp;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  registered = await registerApp(t.app, owner.accessToken);
});
afterAll(() => t.close());

const newApp = { name: "Sneaky", redirect_uris: ["https://sneaky.example.com/cb"] };

describe("oauth security: who manages apps", () => {
  it("members and managers cannot see, register, change or delete apps; admins can", async () => {
    for (const role of ["member", "manager"]) {
      const person = await memberWithToken(t.app, owner.accessToken, role);
      const attempts = [
        ["POST", "/v1/oauth/apps", newApp, "write:oauth-apps"],
        ["GET", "/v1/oauth/apps", undefined, "read:oauth-apps"],
        ["PATCH", `/v1/oauth/apps/${registered.id}`, { name: "Taken" }, "write:oauth-apps"],
        ["POST", `/v1/oauth/apps/${registered.id}/rotate-secret`, undefined, "write:oauth-apps"],
        ["DELETE", `/v1/oauth/apps/${registered.id}`, undefined, "delete:oauth-apps"],
      ] as const;
      for (const [method, url, payload, scope] of attempts) {
        const res = await call(t.app, person.accessToken, { method, url, ...(payload ? { payload } : {}) });
        expect(expectError(res, 403, "FORBIDDEN").details, `${role} ${method} ${url}`).toEqual({
          reason: "insufficient_scope",
          required_scope: scope,
        });
      }
    }
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const created = await call(t.app, admin.accessToken, {
      method: "POST",
      url: "/v1/oauth/apps",
      payload: newApp,
    });
    expect(created.statusCode).toBe(201);
    expect(
      (await call(t.app, owner.accessToken, { method: "GET", url: `/v1/oauth/apps/${registered.id}` })).json()
        .data.name,
    ).toBe("Invoice Sync");
  });

  it("an API key needs the oauth-apps scopes; coarse write and delete do not include them", async () => {
    const readOnly = await createKey(t.app, owner.accessToken, { scopes: ["read:oauth-apps"] });
    expect((await call(t.app, readOnly.secret, { method: "GET", url: "/v1/oauth/apps" })).statusCode).toBe(
      200,
    );
    const coarse = await createKey(t.app, owner.accessToken, { scopes: ["read", "write", "delete"] });
    const refused = await call(t.app, coarse.secret, {
      method: "POST",
      url: "/v1/oauth/apps",
      payload: newApp,
    });
    expect(expectError(refused, 403, "FORBIDDEN").details?.required_scope).toBe("write:oauth-apps");
    const admin = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    expect(
      (await call(t.app, admin.secret, { method: "POST", url: "/v1/oauth/apps", payload: newApp }))
        .statusCode,
    ).toBe(201);
  });
});

describe("oauth security: only a person decides", () => {
  it("an API key or an app's OAuth token can neither see nor decide an authorization request", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    const tokens = await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "admin",
      registered,
    });
    const requestId = await startAuthorization(t.app, authorizeQuery(registered.id, pkcePair().challenge));
    for (const credential of [key.secret, tokens.accessToken]) {
      const shown = await call(t.app, credential, {
        method: "GET",
        url: `/v1/oauth/authorization-requests/${requestId}`,
      });
      expect(expectError(shown, 403, "FORBIDDEN").details?.reason).toBe("user_token_required");
      for (const decision of [{ organizationId: owner.orgId }, "deny"] as const) {
        const { res } = await decide(t.app, credential, requestId, decision);
        expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("user_token_required");
      }
    }
    // Still open for the person.
    expect(
      (await decide(t.app, owner.accessToken, requestId, { organizationId: owner.orgId })).res.statusCode,
    ).toBe(200);
  });

  it("an OAuth token cannot mint an API key beyond its own scopes, nor switch organization or to the sandbox", async () => {
    const tokens = await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects write:api-keys",
      registered,
    });
    const escalate = await call(t.app, tokens.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "escalate", scopes: ["admin"] },
    });
    expect(expectError(escalate, 403, "FORBIDDEN").details).toEqual({
      reason: "scope_exceeds_credential",
      scopes: ["admin"],
    });
    const sandbox = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/sandbox" });
    const twinId = sandbox.json().data.organization_id as string;
    const intoSandbox = await call(t.app, tokens.accessToken, {
      method: "GET",
      url: "/v1/projects",
      headers: { "x-organization-id": twinId },
    });
    expect(expectError(intoSandbox, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
    // "Mine" is the token's organization alone, even for a person who belongs to others.
    const other = await registerAccount(t.app);
    await addExistingAccount(
      t.app,
      other.accessToken,
      { email: owner.email, accessToken: owner.accessToken },
      "member",
    );
    const mine = await call(t.app, tokens.accessToken, { method: "GET", url: "/v1/organizations" });
    expect(mine.json().data.map((o: { id: string }) => o.id)).toEqual([owner.orgId]);
  });
});

describe("oauth security: grants and tenancy", () => {
  it("a member sees and revokes only their own grants; an admin sees and revokes everyone's", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    await oauthTokens(t.app, member.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects",
      registered,
    });
    await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects",
      registered,
    });
    const list = async (token: string) =>
      (await call(t.app, token, { method: "GET", url: "/v1/oauth/grants?per_page=100" })).json()
        .data as Array<{
        id: string;
        user_id: string;
      }>;
    const mine = await list(member.accessToken);
    expect(mine.map((g) => g.user_id)).toEqual([member.id]);
    const all = await list(owner.accessToken);
    expect(new Set(all.map((g) => g.user_id))).toEqual(new Set([member.id, owner.userId]));

    const ownersGrant = all.find((g) => g.user_id === owner.userId) as { id: string };
    for (const method of ["GET", "DELETE"] as const) {
      const res = await call(t.app, member.accessToken, {
        method,
        url: `/v1/oauth/grants/${ownersGrant.id}`,
      });
      expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("not_owner");
    }
    const membersGrant = mine[0] as { id: string };
    expect(
      (await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/oauth/grants/${membersGrant.id}` }))
        .statusCode,
    ).toBe(204);
  });

  it("below an admin, a person sees the events of their own grants only; app events are for admins", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    await oauthTokens(t.app, owner.accessToken, { organizationId: owner.orgId, scope: "read", registered });
    await oauthTokens(t.app, manager.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects",
      registered,
    });
    const oauthEvents = async (token: string) =>
      (await call(t.app, token, { method: "GET", url: "/v1/events?per_page=100" }))
        .json()
        .data.filter((e: { event: string }) => e.event.startsWith("oauth_"))
        .map((e: { event: string; data: { user_id?: string } }) =>
          `${e.event} ${e.data.user_id ?? ""}`.trim(),
        );
    expect(await oauthEvents(manager.accessToken)).toEqual([`oauth_grant.created ${manager.id}`]);
    const all = await oauthEvents(owner.accessToken);
    expect(all).toEqual(expect.arrayContaining([`oauth_grant.created ${manager.id}`, "oauth_app.created"]));
    expect(all.filter((e: string) => e.endsWith(owner.userId)).length).toBeGreaterThan(0);
  });

  it("another organization's apps and grants are refused by id and never listed", async () => {
    const other = await registerAccount(t.app);
    await oauthTokens(t.app, owner.accessToken, { organizationId: owner.orgId, scope: "read", registered });
    const ownersGrants = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/oauth/grants?per_page=100",
    });
    const grantId = ownersGrants.json().data[0].id as string;
    const attempts = [
      ["GET", `/v1/oauth/apps/${registered.id}`],
      ["PATCH", `/v1/oauth/apps/${registered.id}`],
      ["DELETE", `/v1/oauth/apps/${registered.id}`],
      ["POST", `/v1/oauth/apps/${registered.id}/rotate-secret`],
      ["GET", `/v1/oauth/grants/${grantId}`],
      ["DELETE", `/v1/oauth/grants/${grantId}`],
    ] as const;
    for (const [method, url] of attempts) {
      const res = await call(t.app, other.accessToken, {
        method,
        url,
        ...(method === "PATCH" ? { payload: { name: "Taken" } } : {}),
      });
      // SPEC §3: an id of another organization is 403 FORBIDDEN, and shows nothing of it.
      expect(expectError(res, 403, "FORBIDDEN").details?.reason, `${method} ${url}`).toBe(
        "foreign_organization",
      );
      expect(res.body).not.toContain("Invoice Sync");
    }
    const apps = await call(t.app, other.accessToken, { method: "GET", url: "/v1/oauth/apps" });
    const grants = await call(t.app, other.accessToken, { method: "GET", url: "/v1/oauth/grants" });
    expect([apps.json().data, grants.json().data]).toEqual([[], []]);
    // The app still works for its organization.
    expect(
      (await call(t.app, owner.accessToken, { method: "GET", url: `/v1/oauth/apps/${registered.id}` }))
        .statusCode,
    ).toBe(200);
  });

  it("a token is rate limited per authorization by its organization's plan", async () => {
    await t.db.updateTable("organizations").set({ plan: "free" }).where("id", "=", owner.orgId).execute();
    t.app.authenticator.forget();
    const first = await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read",
      registered,
    });
    const second = await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read",
      registered,
    });
    const remaining = async (token: string) => {
      const res = await call(t.app, token, { method: "GET", url: "/v1/projects" });
      expect(res.headers["x-ratelimit-limit"]).toBe("60");
      return Number(res.headers["x-ratelimit-remaining"]);
    };
    const a = await remaining(first.accessToken);
    expect(await remaining(first.accessToken)).toBe(a - 1);
    // Another authorization counts on its own.
    expect(await remaining(second.accessToken)).toBe(59);
    await t.db
      .updateTable("organizations")
      .set({ plan: "enterprise" })
      .where("id", "=", owner.orgId)
      .execute();
    t.app.authenticator.forget();
  });
});
