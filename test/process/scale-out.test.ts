import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStream } from "../helpers/event-stream.js";
import { dropKeys } from "../helpers/redis.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

// SPEC §1 scale-out: with DATABASE_URL and REDIS_URL any number of stateless processes share
// everything. CI sets both to the machine's PostgreSQL and Redis; without them this is skipped.
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

/** Waits until `check` passes and returns how long that took; fails after `limitMs`. */
async function timeUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

describe.skipIf(!adminUrl || !redisUrl)("scale-out: two processes, one PostgreSQL, one Redis", () => {
  const name = `voltasis_scale_${randomBytes(5).toString("hex")}`;
  // The database name is unique per run, so it also keeps this run's Redis keys apart.
  const prefix = name;
  const servers: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  let owner: string;

  const api = (server: ServerProcess, path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  const post = (server: ServerProcess, path: string, token: string | undefined, body: unknown) =>
    api(server, path, token, { method: "POST", body: JSON.stringify(body) });
  const newKey = async (server: ServerProcess) => {
    const res = await post(server, "/v1/api-keys", owner, { name: "scale-out", scopes: ["read"] });
    expect(res.status).toBe(201);
    return (await res.json()).data as { id: string; secret: string };
  };
  const me = (server: ServerProcess, secret: string) => api(server, "/v1/auth/me", secret);

  beforeAll(async () => {
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(adminUrl as string);
    url.pathname = `/${name}`;
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl as string,
      VOLTASIS_REDIS_PREFIX: prefix,
      LOG_LEVEL: "warn",
    };
    // One after the other: the first applies the migrations, the second finds nothing to do.
    a = await startServer(env);
    servers.push(a);
    b = await startServer(env);
    servers.push(b);
    const register = await post(a, "/v1/auth/register", undefined, {
      email: "scale@example.com",
      password: "correct horse battery",
      name: "Scale",
      organization_name: "Scale Org",
    });
    expect(register.status).toBe(201);
    owner = (await register.json()).data.access_token;
  });

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null) server.child.kill("SIGTERM");
      await server.exited;
    }
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await dropKeys(redisUrl as string, prefix);
  });

  it("both report Redis as ready", async () => {
    for (const server of [a, b]) {
      const ready = await api(server, "/ready");
      expect(ready.status).toBe(200);
      expect((await ready.json()).data).toEqual({ status: "ok", checks: { database: "ok", redis: "ok" } });
    }
  });

  it("a key revoked through one process is refused by the other within 1 s", async () => {
    const key = await newKey(a);
    expect((await me(b, key.secret)).status).toBe(200); // cached by b from now on
    const revoke = await api(a, `/v1/api-keys/${key.id}`, owner, { method: "DELETE" });
    expect(revoke.status).toBe(204);
    expect((await me(a, key.secret)).status).toBe(401);
    const waited = await timeUntil(async () => (await me(b, key.secret)).status === 401, 1000);
    expect(waited).toBeLessThanOrEqual(1000);
  });

  it("a plan change made through one process limits the other within 1 s", async () => {
    const key = await newKey(a);
    expect((await me(b, key.secret)).headers.get("x-ratelimit-limit")).toBe("1000"); // enterprise
    const patch = await api(a, "/v1/organization", owner, {
      method: "PATCH",
      body: JSON.stringify({ plan: "free" }),
    });
    expect(patch.status).toBe(200);
    expect((await me(a, key.secret)).headers.get("x-ratelimit-limit")).toBe("60");
    const waited = await timeUntil(
      async () => (await me(b, key.secret)).headers.get("x-ratelimit-limit") === "60",
      1000,
    );
    expect(waited).toBeLessThanOrEqual(1000);
  });

  it("an event committed through one process arrives on an event stream held by the other", async () => {
    const stream = await openStream(b.baseUrl, owner);
    try {
      expect(stream.status).toBe(200);
      const created = await post(a, "/v1/tags", owner, { name: "across processes" });
      expect(created.status).toBe(201);
      const tagId = (await created.json()).data.id;
      const [event] = await stream.waitForEvents(1);
      expect(event?.data).toMatchObject({ event: "tag.created", resource_id: tagId });
    } finally {
      stream.close();
    }
  });

  it("the limit is shared: 2 processes × 50 concurrent clients on the free plan admit exactly 60", async () => {
    const key = await newKey(a);
    const clients = [a, b].flatMap((server) => Array.from({ length: 50 }, () => server));
    const statuses = await Promise.all(
      clients.map(async (server) => {
        const res = await me(server, key.secret);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // The window is the same one on both: the next request is refused wherever it lands.
    for (const server of [a, b]) expect((await me(server, key.secret)).status).toBe(429);
  });
});
