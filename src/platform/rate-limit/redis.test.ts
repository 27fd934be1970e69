import type { FastifyInstance } from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { registerAccount } from "../../../test/helpers/fixtures.js";
import { expectRateLimited, limitHeaders } from "../../../test/helpers/rate-limit.js";
import { dropKeys, hasRedisServer, startRedisServer, uniquePrefix } from "../../../test/helpers/redis.js";
import { FAILED_SIGN_INS } from "./plans.js";

/** SPEC §1 scale-out: with REDIS_URL the counters live in Redis and hold across processes. */
const redisUrl = process.env.REDIS_URL;
const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of opened.reverse()) await close();
});

async function appOn(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ VOLTASIS_DEFAULT_PLAN: "free", ...env });
  opened.push(() => t.close());
  return t;
}

const ready = async (app: FastifyInstance) => {
  const res = await app.inject({ method: "GET", url: "/ready" });
  return { statusCode: res.statusCode, data: res.json().data };
};

describe.skipIf(!redisUrl)("counters in Redis", () => {
  it("two processes with 50 concurrent clients each against 60 a minute admit exactly 60", async () => {
    const prefix = uniquePrefix("atomic");
    opened.push(() => dropKeys(redisUrl as string, prefix));
    const t = await appOn({ REDIS_URL: redisUrl as string, VOLTASIS_REDIS_PREFIX: prefix });
    const other = await t.anotherProcess();
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    const burst = (app: FastifyInstance) => Array.from({ length: 50 }, () => me(app, key.secret));
    const responses = await Promise.all([...burst(t.app), ...burst(other)]);
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // Each admitted request saw its own count: remaining 59 down to 0, each once.
    const remaining = responses.filter((r) => r.statusCode === 200).map((r) => limitHeaders(r).remaining);
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect((await ready(t.app)).data).toEqual({ status: "ok", checks: { database: "ok", redis: "ok" } });
  });

  it("25 wrong passwords for one e-mail at once across two processes: only 10 are checked", async () => {
    const prefix = uniquePrefix("signin");
    opened.push(() => dropKeys(redisUrl as string, prefix));
    const t = await appOn({ REDIS_URL: redisUrl as string, VOLTASIS_REDIS_PREFIX: prefix });
    const other = await t.anotherProcess();
    const victim = await registerAccount(t.app);
    const guess = (app: FastifyInstance, i: number) =>
      app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { email: victim.email, password: `guess ${i}` },
        remoteAddress: `198.51.100.${i + 1}`,
      });
    const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => guess(i % 2 ? other : t.app, i)));
    const statuses = burst.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILED_SIGN_INS.perEmail);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25 - FAILED_SIGN_INS.perEmail);
  });
});

describe("when Redis cannot be reached", () => {
  it("the API keeps serving, limits hold per process, and /ready says degraded with 200", async () => {
    const t = await appOn({
      REDIS_URL: "redis://127.0.0.1:1",
      VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 3 } }),
    });
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    for (let i = 0; i < 3; i++) expect((await me(t.app, key.secret)).statusCode).toBe(200);
    expectRateLimited(await me(t.app, key.secret));
    expect(await ready(t.app)).toEqual({
      statusCode: 200,
      data: { status: "degraded", checks: { database: "ok", redis: "unavailable" } },
    });
    const status = await t.app.inject({ method: "GET", url: "/v1/status" });
    expect(status.json().data.checks.redis).toBe("unavailable");
  });

  it.skipIf(!hasRedisServer)("going away mid-way, then coming back", async () => {
    const server = await startRedisServer();
    opened.push(() => server.stop());
    const t = await appOn({
      REDIS_URL: server.url,
      VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 1000 } }),
    });
    const owner = await registerAccount(t.app);
    const key = await createKey(t.app, owner.accessToken);
    expect(limitHeaders(await me(t.app, key.secret)).remaining).toBe(999);
    expect((await ready(t.app)).data.checks.redis).toBe("ok");

    await server.stop();
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect((await me(t.app, key.secret)).statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000); // answered at once, not after timeouts
    expect(await ready(t.app)).toMatchObject({ statusCode: 200, data: { status: "degraded" } });

    // Back on the same port: the client reconnects by itself and the shared counters resume.
    const again = await startRedisServer(server.port);
    opened.push(() => again.stop());
    const deadline = Date.now() + 10_000;
    while ((await ready(t.app)).data.status !== "ok") {
      if (Date.now() > deadline) throw new Error("Redis was not used again within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await me(t.app, key.secret)).statusCode).toBe(200);
  });
});
