import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { expectRateLimited, limitHeaders } from "../../../test/helpers/rate-limit.js";

/** SPEC §4/§8: test keys are not limited by plan; only the sandbox's abuse cap stays. */
describe("sandbox rate limits", () => {
  let t: TestApp;
  let owner: Account;
  beforeAll(async () => {
    // A plan of 3 a minute and an abuse cap of 8, both small enough for a test to reach.
    t = await createTestApp({
      VOLTASIS_DEFAULT_PLAN: "free",
      VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 3 } }),
      VOLTASIS_SANDBOX_LIMIT: "8",
    });
    owner = await registerAccount(t.app);
  });
  afterAll(() => t.close());

  it("a test key goes past the plan's limit; a live key of the same organization does not", async () => {
    const live = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
    const test = await createKey(t.app, owner.accessToken, { scopes: ["read"], mode: "test" });
    for (let i = 0; i < 3; i++) expect((await me(t.app, live.secret)).statusCode).toBe(200);
    expect(expectRateLimited(await me(t.app, live.secret))).toBeGreaterThan(0);

    for (let i = 1; i <= 8; i++) {
      const res = await call(t.app, test.secret, { method: "GET", url: "/v1/projects" });
      expect(res.statusCode, res.body).toBe(200);
      expect(limitHeaders(res)).toMatchObject({ limit: 8, remaining: 8 - i });
    }
  });

  it("the abuse cap refuses a test key's requests past it with 429 sandbox_abuse_cap", async () => {
    // A session of its own: the plan allows it 3 requests a minute, enough for two keys.
    const owner = await registerAccount(t.app);
    const test = await createKey(t.app, owner.accessToken, { scopes: ["read"], mode: "test" });
    for (let i = 0; i < 8; i++) expect((await me(t.app, test.secret)).statusCode).toBe(200);
    const refused = await me(t.app, test.secret);
    expect(expectRateLimited(refused)).toBeLessThanOrEqual(60);
    expect(refused.json().error.details.reason).toBe("sandbox_abuse_cap");
    // Another test key has a cap of its own.
    const other = await createKey(t.app, owner.accessToken, { scopes: ["read"], mode: "test" });
    expect((await me(t.app, other.secret)).statusCode).toBe(200);
  });
});
