import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { hashSecret } from "../../platform/auth/secrets.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const me = (headers: Record<string, string>) => t.app.inject({ method: "GET", url: "/v1/auth/me", headers });

describe("every authentication failure is 401 UNAUTHORIZED with a reason", () => {
  it("missing Authorization header", async () => {
    const error = expectError(await me({}), 401, "UNAUTHORIZED");
    expect(error.details).toEqual({ reason: "missing_credentials" });
  });

  it("missing Bearer prefix", async () => {
    const { accessToken } = await registerAccount(t.app);
    for (const authorization of [
      accessToken,
      `Token ${accessToken}`,
      "Bearer",
      `Bearer ${accessToken} extra`,
    ]) {
      const error = expectError(await me({ authorization }), 401, "UNAUTHORIZED");
      expect(error.details).toEqual({ reason: "missing_bearer_prefix" });
    }
  });

  it("malformed token, including a refresh token used as a bearer token", async () => {
    const { refreshToken } = await registerAccount(t.app);
    for (const token of ["abc", "vlt_live_short", refreshToken]) {
      const error = expectError(await me({ authorization: `Bearer ${token}` }), 401, "UNAUTHORIZED");
      expect(error.details).toEqual({ reason: "malformed_token" });
    }
  });

  it("well-formed but unknown token", async () => {
    const error = expectError(
      await me({ authorization: `Bearer vlt_at_${"A".repeat(40)}` }),
      401,
      "UNAUTHORIZED",
    );
    expect(error.details).toEqual({ reason: "invalid_token" });
  });

  it("expired access token (24 h)", async () => {
    const { accessToken } = await registerAccount(t.app);
    await t.db
      .updateTable("session_tokens")
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where("token_hash", "=", hashSecret(accessToken))
      .execute();
    t.app.authenticator.forget();
    const error = expectError(await me({ authorization: `Bearer ${accessToken}` }), 401, "UNAUTHORIZED");
    expect(error.details).toEqual({ reason: "expired_token" });
  });

  it("tokens are stored only as SHA-256 hashes", async () => {
    const { accessToken, refreshToken, userId } = await registerAccount(t.app);
    const rows = await t.db
      .selectFrom("session_tokens as st")
      .innerJoin("sessions as s", "s.id", "st.session_id")
      .select(["st.token_hash"])
      .where("s.user_id", "=", userId)
      .execute();
    expect(rows.map((r) => r.token_hash).sort()).toEqual(
      [hashSecret(accessToken), hashSecret(refreshToken)].sort(),
    );
  });
});

describe("login", () => {
  it("wrong password and unknown e-mail get the same 401", async () => {
    const account = await registerAccount(t.app);
    const wrong = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: account.email, password: "nope-nope" },
    });
    const unknown = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: "nobody@example.com", password: "nope-nope" },
    });
    const a = expectError(wrong, 401, "UNAUTHORIZED");
    const b = expectError(unknown, 401, "UNAUTHORIZED");
    expect(a).toEqual(b);
    expect(a.details).toEqual({ reason: "invalid_credentials" });
  });

  it("an organization the user does not belong to is refused", async () => {
    const account = await registerAccount(t.app);
    const other = await registerAccount(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: account.email, password: account.password, organization_id: other.orgId },
    });
    expect(expectError(res, 401, "UNAUTHORIZED").details).toEqual({ reason: "no_active_membership" });
  });
});

