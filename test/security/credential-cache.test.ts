import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../helpers/api-keys.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { call, expectError, registerAccount } from "../helpers/fixtures.js";

/**
 * SPEC §1/§3: a revoked key or ended session is refused within 1 s on every process, while a valid
 * credential is verified without a database round trip per request.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** Waits until `check` passes, and returns how long that took. */
async function timeUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

describe("credential verification across processes", () => {
  it("a key revoked through one process is refused by another within 1 s", async () => {
    const other = await t.anotherProcess();
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    expect((await me(other, key.secret)).statusCode).toBe(200); // now cached by the other process
    expect(
      (await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` })).statusCode,
    ).toBe(204);
    expectError(await me(t.app, key.secret), 401, "UNAUTHORIZED"); // the revoking process: at once
    const waited = await timeUntil(async () => (await me(other, key.secret)).statusCode === 401, 1000);
    expect(waited).toBeLessThanOrEqual(1000);
  });

  it("a session ended through one process is refused by another within 1 s", async () => {
    const other = await t.anotherProcess();
    const user = await registerAccount(t.app);
    expect((await me(other, user.accessToken)).statusCode).toBe(200);
    expect((await call(t.app, user.accessToken, { method: "POST", url: "/v1/auth/logout" })).statusCode).toBe(
      204,
    );
    await timeUntil(async () => (await me(other, user.accessToken)).statusCode === 401, 1000);
  });

  it("a valid key is not looked up in the database on every request", async () => {
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
    // With the keys table out of reach, only a verification that skips the database succeeds.
    await t.db.schema.alterTable("api_keys").renameTo("api_keys_away").execute();
    try {
      const start = Date.now();
      let served = 0;
      // Bounded in count too: a fast machine would otherwise reach the plan's 1,000 a minute (429).
      while (Date.now() - start < 200 && served < 300) {
        expect((await me(t.app, key.secret)).statusCode).toBe(200);
        served += 1;
      }
      expect(served).toBeGreaterThan(20);
      // And the cache is bounded: once its entry is older than 0.9 s the database is asked again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await me(t.app, key.secret)).statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      await t.db.schema.alterTable("api_keys_away").renameTo("api_keys").execute();
    }
  });
});
