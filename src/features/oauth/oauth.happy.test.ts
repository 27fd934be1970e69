import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { listen } from "../../../test/helpers/event-stream.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { authorizationUrl, REDIRECT_URI, registerApp } from "../../../test/helpers/oauth.js";

/**
 * Issue 14: a real OAuth client library (oauth4webapi) completes the whole flow against a
 * listening server: discovery (RFC 8414), PKCE authorization with consent submitted over HTTP,
 * code exchange, an API call, refresh with rotation, revocation (RFC 7009).
 */
let t: TestApp;
let base: string;
let owner: Account;
let issuer: URL;

beforeAll(async () => {
  t = await createTestApp();
  base = await listen(t.app);
  issuer = new URL(base);
  owner = await registerAccount(t.app, { organization_name: "Acme Studio" });
});
afterAll(() => t.close());

// The test server speaks http on 127.0.0.1; production sits behind TLS.
const insecure = { [oauth.allowInsecureRequests]: true };

async function discover() {
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** The browser's part: follow /oauth/authorize to the consent screen, where the person approves. */
async function consent(authorizationUrl: URL, decision: "approve" | "deny" = "approve") {
  const started = await fetch(authorizationUrl, { redirect: "manual" });
  expect(started.status).toBe(302);
  const consentUrl = new URL(started.headers.get("location") as string, base);
  expect(consentUrl.pathname).toBe("/oauth/consent");
  const requestId = consentUrl.searchParams.get("request") as string;
  const shown = await call(t.app, owner.accessToken, {
    method: "GET",
    url: `/v1/oauth/authorization-requests/${requestId}`,
  });
  expect(shown.statusCode, shown.body).toBe(200);
  const decided = await call(t.app, owner.accessToken, {
    method: "POST",
    url: `/v1/oauth/authorization-requests/${requestId}/${decision}`,
    ...(decision === "approve" ? { payload: { organization_id: owner.orgId } } : {}),
  });
  expect(decided.statusCode, decided.body).toBe(200);
  return { shown: shown.json().data, redirectTo: new URL(decided.json().data.redirect_to) };
}

describe("oauth: a third-party app's journey with oauth4webapi", () => {
  it("discovers the server from its RFC 8414 metadata", async () => {
    const as = await discover();
    expect(as).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
    });
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["read", "read:projects", "admin"]));
  });

  for (const clientType of ["confidential", "public"] as const) {
    it(`a ${clientType} app: authorize with PKCE, exchange, call the API, refresh, revoke`, async () => {
      const registered = await registerApp(t.app, owner.accessToken, { client_type: clientType });
      const as = await discover();
      const client: oauth.Client = { client_id: registered.client_id };
      const clientAuth =
        clientType === "confidential"
          ? oauth.ClientSecretBasic(registered.client_secret as string)
          : oauth.None();

      const { url, verifier, state } = await authorizationUrl(
        as,
        client.client_id,
        "read:projects write:projects",
      );
      const { shown, redirectTo } = await consent(url);
      expect(shown).toMatchObject({
        app: { name: "Invoice Sync", client_type: clientType },
        redirect_uri: REDIRECT_URI,
        scopes: [
          { scope: "read:projects", description: "See projects" },
          { scope: "write:projects", description: "Create and change projects" },
        ],
        organizations: [{ id: owner.orgId, name: "Acme Studio", role: "owner", allowed: true }],
      });
      expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(REDIRECT_URI);

      const callback = oauth.validateAuthResponse(as, client, redirectTo, state);
      const exchanged = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          callback,
          REDIRECT_URI,
          verifier,
          insecure,
        ),
      );
      expect(exchanged).toMatchObject({ token_type: "bearer", scope: "read:projects write:projects" });
      // An hour, counted down from when the token was stored.
      expect(exchanged.expires_in).toBeGreaterThan(3500);
      expect(exchanged.expires_in).toBeLessThanOrEqual(3600);
      expect(exchanged.access_token).toMatch(/^vlt_oat_/);
      expect(exchanged.refresh_token).toMatch(/^vlt_ort_/);

      // The token is a Bearer credential on the API, acting as the person with the granted scopes.
      const project = await oauth.protectedResourceRequest(
        exchanged.access_token,
        "POST",
        new URL(`${base}/v1/projects`),
        new Headers({ "content-type": "application/json" }),
        JSON.stringify({ name: `Made by the ${clientType} app` }),
        insecure,
      );
      expect(project.status).toBe(201);
      const me = await call(t.app, exchanged.access_token, { method: "GET", url: "/v2/auth/me" });
      expect(me.json().data).toMatchObject({
        id: owner.userId,
        role: "owner",
        scopes: ["read:projects", "write:projects"],
        organization: { id: owner.orgId },
      });

      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
          as,
          client,
          clientAuth,
          exchanged.refresh_token as string,
          insecure,
        ),
      );
      expect(refreshed.refresh_token).not.toBe(exchanged.refresh_token);
      expect(refreshed.access_token).not.toBe(exchanged.access_token);
      const listed = await call(t.app, refreshed.access_token, { method: "GET", url: "/v1/projects" });
      expect(listed.json().data.map((p: { name: string }) => p.name)).toContain(
        `Made by the ${clientType} app`,
      );

      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, clientAuth, refreshed.access_token, insecure),
      );
      for (const token of [refreshed.access_token, exchanged.access_token]) {
        const after = await call(t.app, token, { method: "GET", url: "/v1/projects" });
        expect(after.statusCode).toBe(401);
        expect(after.json().error.details.reason).toBe("revoked_token");
      }
      // The refresh chain ended with it.
      const refreshAgain = await oauth.refreshTokenGrantRequest(
        as,
        client,
        clientAuth,
        refreshed.refresh_token as string,
        insecure,
      );
      expect(refreshAgain.status).toBe(400);
      expect((await refreshAgain.json()).error).toBe("invalid_grant");
    });
  }

  it("a denied request sends the app access_denied with its state, and issues nothing", async () => {
    const registered = await registerApp(t.app, owner.accessToken);
    const as = await discover();
    const client: oauth.Client = { client_id: registered.client_id };
    const { url, state } = await authorizationUrl(as, client.client_id, "read");
    const { redirectTo } = await consent(url, "deny");
    expect(Object.fromEntries(redirectTo.searchParams)).toMatchObject({ error: "access_denied", state });
    expect(redirectTo.searchParams.has("code")).toBe(false);
    expect(() => oauth.validateAuthResponse(as, client, redirectTo, state)).toThrow();
    const grants = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/oauth/grants?app_id=${registered.id}`,
    });
    expect(grants.json().data).toEqual([]);
  });
});
