import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { oauthTokens, type RegisteredApp, registerApp } from "../../../test/helpers/oauth.js";

/**
 * SPEC §1: revocation reaches every process within 1 s, for an app's OAuth token as for an API key
 * (test/security/credential-cache.test.ts): two app instances on one database, the token cached
 * by the second, revoked through the first.
 */
let t: TestApp;
let owner: Account;
let registered: RegisteredApp;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  registered = await registerApp(t.app, owner.accessToken);
});
afterAll(() => t.close());

/** Waits until `check` passes; fails once `limitMs` have gone by. */
async function within(limitMs: number, check: () => Promise<boolean>) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function cachedOnAnother(): Promise<{
  other: FastifyInstance;
  accessToken: string;
  refreshToken: string;
}> {
  const other = await t.anotherProcess();
  const tokens = await oauthTokens(t.app, owner.accessToken, {
    organizationId: owner.orgId,
    scope: "read",
    registered,
  });
  expect((await me(other, tokens.accessToken)).statusCode).toBe(200);
  return { other, ...tokens };
}

describe("oauth: revocation across processes", () => {
  it("a token revoked with RFC 7009 through one process is refused by another within 1 s", async () => {
    const { other, accessToken } = await cachedOnAnother();
    const basic = Buffer.from(`${registered.id}:${registered.client_secret}`).toString("base64");
    const revoked = await t.app.inject({
      method: "POST",
      url: "/oauth/revoke",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
      payload: new URLSearchParams({ token: accessToken, token_type_hint: "access_token" }).toString(),
    });
    expect(revoked.statusCode).toBe(200);
    expectError(await me(t.app, accessToken), 401, "UNAUTHORIZED");
    await within(1000, async () => (await me(other, accessToken)).statusCode === 401);
  });

  it("a grant revoked by its person through one process stops the token on another within 1 s", async () => {
    const { other, accessToken } = await cachedOnAnother();
    const grants = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/oauth/grants?status=active",
    });
    for (const grant of grants.json().data) {
      await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/oauth/grants/${grant.id}` });
    }
    await within(1000, async () => (await me(other, accessToken)).statusCode === 401);
  });
});
