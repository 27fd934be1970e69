import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { newEmail } from "../../../test/helpers/members.js";
import { expectRateLimited, limitHeaders } from "../../../test/helpers/rate-limit.js";
import { FAILED_SIGN_INS } from "./plans.js";

/**
 * SPEC §4: login is also limited per e-mail and per IP against password guessing: after 10 failed
 * logins for one e-mail, or 30 failed logins or refreshes from one IP, within 15 minutes, the next
 * attempt is a 429 without the password being checked.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "1000" });
});
afterAll(() => t.close());

const login = (email: string, password: string, remoteAddress = "127.0.0.1") =>
  t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password }, remoteAddress });

describe("failed logins per e-mail", () => {
  it("the 11th attempt within 15 minutes is refused, even with the right password", async () => {
    const victim = await registerAccount(t.app);
    for (let i = 0; i < FAILED_SIGN_INS.perEmail; i++) {
      expectError(await login(victim.email, `guess ${i}`, "192.0.2.20"), 401, "UNAUTHORIZED");
    }
    // From any address, in any case: the e-mail is what is being guessed.
    const refused = await login(victim.email.toUpperCase(), victim.password, "192.0.2.21");
    const seconds = expectRateLimited(refused);
    expect(seconds).toBeGreaterThan(FAILED_SIGN_INS.windowSeconds - 60);
    expect(seconds).toBeLessThanOrEqual(FAILED_SIGN_INS.windowSeconds);
    expect(refused.json().error.details.reason).toBe("too_many_failed_sign_ins");
    expect(limitHeaders(refused)).toMatchObject({ limit: FAILED_SIGN_INS.perEmail, remaining: 0 });

    // Another account signs in from the same address: 10 failures are under the IP's 30.
    const neighbour = await registerAccount(t.app);
    expect((await login(neighbour.email, neighbour.password, "192.0.2.20")).statusCode).toBe(200);
  });

  it("a successful login clears the e-mail's failures", async () => {
    const user = await registerAccount(t.app);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < FAILED_SIGN_INS.perEmail - 1; i++) await login(user.email, "typo", "192.0.2.22");
      const res = await login(user.email, user.password, "192.0.2.22");
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  it("failures of other kinds (a malformed body) are not counted", async () => {
    const user = await registerAccount(t.app);
    for (let i = 0; i < FAILED_SIGN_INS.perEmail + 2; i++) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { email: user.email, password: "x", extra: true },
      });
      expectError(res, 400, "VALIDATION_ERROR");
    }
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });
});

describe("guesses sent at once", () => {
  it("25 wrong passwords for one e-mail at once: only 10 are checked, the rest are 429 before argon2", async () => {
    const victim = await registerAccount(t.app);
    const burst = await Promise.all(
      Array.from({ length: 25 }, (_, i) => login(victim.email, `guess ${i}`, `198.51.100.${i + 1}`)),
    );
    const statuses = burst.map((res) => res.statusCode);
    // A 401 is an attempt whose password was checked; a 429 one refused before the check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILED_SIGN_INS.perEmail);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25 - FAILED_SIGN_INS.perEmail);
    expectRateLimited(await login(victim.email, victim.password, "198.51.100.99"));
  });
});

describe("failed sign-ins per IP", () => {
  it("30 failed logins from one address refuse the next login there, and refreshes too", async () => {
    const address = "192.0.2.30";
    for (let i = 0; i < FAILED_SIGN_INS.perIp; i++) {
      expectError(await login(newEmail("guess"), "password guess", address), 401, "UNAUTHORIZED");
    }
    const user = await registerAccount(t.app);
    const refused = await login(user.email, user.password, address);
    expectRateLimited(refused);
    expect(limitHeaders(refused)).toMatchObject({ limit: FAILED_SIGN_INS.perIp, remaining: 0 });
    expectRateLimited(
      await t.app.inject({
        method: "POST",
        url: "/v1/auth/refresh",
        payload: { refresh_token: user.refreshToken },
        remoteAddress: address,
      }),
    );
    // The same user from another address is not affected.
    expect((await login(user.email, user.password, "192.0.2.31")).statusCode).toBe(200);
  });

  it("failed refreshes count against the address as well", async () => {
    const address = "192.0.2.40";
    const refresh = (token: string) =>
      t.app.inject({
        method: "POST",
        url: "/v1/auth/refresh",
        payload: { refresh_token: token },
        remoteAddress: address,
      });
    for (let i = 0; i < FAILED_SIGN_INS.perIp; i++) {
      expectError(await refresh(`vlt_rt_${"0".repeat(39)}${i % 10}`), 401, "UNAUTHORIZED");
    }
    const user = await registerAccount(t.app);
    expectRateLimited(await refresh(user.refreshToken));
  });
});
