import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, registerAccount } from "../../../test/helpers/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("accounts: register, login, refresh, logout, me", () => {
  it("registers a user with an organization and answers SPEC §3's token shape", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/register",
      payload: {
        email: "Ada@Example.com",
        password: "correct horse battery",
        name: "Ada",
        organization_name: "Acme",
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      data: {
        token_type: "Bearer",
        access_token: expect.stringMatching(/^vlt_at_[0-9A-Za-z]{40}$/),
        expires_in: 86400,
        refresh_token: expect.stringMatching(/^vlt_rt_[0-9A-Za-z]{40}$/),
        refresh_expires_in: 2592000,
        user: {
          id: expect.stringMatching(/^usr_/),
          email: "Ada@Example.com",
          name: "Ada",
          created_at: expect.stringMatching(/Z$/),
        },
        organization: {
          id: expect.stringMatching(/^org_/),
          name: "Acme",
          plan: "enterprise",
          mode: "live",
          sandbox_of: null,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
      },
      metadata: {
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        request_id: res.headers["x-request-id"],
      },
    });
    const stored = await t.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", body.data.user.id)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("GET /v1/auth/me returns seed 001's shape with role and scopes", async () => {
    const account = await registerAccount(t.app, { name: "Grace", organization_name: "Navy" });
    const res = await call(t.app, account.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data).toMatchObject({
      id: account.userId,
      email: account.email,
      name: "Grace",
      role: "owner",
      mode: "live",
      organization: { id: account.orgId, name: "Navy", sandbox_of: null },
    });
    expect(data.scopes).toContain("write:api-keys");
  });

  it("logs in case-insensitively by e-mail and the new token works", async () => {
    const account = await registerAccount(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: account.email.toUpperCase(), password: account.password },
    });
    expect(res.statusCode).toBe(200);
    const me = await call(t.app, res.json().data.access_token, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data.id).toBe(account.userId);
  });

  it("refresh rotates: the new pair works and the old access token keeps working until it expires", async () => {
    const account = await registerAccount(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/refresh",
      payload: { refresh_token: account.refreshToken },
    });
    expect(res.statusCode).toBe(200);
    const next = res.json().data;
    expect(next.refresh_token).not.toBe(account.refreshToken);
    expect((await call(t.app, next.access_token, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      200,
    );
    const old = await call(t.app, account.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(old.statusCode, old.body).toBe(200);
    const again = await t.app.inject({
      method: "POST",
      url: "/v1/auth/refresh",
      payload: { refresh_token: next.refresh_token },
    });
    expect(again.statusCode).toBe(200);
  });

  it("logout ends the session: access and refresh tokens stop working", async () => {
    const account = await registerAccount(t.app);
    expect((await call(t.app, account.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      200,
    );
    const res = await call(t.app, account.accessToken, { method: "POST", url: "/v1/auth/logout" });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const me = await call(t.app, account.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.details.reason).toBe("revoked_token");
    const refresh = await t.app.inject({
      method: "POST",
      url: "/v1/auth/refresh",
      payload: { refresh_token: account.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it("echoes a well-formed X-Request-ID and replaces a malformed one", async () => {
    const echoed = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "trace-123" },
    });
    expect(echoed.headers["x-request-id"]).toBe("trace-123");
    expect(echoed.json().metadata.request_id).toBe("trace-123");
    const replaced = await t.app.inject({
      method: "GET",
      url: "/health",
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(replaced.headers["x-request-id"]).toMatch(/^req_[0-9A-Z]{26}$/);
  });
});
