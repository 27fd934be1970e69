import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";
import {
  authorizeQuery,
  decide,
  oauthTokens,
  pkcePair,
  REDIRECT_URI,
  type RegisteredApp,
  registerApp,
  startAuthorization,
  tokenRequest,
} from "../../../test/helpers/oauth.js";

let t: TestApp;
let owner: Account;
let registered: RegisteredApp;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  registered = await registerApp(t.app, owner.accessToken, { client_type: "public" });
});
afterAll(() => t.close());

const authorize = (query: string) => t.app.inject({ method: "GET", url: `/oauth/authorize?${query}` });
const apiCall = (token: string, url = "/v1/projects") => call(t.app, token, { method: "GET", url });

/** Where /oauth/authorize sent the browser back to the app, with the error's parameters. */
function redirectedError(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode, res.body).toBe(302);
  const location = new URL(res.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return Object.fromEntries(location.searchParams);
}

/** An approved code of the shared public app, with the verifier that goes with it. */
async function approvedCode(scope = "read:projects") {
  const { verifier, challenge } = pkcePair();
  const requestId = await startAuthorization(t.app, authorizeQuery(registered.id, challenge, { scope }));
  const { redirect } = await decide(t.app, owner.accessToken, requestId, { organizationId: owner.orgId });
  return { code: redirect?.searchParams.get("code") as string, verifier };
}

const exchange = (code: string, verifier: string | undefined, extra: Record<string, string> = {}) =>
  tokenRequest(t.app, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: registered.id,
    ...(verifier === undefined ? {} : { code_verifier: verifier }),
    ...extra,
  });

/** The owner's consent to `app` in their organization, exchanged for tokens. */
const ownerTokens = (scope: string, app = registered) =>
  oauthTokens(t.app, owner.accessToken, { organizationId: owner.orgId, scope, registered: app });

const refresh = (refreshToken: string, app = registered) =>
  tokenRequest(t.app, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: app.id,
    ...(app.client_secret ? { client_secret: app.client_secret } : {}),
  });

