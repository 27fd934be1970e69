import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { expectError } from "../../test/helpers/fixtures.js";
import { SAMPLE_INTERVAL_MS } from "./load-shedding.js";

/** SPEC §2: an overloaded process answers 503 with Retry-After at once instead of timing out. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_MAX_EVENT_LOOP_DELAY_MS: "50" });
});
afterAll(() => t.close());

/** Keeps the event loop ~100 ms late on every turn for `ms`, as a CPU-bound overload would. */
async function overload(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const turn = Date.now() + 100;
    while (Date.now() < turn) {
      // busy: nothing else runs in this process meanwhile
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("load shedding", () => {
  it("sheds with 503 SERVICE_UNAVAILABLE and Retry-After in the envelope, keeps /health, recovers", async () => {
    expect((await t.app.inject({ method: "GET", url: "/v1/status" })).statusCode).toBe(200);
    // Two whole sampling intervals late, so that one complete sample measured the overload.
    await overload(SAMPLE_INTERVAL_MS * 2 + 200);

    const shed = await t.app.inject({ method: "GET", url: "/v1/status" });
    const error = expectError(shed, 503, "SERVICE_UNAVAILABLE");
    expect(shed.headers["retry-after"]).toBe("5");
    expect(error.details).toEqual({ reason: "overloaded", retry_after: 5 });
    // Shed before any other work: an authenticated route does not even look at the credential.
    expectError(await t.app.inject({ method: "GET", url: "/v1/auth/me" }), 503, "SERVICE_UNAVAILABLE");
    expectError(await t.app.inject({ method: "GET", url: "/ready" }), 503, "SERVICE_UNAVAILABLE");
    // Liveness is not load: a supervisor must not restart a process for being busy.
    expect((await t.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);

    // Once the loop is on time again, the next sample lets traffic through.
    const deadline = Date.now() + SAMPLE_INTERVAL_MS * 6;
    let status = 503;
    while (status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await t.app.inject({ method: "GET", url: "/v1/status" })).statusCode;
    }
    expect(status).toBe(200);
  });
});
