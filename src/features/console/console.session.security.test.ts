import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { bearer, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { CONSOLE_HEADER, REFRESH_COOKIE } from "./session-routes.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const consoleHeaders = { [CONSOLE_HEADER]: "1", "sec-fetch-site": "same-origin" };

function setCookieOf(res: LightMyRequestResponse): string {
  const header = res.headers["set-cookie"];
  const cookies = Array.isArray(header) ? header : header ? [header] : [];
  const refresh = cookies.find((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`));
  if (!refresh) throw new Error(`no ${REFRESH_COOKIE} cookie in ${JSON.stringify(header)}`);
  return refresh;
}
const cookieValue = (setCookie: string) => setCookie.split(";")[0]?.slice(REFRESH_COOKIE.length + 1) ?? "";

async function signIn() {
  const account = await registerAccount(t.app);
  const res = await t.app.inject({
    method: "POST",
    url: "/console/session/login",
    headers: consoleHeaders,
    payload: { email: account.email, password: account.password },
  });
  expect(res.statusCode).toBe(200);
  return { account, res, cookie: cookieValue(setCookieOf(res)), accessToken: res.json().data.access_token };
}

const refresh = (cookie: string) =>
  t.app.inject({
    method: "POST",
    url: "/console/session/refresh",
    headers: consoleHeaders,
    cookies: { [REFRESH_COOKIE]: cookie },
  });

describe("console sessions: the refresh token stays out of the page's reach", () => {
  it("keeps the refresh token in an HttpOnly, SameSite=Strict cookie for the session path only", async () => {
    const { res, cookie } = await signIn();
    const setCookie = setCookieOf(res);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\/console\/session(;|$)/);
    expect(setCookie).toMatch(/; Max-Age=2592000/);
    expect(cookie).toMatch(/^vlt_rt_/);
    // The body gives the page the access token only.
    expect(res.body).not.toContain(cookie);
    expect(res.json().data).not.toHaveProperty("refresh_token");
    expect(res.json().data.access_token).toMatch(/^vlt_at_/);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("marks the cookie Secure when the request came over HTTPS (through a trusted proxy)", async () => {
    const behindProxy = await t.anotherProcess({ VOLTASIS_TRUST_PROXY: "true" });
    const account = await registerAccount(behindProxy);
    const res = await behindProxy.inject({
      method: "POST",
      url: "/console/session/login",
      headers: { ...consoleHeaders, "x-forwarded-proto": "https" },
      payload: { email: account.email, password: account.password },
    });
    expect(res.statusCode).toBe(200);
    expect(setCookieOf(res)).toMatch(/; Secure/);
    expect(setCookieOf((await signIn()).res)).not.toMatch(/; Secure/);
  });

  it("refuses a call without the console's header, from another origin or another site", async () => {
    const { account } = await registerAccount(t.app).then((a) => ({ account: a }));
    const payload = { email: account.email, password: account.password };
    const cases = [
      [{}, "console_header_missing"],
      [{ [CONSOLE_HEADER]: "1", origin: "https://evil.example" }, "cross_origin"],
      [{ [CONSOLE_HEADER]: "1", "sec-fetch-site": "cross-site" }, "cross_origin"],
      [{ [CONSOLE_HEADER]: "1", "sec-fetch-site": "same-site" }, "cross_origin"],
    ] as const;
    for (const [headers, reason] of cases) {
      const res = await t.app.inject({ method: "POST", url: "/console/session/login", headers, payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason });
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
    // The same-origin call is accepted: what the tests refused was the origin, not the password.
    const own = await t.app.inject({
      method: "POST",
      url: "/console/session/login",
      headers: { [CONSOLE_HEADER]: "1", origin: "http://localhost:80", host: "localhost:80" },
      payload,
    });
    expect(own.statusCode).toBe(200);
  });

  it("refuses a refresh and a logout that come from another site, leaving the session alive", async () => {
    const { cookie, accessToken } = await signIn();
    for (const url of ["/console/session/refresh", "/console/session/logout"]) {
      const res = await t.app.inject({
        method: "POST",
        url,
        headers: { "sec-fetch-site": "cross-site" },
        cookies: { [REFRESH_COOKIE]: cookie },
      });
      expectError(res, 403, "FORBIDDEN");
    }
    expect((await call(t.app, accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(200);
    expect((await refresh(cookie)).statusCode).toBe(200);
  });

  it("rotates the cookie on refresh; a spent cookie sent again ends the whole session", async () => {
    const { cookie } = await signIn();
    const first = await refresh(cookie);
    expect(first.statusCode).toBe(200);
    const next = cookieValue(setCookieOf(first));
    expect(next).not.toBe(cookie);
    const accessToken = first.json().data.access_token;
    expect((await call(t.app, accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(200);

    const replay = await refresh(cookie);
    expect(expectError(replay, 401, "UNAUTHORIZED").details).toMatchObject({
      reason: "refresh_token_reused",
    });
    expect(setCookieOf(replay)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expectError(await refresh(next), 401, "UNAUTHORIZED");
    expectError(await call(t.app, accessToken, { method: "GET", url: "/v1/auth/me" }), 401, "UNAUTHORIZED");
  });

  it("ends the session on logout: the cookie is cleared and neither token works afterwards", async () => {
    const { cookie, accessToken } = await signIn();
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/logout",
      headers: { ...consoleHeaders, ...bearer(accessToken) },
      cookies: { [REFRESH_COOKIE]: cookie },
    });
    expect(res.statusCode).toBe(204);
    expect(setCookieOf(res)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expectError(await refresh(cookie), 401, "UNAUTHORIZED");
    expectError(await call(t.app, accessToken, { method: "GET", url: "/v1/auth/me" }), 401, "UNAUTHORIZED");
  });

  it("ends the session on logout with the access token alone (no cookie)", async () => {
    const { cookie, accessToken } = await signIn();
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/logout",
      headers: { ...consoleHeaders, ...bearer(accessToken) },
    });
    expect(res.statusCode).toBe(204);
    expectError(await call(t.app, accessToken, { method: "GET", url: "/v1/auth/me" }), 401, "UNAUTHORIZED");
    expectError(await refresh(cookie), 401, "UNAUTHORIZED");
  });

  it("answers a refresh without a cookie with 401, and a wrong password as the API does", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/refresh",
      headers: consoleHeaders,
    });
    expect(expectError(res, 401, "UNAUTHORIZED").details).toMatchObject({ reason: "no_session" });
    const account = await registerAccount(t.app);
    const wrong = await t.app.inject({
      method: "POST",
      url: "/console/session/login",
      headers: consoleHeaders,
      payload: { email: account.email, password: "not the password" },
    });
    expectError(wrong, 401, "UNAUTHORIZED");
    expect(wrong.headers["set-cookie"]).toBeUndefined();
  });

  it("puts no token in the console's page", async () => {
    await signIn();
    const page = await t.app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/vlt_(at|rt|live|test)_/);
    expect(page.headers["set-cookie"]).toBeUndefined();
  });
});
