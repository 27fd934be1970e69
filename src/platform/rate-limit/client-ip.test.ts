import { afterEach, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { bearer, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { expectRateLimited, limitHeaders } from "../../../test/helpers/rate-limit.js";

/** SPEC §4: unauthenticated requests, and requests whose credential fails, count per client IP. */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const forwardedFor = (address: string) => ({ "x-forwarded-for": address });
/** GET /health from 127.0.0.1 (inject's peer), saying it forwards for `address`. */
const healthFor = (test: TestApp, address: string) =>
  test.app.inject({ method: "GET", url: "/health", headers: forwardedFor(address) });

describe("unauthenticated: per client IP", () => {
  it("public routes, unknown routes and failed credentials share the IP's bucket; then 429", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "4" });
    const owner = await registerAccount(t.app); // 1
    const key = await createKey(t.app, owner.accessToken); // authenticated: not the IP's bucket

    const health = await t.app.inject({ method: "GET", url: "/health" }); // 2
    expect(health.statusCode).toBe(200);
    expect(limitHeaders(health)).toMatchObject({ limit: 4, remaining: 2 });
    const unknown = await t.app.inject({ method: "GET", url: "/v1/no-such-route" }); // 3
    expectError(unknown, 404, "NOT_FOUND");
    expect(limitHeaders(unknown)).toMatchObject({ limit: 4, remaining: 1 });
    const badToken = await me(t.app, `vlt_live_${"x".repeat(32)}`); // 4
    expectError(badToken, 401, "UNAUTHORIZED");
    expect(limitHeaders(badToken)).toMatchObject({ limit: 4, remaining: 0 });

    // Over the limit, a failed credential is a 429 rather than another 401; so is a public route.
    const refused = await t.app.inject({ method: "GET", url: "/v1/auth/me" });
    expectRateLimited(refused);
    expect(refused.json().error.details.reason).toBe("ip_limit");
    expectRateLimited(await t.app.inject({ method: "GET", url: "/health" }));
    expectRateLimited(await t.app.inject({ method: "GET", url: "/v1/no-such-route" }));

    // A valid credential from the same address is counted by its own plan, not by the address.
    const valid = await me(t.app, key.secret);
    expect(valid.statusCode).toBe(200);
    expect(limitHeaders(valid).limit).toBe(1000);
    // Another address has its own bucket.
    const elsewhere = await t.app.inject({ method: "GET", url: "/health", remoteAddress: "192.0.2.10" });
    expect(limitHeaders(elsewhere)).toMatchObject({ limit: 4, remaining: 3 });
  });

  it("the default is 100 a minute", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "" });
    const res = await t.app.inject({ method: "GET", url: "/health", remoteAddress: "192.0.2.11" });
    expect(limitHeaders(res)).toMatchObject({ limit: 100, remaining: 99 });
  });
});

describe("X-Forwarded-For and VOLTASIS_TRUST_PROXY", () => {
  it("not trusted by default: every forwarded address counts as the peer's", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "2" });
    expect((await healthFor(t, "198.51.100.1")).statusCode).toBe(200);
    expect((await healthFor(t, "198.51.100.2")).statusCode).toBe(200);
    expectRateLimited(await healthFor(t, "198.51.100.3"));
  });

  it("trusted from the proxy's address: each forwarded client has its own bucket", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "2", VOLTASIS_TRUST_PROXY: "127.0.0.1" });
    expect((await healthFor(t, "198.51.100.1")).statusCode).toBe(200);
    expect((await healthFor(t, "198.51.100.1")).statusCode).toBe(200);
    expectRateLimited(await healthFor(t, "198.51.100.1"));
    const other = await healthFor(t, "198.51.100.2");
    expect(other.statusCode).toBe(200);
    expect(limitHeaders(other)).toMatchObject({ limit: 2, remaining: 1 });
  });

  it("trusted from other addresses only: a peer outside the list cannot choose its address", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "2", VOLTASIS_TRUST_PROXY: "10.0.0.0/8, ::1" });
    await healthFor(t, "198.51.100.1");
    await healthFor(t, "198.51.100.2");
    expectRateLimited(await healthFor(t, "198.51.100.3"));
    // …while a request that did come through a listed proxy is counted for its client.
    const viaProxy = await t.app.inject({
      method: "GET",
      url: "/health",
      remoteAddress: "10.1.2.3",
      headers: forwardedFor("198.51.100.3"),
    });
    expect(viaProxy.statusCode).toBe(200);
  });
});

describe("sign-in routes are still counted per IP", () => {
  it("a login is an unauthenticated request", async () => {
    t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "1" });
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: "nobody@example.com", password: "whatever it is" },
      headers: bearer("ignored"),
    });
    expectError(res, 401, "UNAUTHORIZED");
    expectRateLimited(
      await t.app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { email: "nobody@example.com", password: "whatever it is" },
      }),
    );
  });
});