describe("oauth: the authorization endpoint refuses before trusting the redirect URI", () => {
  it("an unknown client, or none, is answered here and never redirected", async () => {
    const { challenge } = pkcePair();
    for (const clientId of ["oap_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", "not-an-id", undefined]) {
      const res = await authorize(authorizeQuery(registered.id, challenge, { client_id: clientId }));
      expect(res.headers.location).toBeUndefined();
      expect(expectError(res, 400, "INVALID_REQUEST").details).toMatchObject({
        field: "client_id",
        reason: "unknown_client",
      });
    }
  });

  it("a redirect URI that is not registered exactly is refused: no open redirect", async () => {
    const { challenge } = pkcePair();
    const attempts = [
      "https://evil.example.com/oauth/callback",
      "https://app.example.com/oauth/callback/../../evil",
      "https://app.example.com/oauth/callback?next=https://evil.example.com",
      "https://app.example.com/oauth/callback/",
      "https://APP.example.com/oauth/callback",
      "https://app.example.com.evil.example.com/oauth/callback",
      "https://app.example.com@evil.example.com/oauth/callback",
      "//evil.example.com",
      "",
      undefined,
    ];
    for (const redirectUri of attempts) {
      const res = await authorize(authorizeQuery(registered.id, challenge, { redirect_uri: redirectUri }));
      expect(res.headers.location, String(redirectUri)).toBeUndefined();
      expect(expectError(res, 400, "INVALID_REQUEST").details?.reason).toBe("redirect_uri_mismatch");
    }
    // Sent twice, the registered one included: refused as well, never picked from.
    const twice = await authorize(
      `${authorizeQuery(registered.id, challenge)}&redirect_uri=${encodeURIComponent("https://evil.example.com/")}`,
    );
    expect(twice.headers.location).toBeUndefined();
    expect(twice.statusCode).toBe(400);
  });
  it("a browser is told in a page, escaped, with nothing to run; a program gets the envelope", async () => {
    const { challenge } = pkcePair();
    const res = await t.app.inject({
      method: "GET",
      url: `/oauth/authorize?${authorizeQuery(registered.id, challenge, { redirect_uri: "https://evil.example.com/<script>" })}`,
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["content-security-policy"]).toBe("default-src 'none'");
    expect(res.body).toContain("<h1>This app's sign-in link is not valid</h1>");
    expect(res.body).toContain("redirect_uri must be one of the app&#39;s registered redirect URIs, exactly");
    expect(res.body).not.toMatch(/<script|evil\.example/);
  });
});

describe("oauth: once the redirect URI is trusted, errors go back to the app", () => {
  it("PKCE plain is refused; S256 is the only method", async () => {
    const { verifier } = pkcePair();
    const plain = await authorize(
      authorizeQuery(registered.id, verifier, { code_challenge_method: "plain", state: "s1" }),
    );
    expect(redirectedError(plain)).toEqual({
      error: "invalid_request",
      error_description: "code_challenge_method plain is not allowed: use S256",
      state: "s1",
    });
    const none = await authorize(
      authorizeQuery(registered.id, verifier, { code_challenge_method: undefined }),
    );
    expect(redirectedError(none).error).toBe("invalid_request");
  });

  it("a missing or malformed code challenge is refused", async () => {
    for (const challenge of [undefined, "short", "x".repeat(44)]) {
      const res = await authorize(authorizeQuery(registered.id, "", { code_challenge: challenge }));
      expect(redirectedError(res)).toMatchObject({ error: "invalid_request", state: "state-123" });
    }
  });

  it("a missing state is refused (and none is invented)", async () => {
    const { challenge } = pkcePair();
    const res = await authorize(authorizeQuery(registered.id, challenge, { state: undefined }));
    expect(redirectedError(res)).toEqual({
      error: "invalid_request",
      error_description: "state is required",
    });
  });

  it("response types other than code, unknown or missing scopes", async () => {
    const { challenge } = pkcePair();
    const token = await authorize(authorizeQuery(registered.id, challenge, { response_type: "token" }));
    expect(redirectedError(token).error).toBe("unsupported_response_type");
    const unknown = await authorize(authorizeQuery(registered.id, challenge, { scope: "read:everything" }));
    expect(redirectedError(unknown)).toMatchObject({
      error: "invalid_scope",
      error_description: "Unknown scopes: read:everything",
    });
    const missing = await authorize(authorizeQuery(registered.id, challenge, { scope: undefined }));
    expect(redirectedError(missing).error).toBe("invalid_scope");
  });
});

describe("oauth: consent", () => {
  it("a scope beyond the person's role sends the app invalid_scope and remembers nothing", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const { challenge } = pkcePair();
    const requestId = await startAuthorization(
      t.app,
      authorizeQuery(registered.id, challenge, { scope: "read:projects write:webhooks" }),
    );
    const shown = await call(t.app, member.accessToken, {
      method: "GET",
      url: `/v1/oauth/authorization-requests/${requestId}`,
    });
    expect(shown.json().data.organizations).toEqual([
      expect.objectContaining({ id: owner.orgId, role: "member", allowed: false, remembered: false }),
    ]);
    const { redirect } = await decide(t.app, member.accessToken, requestId, { organizationId: owner.orgId });
    expect(Object.fromEntries(redirect?.searchParams ?? [])).toEqual({
      error: "invalid_scope",
      error_description: "Invalid scope: the role member cannot grant write:webhooks",
      state: "state-123",
    });
    const grants = await call(t.app, member.accessToken, { method: "GET", url: "/v1/oauth/grants" });
    expect(grants.json().data).toEqual([]);
  });

  it("a request is decided once; an unknown one is a 404", async () => {
    const { challenge } = pkcePair();
    const requestId = await startAuthorization(t.app, authorizeQuery(registered.id, challenge));
    expect((await decide(t.app, owner.accessToken, requestId, "deny")).res.statusCode).toBe(200);
    const again = await decide(t.app, owner.accessToken, requestId, { organizationId: owner.orgId });
    expectError(again.res, 404, "NOT_FOUND");
    const shown = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/oauth/authorization-requests/${requestId}`,
    });
    expectError(shown, 404, "NOT_FOUND");
  });

  it("a person cannot authorize an app in an organization they are not an active member of", async () => {
    const stranger = await registerAccount(t.app);
    const { challenge } = pkcePair();
    const requestId = await startAuthorization(t.app, authorizeQuery(registered.id, challenge));
    const { res } = await decide(t.app, stranger.accessToken, requestId, { organizationId: owner.orgId });
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "organization_not_allowed" });
    // Still open: the refusal decided nothing.
    const { res: ok } = await decide(t.app, stranger.accessToken, requestId, {
      organizationId: stranger.orgId,
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe("oauth: the token endpoint", () => {
  it("a missing or wrong verifier is refused, and spends the code", async () => {
    const missing = await approvedCode();
    const res = await exchange(missing.code, undefined);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "invalid_grant",
      error_description: "Missing parameter: `code_verifier`",
    });

    const wrong = await approvedCode();
    const refused = await exchange(wrong.code, pkcePair().verifier);
    expect(refused.json()).toEqual({
      error: "invalid_grant",
      error_description: "Invalid grant: code verifier is invalid",
    });
    // The code was spent by the failed attempt: guessing verifiers gets one try per code.
    expect((await exchange(wrong.code, wrong.verifier)).json().error).toBe("invalid_grant");
  });

  it("a redirect URI other than the authorization request's is refused", async () => {
    const { code, verifier } = await approvedCode();
    const res = await exchange(code, verifier, { redirect_uri: "https://app.example.com/other" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("invalid_request");
  });

  it("a replayed code is refused and ends the tokens its first exchange issued", async () => {
    const { code, verifier } = await approvedCode();
    const first = await exchange(code, verifier);
    expect(first.statusCode).toBe(200);
    const { access_token: accessToken, refresh_token: refreshToken } = first.json();
    expect((await apiCall(accessToken)).statusCode).toBe(200);

    const replay = await exchange(code, verifier);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe("invalid_grant");
    expect(expectError(await apiCall(accessToken), 401, "UNAUTHORIZED").details?.reason).toBe(
      "revoked_token",
    );
    expect((await refresh(refreshToken)).json().error).toBe("invalid_grant");
  });

  it("an expired code is refused", async () => {
    const { code, verifier } = await approvedCode();
    await t.db
      .updateTable("oauth_authorization_codes")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("used_at", "is", null)
      .execute();
    const res = await exchange(code, verifier);
    expect(res.json()).toEqual({
      error: "invalid_grant",
      error_description: "Invalid grant: authorization code has expired",
    });
  });

  it("a code is only for the app it was issued to; a confidential app must prove its secret", async () => {
    const confidential = await registerApp(t.app, owner.accessToken);
    const { code, verifier } = await approvedCode();
    const stolen = await tokenRequest(t.app, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: confidential.id,
      client_secret: confidential.client_secret as string,
    });
    expect(stolen.json().error).toBe("invalid_grant");

    const tokens = await ownerTokens("read", confidential);
    const noSecret = await refresh(tokens.refreshToken, { ...confidential, client_secret: null });
    expect(noSecret.json().error).toBe("invalid_client");
    const basic = Buffer.from(`${confidential.id}:vlt_ocs_wrong`).toString("base64");
    const wrongSecret = await tokenRequest(
      t.app,
      { grant_type: "refresh_token", refresh_token: tokens.refreshToken },
      { authorization: `Basic ${basic}` },
    );
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.headers["www-authenticate"]).toBeDefined();
    expect(wrongSecret.json().error).toBe("invalid_client");
    // Neither failure spent the refresh token.
    expect((await refresh(tokens.refreshToken, confidential)).statusCode).toBe(200);
  });

  it("a refresh token presented again after rotation ends the whole chain", async () => {
    const tokens = await ownerTokens("read:projects");
    const rotated = await refresh(tokens.refreshToken);
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json();

    const reused = await refresh(tokens.refreshToken);
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error).toBe("invalid_grant");
    // Both holders are cut off: the newest pair too.
    expect((await refresh(next.refresh_token)).json().error).toBe("invalid_grant");
    expect(expectError(await apiCall(next.access_token), 401, "UNAUTHORIZED").details?.reason).toBe(
      "revoked_token",
    );
  });

  it("a refresh may narrow the scopes, never widen them", async () => {
    const tokens = await ownerTokens("read:projects read:tags");
    const wider = await tokenRequest(t.app, {
      grant_type: "refresh_token",
      refresh_token: tokens.refreshToken,
      client_id: registered.id,
      scope: "read:projects write:projects",
    });
    expect(wider.json().error).toBe("invalid_scope");
  });
});

describe("oauth: revocation (RFC 7009)", () => {
  const revoke = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/oauth/revoke",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      payload: new URLSearchParams(form).toString(),
    });

  it("an app revokes only its own tokens; an unknown token is answered the same way", async () => {
    const thief = await registerApp(t.app, owner.accessToken, { client_type: "public" });
    const tokens = await ownerTokens("read");
    for (const token of [tokens.accessToken, tokens.refreshToken, "vlt_oat_unknown", "anything"]) {
      const res = await revoke({ token, client_id: thief.id });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe("");
    }
    expect((await apiCall(tokens.accessToken)).statusCode).toBe(200);
    // Revoking the refresh token ends the access token too.
    expect((await revoke({ token: tokens.refreshToken, client_id: registered.id })).statusCode).toBe(200);
    expect((await apiCall(tokens.accessToken)).statusCode).toBe(401);
  });

  it("refuses an unauthenticated client, and a request without a token, in RFC 6749's format", async () => {
    const confidential = await registerApp(t.app, owner.accessToken);
    const noSecret = await revoke({ token: "vlt_oat_x", client_id: confidential.id });
    expect(noSecret.statusCode).toBe(401);
    expect(noSecret.json()).toEqual({
      error: "invalid_client",
      error_description: "Client authentication failed",
    });
    const basic = Buffer.from(`${confidential.id}:wrong`).toString("base64");
    const wrong = await revoke({ token: "vlt_oat_x" }, { authorization: `Basic ${basic}` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Basic/);
    const missing = await revoke({ client_id: registered.id });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe("invalid_request");
  });
});

describe("oauth: what ends a token", () => {
  it("a revoked app (deleted) stops its tokens, its client id and its refreshes", async () => {
    const doomed = await registerApp(t.app, owner.accessToken);
    const tokens = await ownerTokens("read", doomed);
    expect((await apiCall(tokens.accessToken)).statusCode).toBe(200);
    const deleted = await call(t.app, owner.accessToken, {
      method: "DELETE",
      url: `/v1/oauth/apps/${doomed.id}`,
    });
    expect(deleted.statusCode).toBe(204);

    expect(expectError(await apiCall(tokens.accessToken), 401, "UNAUTHORIZED").details?.reason).toBe(
      "revoked_token",
    );
    expect((await refresh(tokens.refreshToken, doomed)).json().error).toBe("invalid_client");
    const again = await authorize(authorizeQuery(doomed.id, pkcePair().challenge));
    expect(expectError(again, 400, "INVALID_REQUEST").details?.reason).toBe("unknown_client");
    const grant = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/oauth/grants?app_id=${doomed.id}`,
    });
    expect(grant.json().data).toEqual([
      expect.objectContaining({ status: "revoked", app: { id: doomed.id, name: "Invoice Sync" } }),
    ]);
    expectError(
      await call(t.app, owner.accessToken, { method: "GET", url: `/v1/oauth/apps/${doomed.id}` }),
      404,
      "NOT_FOUND",
    );
  });

  it("a revoked grant stops its tokens at once", async () => {
    const tokens = await ownerTokens("read");
    const grants = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/oauth/grants?app_id=${registered.id}&status=active`,
    });
    const [grant] = grants.json().data;
    expect(
      (await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/oauth/grants/${grant.id}` }))
        .statusCode,
    ).toBe(204);
    expect((await apiCall(tokens.accessToken)).statusCode).toBe(401);
    expect((await refresh(tokens.refreshToken)).json().error).toBe("invalid_grant");
  });

  it("a demotion shrinks what the token may do; a removed member's token stops", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const tokens = await oauthTokens(t.app, admin.accessToken, {
      organizationId: owner.orgId,
      scope: "read:projects read:webhooks",
      registered,
    });
    expect((await apiCall(tokens.accessToken, "/v1/webhooks")).statusCode).toBe(200);

    const demoted = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${admin.id}`,
      payload: { role: "member" },
    });
    expect(demoted.statusCode).toBe(200);
    const refused = await apiCall(tokens.accessToken, "/v1/webhooks");
    expect(expectError(refused, 403, "FORBIDDEN").details).toMatchObject({
      reason: "insufficient_scope",
      required_scope: "read:webhooks",
    });
    expect((await apiCall(tokens.accessToken, "/v1/projects")).statusCode).toBe(200);

    const removed = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${admin.id}` });
    expect(removed.statusCode).toBe(204);
    expect(expectError(await apiCall(tokens.accessToken), 401, "UNAUTHORIZED").details?.reason).toBe(
      "deactivated_member",
    );
    expect((await refresh(tokens.refreshToken)).json().error).toBe("invalid_grant");
  });

  it("a token of one organization used with another's X-Organization-ID is refused", async () => {
    const other = await registerAccount(t.app);
    // The person is a member of both; the token still acts in the one they authorized only.
    const joined = await addExistingAccount(
      t.app,
      other.accessToken,
      { email: (await me(owner.accessToken)).email, accessToken: owner.accessToken },
      "admin",
    );
    expect(joined.id).toBe(owner.userId);
    const tokens = await ownerTokens("read");
    const crossing = await call(t.app, tokens.accessToken, {
      method: "GET",
      url: "/v1/projects",
      headers: { "x-organization-id": other.orgId },
    });
    expect(expectError(crossing, 403, "FORBIDDEN").details).toMatchObject({
      reason: "organization_not_allowed",
    });
  });
});

async function me(token: string) {
  return (await call(t.app, token, { method: "GET", url: "/v1/auth/me" })).json().data as { email: string };
}
