import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import {
  authorizeQuery,
  decide,
  oauthTokens,
  pkcePair,
  REDIRECT_URI,
  registerApp,
  startAuthorization,
  tokenRequest,
} from "../../../test/helpers/oauth.js";

// Issue 14, item 1: an organization admin registers, lists, changes, rotates and deletes apps;
// people see (and revoke) what they authorized; every change is an event and an audit entry.
let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Acme Studio" });
});
afterAll(() => t.close());

const as = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
  call(t.app, owner.accessToken, { method, url, ...(payload ? { payload } : {}) });

describe("oauth apps: registration and management", () => {
  it("registers a confidential app: the secret is shown once and only its hash is kept", async () => {
    const res = await as("POST", "/v1/oauth/apps", {
      name: "Invoice Sync",
      redirect_uris: [REDIRECT_URI, "http://127.0.0.1:8080/callback", "com.example.app:/callback"],
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().data;
    expect(created).toEqual({
      id: expect.stringMatching(/^oap_/),
      client_id: created.id,
      name: "Invoice Sync",
      client_type: "confidential",
      redirect_uris: [REDIRECT_URI, "http://127.0.0.1:8080/callback", "com.example.app:/callback"],
      secret_last4: created.client_secret.slice(-4),
      client_secret: expect.stringMatching(/^vlt_ocs_[0-9A-Za-z]{40}$/),
      created_by: owner.userId,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const shown = await as("GET", `/v1/oauth/apps/${created.id}`);
    expect(shown.json().data).not.toHaveProperty("client_secret");
    expect(shown.body).not.toContain(created.client_secret);
    const row = await t.db
      .selectFrom("oauth_apps")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(created.client_secret);
  });

  it("a public app has no secret, and none to rotate", async () => {
    const created = await registerApp(t.app, owner.accessToken, { client_type: "public" });
    expect(created).toMatchObject({ client_type: "public", client_secret: null, secret_last4: null });
    const rotate = await as("POST", `/v1/oauth/apps/${created.id}/rotate-secret`);
    expect(expectError(rotate, 409, "CONFLICT").details?.reason).toBe("public_client");
  });

  it("refuses redirect URIs that could leak a code", async () => {
    const bad = [
      "http://app.example.com/callback",
      "https://app.example.com/callback#fragment",
      "https://user:pass@app.example.com/callback",
      "/relative/callback",
      "javascript:alert(1)",
    ];
    for (const uri of bad) {
      const res = await as("POST", "/v1/oauth/apps", { name: "Bad", redirect_uris: [REDIRECT_URI, uri] });
      expect(expectError(res, 400, "VALIDATION_ERROR").details, uri).toMatchObject({
        field: "redirect_uris[1]",
        reason: "invalid_redirect_uri",
      });
    }
  });

  it("lists, renames, changes redirect URIs, rotates the secret and deletes", async () => {
    const app = await registerApp(t.app, owner.accessToken, { name: "Timesheet Export" });
    const listed = await as("GET", "/v1/oauth/apps?per_page=100");
    expect(listed.json().data.map((a: { id: string }) => a.id)).toContain(app.id);

    const updated = await as("PATCH", `/v1/oauth/apps/${app.id}`, {
      name: "Timesheet Export 2",
      redirect_uris: ["https://export.example.com/cb"],
    });
    expect(updated.json().data).toMatchObject({
      name: "Timesheet Export 2",
      redirect_uris: ["https://export.example.com/cb"],
    });
    // The old redirect URI is no longer registered.
    const old = await t.app.inject({ method: "GET", url: `/oauth/authorize?${authorizeQuery(app.id, "x")}` });
    expect(old.statusCode).toBe(400);

    const rotated = await as("POST", `/v1/oauth/apps/${app.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const secret = rotated.json().data.client_secret as string;
    expect(secret).not.toBe(app.client_secret);
    // The old secret stops at once, the new one works.
    const probe = (clientSecret: string) =>
      tokenRequest(t.app, {
        grant_type: "refresh_token",
        refresh_token: "vlt_ort_0000000000000000000000000000000000000000",
        client_id: app.id,
        client_secret: clientSecret,
      });
    expect((await probe(app.client_secret as string)).json().error).toBe("invalid_client");
    expect((await probe(secret)).json().error).toBe("invalid_grant");

    expect((await as("DELETE", `/v1/oauth/apps/${app.id}`)).statusCode).toBe(204);
    const after = await as("GET", "/v1/oauth/apps?per_page=100");
    expect(after.json().data.map((a: { id: string }) => a.id)).not.toContain(app.id);
  });

  it("honours If-Match: a stale ETag changes nothing", async () => {
    const app = await registerApp(t.app, owner.accessToken);
    const read = await as("GET", `/v1/oauth/apps/${app.id}`);
    const etag = read.headers.etag as string;
    await as("PATCH", `/v1/oauth/apps/${app.id}`, { name: "Changed" });
    const stale = await call(t.app, owner.accessToken, {
      method: "DELETE",
      url: `/v1/oauth/apps/${app.id}`,
      headers: { "if-match": etag },
    });
    expectError(stale, 412, "PRECONDITION_FAILED");
    expect((await as("GET", `/v1/oauth/apps/${app.id}`)).statusCode).toBe(200);
  });

  it("records each change as an event and an audit entry, never with the secret", async () => {
    const app = await registerApp(t.app, owner.accessToken, { name: "Audited" });
    await as("POST", `/v1/oauth/apps/${app.id}/rotate-secret`);
    await as("DELETE", `/v1/oauth/apps/${app.id}`);
    const events = await as("GET", "/v1/events?per_page=100");
    const mine = events.json().data.filter((e: { resource_id: string }) => e.resource_id === app.id);
    expect(mine.map((e: { event: string }) => e.event).sort()).toEqual([
      "oauth_app.created",
      "oauth_app.deleted",
      "oauth_app.secret_rotated",
    ]);
    expect(JSON.stringify(mine)).not.toContain("vlt_ocs_");
    const audit = await as("GET", `/v1/logs?kind=audit&resource_id=${app.id}`);
    expect(
      audit
        .json()
        .data.map((e: { action: string }) => e.action)
        .sort(),
    ).toEqual(["oauth_app.created", "oauth_app.deleted", "oauth_app.secret_rotated"]);
  });
});

describe("oauth grants: what people authorized", () => {
  it("a consent is remembered: the next request shows it, and a wider one widens it", async () => {
    const app = await registerApp(t.app, owner.accessToken, { name: "Remembered" });
    await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects",
      registered: app,
    });

    const { challenge } = pkcePair();
    const again = await startAuthorization(
      t.app,
      authorizeQuery(app.id, challenge, { scope: "read:projects" }),
    );
    const shown = await as("GET", `/v1/oauth/authorization-requests/${again}`);
    expect(shown.json().data.organizations).toEqual([
      { id: owner.orgId, name: "Acme Studio", role: "owner", allowed: true, remembered: true },
    ]);
    const wider = await startAuthorization(
      t.app,
      authorizeQuery(app.id, challenge, { scope: "read:projects write:tags" }),
    );
    const widerShown = await as("GET", `/v1/oauth/authorization-requests/${wider}`);
    expect(widerShown.json().data.organizations[0].remembered).toBe(false);
    await decide(t.app, owner.accessToken, wider, { organizationId: owner.orgId });

    const grants = await as("GET", `/v1/oauth/grants?app_id=${app.id}`);
    expect(grants.json().data).toEqual([
      {
        id: expect.stringMatching(/^ogr_/),
        app: { id: app.id, name: "Remembered" },
        user_id: owner.userId,
        scopes: ["read:projects", "write:tags"],
        status: "active",
        created_at: expect.any(String),
        updated_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    const grantId = grants.json().data[0].id;
    const events = await as("GET", "/v1/events?per_page=100");
    expect(
      events
        .json()
        .data.filter((e: { resource_id: string }) => e.resource_id === grantId)
        .map((e: { event: string }) => e.event),
    ).toEqual(["oauth_grant.updated", "oauth_grant.created"]);

    expect((await as("DELETE", `/v1/oauth/grants/${grantId}`)).statusCode).toBe(204);
    expect((await as("DELETE", `/v1/oauth/grants/${grantId}`)).statusCode).toBe(204);
    const revoked = await as("GET", `/v1/oauth/grants/${grantId}`);
    expect(revoked.json().data).toMatchObject({ status: "revoked", revoked_at: expect.any(String) });
    const audit = await as("GET", `/v1/logs?kind=audit&resource_id=${grantId}`);
    expect(audit.json().data.map((e: { action: string }) => e.action)).toEqual([
      "oauth_grant.revoked",
      "oauth_grant.updated",
      "oauth_grant.created",
    ]);
  });
});
