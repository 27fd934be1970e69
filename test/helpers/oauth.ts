import { createHash, randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import * as oauth from "oauth4webapi";
import { expect } from "vitest";
import { call } from "./fixtures.js";

export const REDIRECT_URI = "https://app.example.com/oauth/callback";

export interface RegisteredApp {
  id: string;
  client_id: string;
  client_secret: string | null;
  [field: string]: unknown;
}

/** POST /v1/oauth/apps as `token`; returns the 201's data (with its secret). */
export async function registerApp(
  app: FastifyInstance,
  token: string,
  body: Record<string, unknown> = {},
): Promise<RegisteredApp> {
  const res = await call(app, token, {
    method: "POST",
    url: "/v1/oauth/apps",
    payload: { name: "Invoice Sync", redirect_uris: [REDIRECT_URI], ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data;
}

/** A PKCE pair (RFC 7636): the verifier the app keeps and the S256 challenge it sends. */
export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** The query of a well-formed authorization request; `overrides` replace or (undefined) drop parameters. */
export function authorizeQuery(
  clientId: string,
  challenge: string,
  overrides: Record<string, string | undefined> = {},
): string {
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: "read:projects",
    state: "state-123",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...overrides,
  };
  const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return new URLSearchParams(defined).toString();
}

/** GET /oauth/authorize; returns the consent screen's request id from the redirect. */
export async function startAuthorization(app: FastifyInstance, query: string): Promise<string> {
  const res = await app.inject({ method: "GET", url: `/oauth/authorize?${query}` });
  expect(res.statusCode, res.body).toBe(302);
  const location = new URL(res.headers.location as string, "http://voltasis.test");
  expect(location.pathname).toBe("/oauth/consent");
  return location.searchParams.get("request") as string;
}

/** The person approves (or denies) as `userToken`; returns the response and where the browser goes. */
export async function decide(
  app: FastifyInstance,
  userToken: string,
  requestId: string,
  decision: { organizationId: string } | "deny",
) {
  const res = await call(app, userToken, {
    method: "POST",
    url: `/v1/oauth/authorization-requests/${requestId}/${decision === "deny" ? "deny" : "approve"}`,
    ...(decision === "deny" ? {} : { payload: { organization_id: decision.organizationId } }),
  });
  const redirect = res.statusCode === 200 ? new URL(res.json().data.redirect_to as string) : undefined;
  return { res, redirect };
}

/** POST /oauth/token with a form body. */
export function tokenRequest(
  app: FastifyInstance,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  app: RegisteredApp;
}

/**
 * The whole flow over HTTP for `userToken`'s person: an app registered by `registrarToken` (the
 * person's own organization by default), consent in `organizationId`, the code exchanged.
 */
export async function oauthTokens(
  app: FastifyInstance,
  userToken: string,
  options: { organizationId: string; scope: string; registrarToken?: string; registered?: RegisteredApp },
): Promise<OAuthTokens> {
  const registered = options.registered ?? (await registerApp(app, options.registrarToken ?? userToken));
  const { verifier, challenge } = pkcePair();
  const requestId = await startAuthorization(
    app,
    authorizeQuery(registered.id, challenge, { scope: options.scope }),
  );
  const { res, redirect } = await decide(app, userToken, requestId, {
    organizationId: options.organizationId,
  });
  expect(res.statusCode, res.body).toBe(200);
  const code = redirect?.searchParams.get("code");
  expect(code, res.body).toBeTruthy();
  const exchanged = await tokenRequest(app, {
    grant_type: "authorization_code",
    code: code as string,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: registered.id,
    ...(registered.client_secret ? { client_secret: registered.client_secret } : {}),
  });
  expect(exchanged.statusCode, exchanged.body).toBe(200);
  const body = exchanged.json();
  return { accessToken: body.access_token, refreshToken: body.refresh_token, app: registered };
}

/** What an app sends the browser to, as an oauth4webapi user builds it: PKCE S256 and a state. */
export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  clientId: string,
  scope: string,
  redirectUri = REDIRECT_URI,
) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  }).toString();
  return { url, verifier, state };
}
