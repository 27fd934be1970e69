import { afterAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type EventStream, listen, openStream, refusedStream } from "../../../test/helpers/event-stream.js";
import { expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { dropKeys, uniquePrefix } from "../../../test/helpers/redis.js";

// SPEC §1: with REDIS_URL the cap on open streams per credential holds across processes.
const redisUrl = process.env.REDIS_URL;
const cleanUp: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanUp.reverse()) await step();
});

async function twoProcesses(env: Record<string, string>) {
  const t: TestApp = await createTestApp({ VOLTASIS_STREAMS_PER_CREDENTIAL: "3", ...env });
  cleanUp.push(() => t.close());
  const other = await t.anotherProcess();
  const owner = await registerAccount(t.app);
  const key = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
  return { key, a: await listen(t.app), b: await listen(other) };
}

async function open(base: string, token: string): Promise<EventStream> {
  const stream = await openStream(base, token);
  cleanUp.push(() => stream.close());
  expect(stream.status).toBe(200);
  return stream;
}

describe.skipIf(!redisUrl)("the stream cap in Redis", () => {
  it("three streams held on two processes fill a cap of three for both; a hang-up anywhere frees a place", async () => {
    const prefix = uniquePrefix("streams");
    cleanUp.push(() => dropKeys(redisUrl as string, prefix));
    const { key, a, b } = await twoProcesses({
      REDIS_URL: redisUrl as string,
      VOLTASIS_REDIS_PREFIX: prefix,
    });
    await open(a, key.secret);
    await open(a, key.secret);
    const onB = await open(b, key.secret);
    for (const base of [a, b]) {
      const refused = await refusedStream(base, key.secret);
      expect(expectError(refused, 429, "RATE_LIMIT_EXCEEDED").details).toMatchObject({
        reason: "too_many_streams",
        limit: 3,
      });
    }
    onB.close();
    const again = await vi.waitFor(async () => {
      const attempt = await openStream(a, key.secret);
      cleanUp.push(() => attempt.close());
      if (attempt.status !== 200) throw new Error(`still refused: ${attempt.status}`);
      return attempt;
    });
    expect(again.status).toBe(200);
  });
});

describe("the stream cap without Redis (embedded mode, one process)", () => {
  it("is counted by each process on its own: the documented limitation of several processes without Redis", async () => {
    const { key, a, b } = await twoProcesses({ VOLTASIS_STREAMS_PER_CREDENTIAL: "1" });
    await open(a, key.secret);
    expect((await refusedStream(a, key.secret)).statusCode).toBe(429);
    await open(b, key.secret);
  });
});
