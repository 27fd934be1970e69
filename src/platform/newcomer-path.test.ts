import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../test/helpers/fixtures.js";

/** Found on a newcomer's path (the SDK issue, point 9): small things that trip a first user. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "3" });
});
afterAll(() => t.close());

describe("a newcomer's first requests", () => {
  it("/v1/clients/ answers like /v1/clients", async () => {
    const owner = await registerAccount(t.app);
    const plain = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/clients" });
    const slashed = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/clients/" });
    expect(slashed.statusCode).toBe(200);
    expect(slashed.json().data).toEqual(plain.json().data);
  });

  it("a bad date-time names the form expected, with an example, and how to send a + offset", async () => {
    const owner = await registerAccount(t.app);
    // An unencoded `+` in a query string arrives as a space.
    const res = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/time-entries?from=2024-03-04T09:00:00+01:00",
    });
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field: "from", reason: "invalid_format" });
    expect(error.message).toContain("2024-03-04T09:00:00Z");
    expect(error.message).toContain("%2B");
    const encoded = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/time-entries?from=2024-03-04T09:00:00%2B01:00",
    });
    expect(encoded.statusCode).toBe(200);
    const inBody = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      payload: { start: "yesterday", duration: 60 },
    });
    const bodyError = expectError(inBody, 400, "VALIDATION_ERROR");
    expect(bodyError.message).toContain("2024-03-04T09:00:00Z");
    expect(bodyError.message).not.toContain("%2B");
  });

  it("/docs is titled Voltasis, and its assets do not spend the unauthenticated rate limit", async () => {
    const page = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>Voltasis API reference</title>");
    for (let i = 0; i < 10; i++) {
      const asset = await t.app.inject({
        method: "GET",
        url: "/docs/static/index.css",
        remoteAddress: "192.0.2.77",
      });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers["x-ratelimit-remaining"]).toBeUndefined();
    }
    // The address still has its whole allowance for the API.
    const status = await t.app.inject({ method: "GET", url: "/v1/status", remoteAddress: "192.0.2.77" });
    expect(status.headers["x-ratelimit-remaining"]).toBe("2");
  });
});
