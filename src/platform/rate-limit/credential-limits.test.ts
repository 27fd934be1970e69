import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { expectRateLimited, limitHeaders, nowSeconds } from "../../../test/helpers/rate-limit.js";

/** SPEC §4: authenticated requests are limited per credential by the organization's plan. */
describe("per credential, by plan", () => {
  let t: TestApp;
  let owner: Account;
  beforeAll(async () => {
    // Tiny plans so that a test reaches them; organizations start on `free`.
    t = await createTestApp({
      VOLTASIS_DEFAULT_PLAN: "free",
      VOLTASIS_PLAN_LIMITS: JSON.stringify({
        free: { per_minute: 5 },
        pro: { per_minute: 8, per_day: null },
      }),
    });
    owner = await registerAccount(t.app);
  });
  afterAll(() => t.close());

  it("every response carries X-RateLimit-Limit, -Remaining and -Reset: a 200, a 404, a 403", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:users"] });
    const first = await me(t.app, key.secret);
    expect(first.statusCode).toBe(200);
    const headers = limitHeaders(first);
    expect(headers).toMatchObject({ limit: 5, remaining: 4 });
    // Reset is Unix epoch seconds: the end of the minute window that the first request opened.
    expect(headers.reset).toBeGreaterThan(nowSeconds());
    expect(headers.reset).toBeLessThanOrEqual(nowSeconds() + 61);

    const missing = await call(t.app, key.secret, {
      method: "GET",
      url: "/v1/users/usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
    });
    expectError(missing, 404, "NOT_FOUND");
    expect(limitHeaders(missing)).toMatchObject({ limit: 5, remaining: 3, reset: headers.reset });

    const forbidden = await call(t.app, key.secret, { method: "GET", url: "/v1/api-keys" });
    expectError(forbidden, 403, "FORBIDDEN");
    expect(limitHeaders(forbidden)).toMatchObject({ limit: 5, remaining: 2 });
  });

  it("over the limit: 429 with the exact message, details.retry_after and Retry-After; the handler does not run", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    for (let i = 0; i < 5; i++) expect((await me(t.app, key.secret)).statusCode).toBe(200);
    const refused = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "made while limited", scopes: ["read"] },
    });
    const seconds = expectRateLimited(refused);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(limitHeaders(refused)).toMatchObject({ limit: 5, remaining: 0 });
    expect(refused.json().error.details.reason).toBe("credential_limit");
    const listed = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/api-keys?limit=100" });
    expect(listed.json().data.map((k: { name: string }) => k.name)).not.toContain("made while limited");
  });

  it("two keys of one organization have separate buckets, and so does the session that made them", async () => {
    const busy = await createKey(t.app, owner.accessToken);
    const idle = await createKey(t.app, owner.accessToken);
    for (let i = 0; i < 5; i++) await me(t.app, busy.secret);
    expectRateLimited(await me(t.app, busy.secret));
    const other = await me(t.app, idle.secret);
    expect(other.statusCode).toBe(200);
    expect(limitHeaders(other)).toMatchObject({ limit: 5, remaining: 4 });
  });

  it("a plan change applies to the next request, and the minute's count carries over", async () => {
    const fresh = await registerAccount(t.app);
    const key = await createKey(t.app, fresh.accessToken);
    for (let i = 0; i < 5; i++) await me(t.app, key.secret);
    expectRateLimited(await me(t.app, key.secret));
    const patch = await call(t.app, fresh.accessToken, {
      method: "PATCH",
      url: "/v1/organization",
      payload: { plan: "pro" },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const after = await me(t.app, key.secret);
    expect(after.statusCode).toBe(200);
    // Seven requests in this minute (the refused one counts too) against pro's eight.
    expect(limitHeaders(after)).toMatchObject({ limit: 8, remaining: 1 });
  });
});

describe("the daily window", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      VOLTASIS_DEFAULT_PLAN: "free",
      VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 50, per_day: 3 } }),
    });
  });
  afterAll(() => t.close());

  it("reports the tighter window, and refuses until the day's window ends", async () => {
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    for (const remaining of [2, 1, 0]) {
      const res = await me(t.app, key.secret);
      expect(res.statusCode).toBe(200);
      const headers = limitHeaders(res);
      expect(headers).toMatchObject({ limit: 3, remaining });
      expect(headers.reset).toBeGreaterThan(nowSeconds() + 86_000);
    }
    const refused = await me(t.app, key.secret);
    const seconds = expectRateLimited(refused);
    expect(seconds).toBeGreaterThan(86_000);
    expect(limitHeaders(refused).limit).toBe(3);
  });

  it("enterprise has no daily cap: only the minute is reported", async () => {
    const owner = await registerAccount(t.app);
    const patch = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/organization",
      payload: { plan: "enterprise" },
    });
    expect(patch.statusCode).toBe(200);
    const key = await createKey(t.app, owner.accessToken);
    for (let i = 0; i < 5; i++) expect((await me(t.app, key.secret)).statusCode).toBe(200);
    expect(limitHeaders(await me(t.app, key.secret))).toMatchObject({ limit: 1000, remaining: 994 });
  });
});

describe("VOLTASIS_RATE_LIMIT_MINUTE_SECONDS: a short 'minute' for tests of clients' retries", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      VOLTASIS_DEFAULT_PLAN: "free",
      VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 2 } }),
      VOLTASIS_RATE_LIMIT_MINUTE_SECONDS: "2",
    });
  });
  afterAll(() => t.close());

  it("a 429's Retry-After fits the short window, and waiting it out is enough", async () => {
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    const refused = await me(t.app, key.secret);
    const seconds = expectRateLimited(refused);
    expect(seconds).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
  });
});