describe("refresh rotation", () => {
  const refresh = (token: string) =>
    t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refresh_token: token } });

  it("re-using a spent refresh token revokes the whole family", async () => {
    const account = await registerAccount(t.app);
    const first = (await refresh(account.refreshToken)).json().data;
    // Both access tokens in use, so that this process holds them when the family is revoked.
    for (const token of [account.accessToken, first.access_token]) {
      expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    }
    const reuse = expectError(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    expect(reuse.details).toEqual({ reason: "refresh_token_reused" });
    // Everything the family produced stops working: the rotated pair and the original access token.
    expect(
      expectError(await me({ authorization: `Bearer ${first.access_token}` }), 401, "UNAUTHORIZED").details,
    ).toEqual({
      reason: "revoked_token",
    });
    expectError(await me({ authorization: `Bearer ${account.accessToken}` }), 401, "UNAUTHORIZED");
    expectError(await refresh(first.refresh_token), 401, "UNAUTHORIZED");
  });

  it("two concurrent refreshes with one token: exactly one succeeds", async () => {
    const account = await registerAccount(t.app);
    const results = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it("expired and unknown refresh tokens", async () => {
    const account = await registerAccount(t.app);
    await t.db
      .updateTable("session_tokens")
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where("token_hash", "=", hashSecret(account.refreshToken))
      .execute();
    expect(expectError(await refresh(account.refreshToken), 401, "UNAUTHORIZED").details).toEqual({
      reason: "expired_token",
    });
    expect(expectError(await refresh(`vlt_rt_${"B".repeat(40)}`), 401, "UNAUTHORIZED").details).toEqual({
      reason: "invalid_token",
    });
  });
});

describe("X-Organization-ID", () => {
  it("a malformed value is a 400 naming the header", async () => {
    const { accessToken } = await registerAccount(t.app);
    const res = await me({ authorization: `Bearer ${accessToken}`, "x-organization-id": "acme" });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "X-Organization-ID" });
  });

  it("an organization the user is not a member of is 403 FORBIDDEN", async () => {
    const mine = await registerAccount(t.app);
    const theirs = await registerAccount(t.app);
    const res = await me({ authorization: `Bearer ${mine.accessToken}`, "x-organization-id": theirs.orgId });
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "organization_not_allowed" });
  });

  it("a platform admin's user token (VOLTASIS_PLATFORM_ADMINS) acts in any organization, as its admin", async () => {
    const operator = await registerAccount(t.app);
    const customer = await registerAccount(t.app, { organization_name: "Customer Org" });
    const platform = await t.anotherProcess({ VOLTASIS_PLATFORM_ADMINS: operator.userId });
    const asOperator = (token: string) =>
      platform.inject({
        method: "GET",
        url: "/v1/auth/me",
        headers: { authorization: `Bearer ${token}`, "x-organization-id": customer.orgId },
      });
    const res = await asOperator(operator.accessToken);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      role: "admin",
      organization: { id: customer.orgId, name: "Customer Org" },
    });
    // Not a platform admin there: the same request from the customer's own owner token elsewhere is refused.
    const stranger = await registerAccount(t.app);
    expectError(await asOperator(stranger.accessToken), 403, "FORBIDDEN");
    // A key of the platform admin stays bound to its organization.
    const key = await call(t.app, operator.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "ops", scopes: ["read"] },
    });
    expectError(await asOperator(key.json().data.secret), 403, "FORBIDDEN");
    // An unknown organization is refused even for a platform admin.
    const unknown = await platform.inject({
      method: "GET",
      url: "/v1/auth/me",
      headers: {
        authorization: `Bearer ${operator.accessToken}`,
        "x-organization-id": "org_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      },
    });
    expectError(unknown, 403, "FORBIDDEN");
  });

  it("the token's own organization is accepted", async () => {
    const mine = await registerAccount(t.app);
    const res = await me({ authorization: `Bearer ${mine.accessToken}`, "x-organization-id": mine.orgId });
    expect(res.statusCode).toBe(200);
  });
});

describe("logout", () => {
  it("with an API key is a 400 pointing at key revocation", async () => {
    const account = await registerAccount(t.app);
    const created = await call(t.app, account.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "ci", scopes: ["read"] },
    });
    expect(created.statusCode).toBe(201);
    const res = await call(t.app, created.json().data.secret, { method: "POST", url: "/v1/auth/logout" });
    expect(expectError(res, 400, "INVALID_REQUEST").details).toEqual({ reason: "not_a_session" });
  });
});
