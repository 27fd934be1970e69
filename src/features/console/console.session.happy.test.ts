import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { CONSOLE_HEADER, REFRESH_COOKIE } from "./session-routes.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const headers = { [CONSOLE_HEADER]: "1" };
const refreshCookieOf = (setCookie: unknown) =>
  [setCookie].flat().find((cookie) => String(cookie).startsWith(`${REFRESH_COOKIE}=vlt_rt_`));

describe("console sessions: sign up, sign in, accept an invitation", () => {
  it("signs up: a new user and organization, signed in with a cookie", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/register",
      headers,
      payload: {
        email: "grace@example.com",
        password: "correct horse battery",
        name: "Grace",
        organization_name: "Navy",
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toEqual({
      token_type: "Bearer",
      access_token: expect.stringMatching(/^vlt_at_/),
      expires_in: 86400,
      user: expect.objectContaining({ email: "grace@example.com", name: "Grace" }),
      organization: expect.objectContaining({ name: "Navy", mode: "live" }),
    });
    expect(refreshCookieOf(res.headers["set-cookie"])).toBeDefined();
    const me = await call(t.app, res.json().data.access_token, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data).toMatchObject({ email: "grace@example.com", role: "owner" });
  });

  it("shows the API's field errors as they are (details.field)", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/register",
      headers,
      payload: {
        email: "not-an-email",
        password: "correct horse battery",
        name: "X",
        organization_name: "Y",
      },
    });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "email" });
  });

  it("accepts an invitation as a new account and signs the invitee in to that organization", async () => {
    const owner = await registerAccount(t.app);
    const invite = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email: "invitee@example.com", role: "member" },
    });
    expect(invite.statusCode).toBe(201);
    const url = new URL(invite.json().data.invitation_url);
    expect(url.pathname).toBe("/accept-invitation");
    const token = new URLSearchParams(url.hash.slice(1)).get("token");
    const res = await t.app.inject({
      method: "POST",
      url: "/console/session/invitations/accept",
      headers,
      payload: { token, name: "Invitee", password: "correct horse battery" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.organization.id).toBe(owner.orgId);
    expect(res.json().data).not.toHaveProperty("refresh_token");
    expect(refreshCookieOf(res.headers["set-cookie"])).toBeDefined();
  });
});
