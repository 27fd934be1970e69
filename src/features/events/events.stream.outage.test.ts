import net from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type EventStream, listen, openStream } from "../../../test/helpers/event-stream.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { buildApp } from "../../app.js";
import { loadConfig } from "../../platform/config.js";
import { connect, type DbHandle } from "../../platform/db/connection.js";

// SPEC §1 scale-out: a process may start while PostgreSQL is down. Its LISTEN then starts when the
// database comes back, and each event still reaches a stream once.
let t: TestApp;
let owner: Account;
let proxy: net.Server;
let database: DbHandle;
let app: FastifyInstance;
const sockets = new Set<net.Socket>();
let stream: EventStream | undefined;

/** A port that refuses connections until `open()`, then forwards them to the test database. */
async function databaseProxy(target: URL) {
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
  const { port } = free.address() as net.AddressInfo;
  await new Promise((resolve) => free.close(resolve));
  return {
    server,
    port,
    open: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
  };
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(async () => {
  stream?.close();
  await app?.close();
  await database?.close();
  for (const socket of sockets) socket.destroy();
  proxy?.close();
  await t.close();
});

describe("events stream: a process that started while the database was down", () => {
  it("streams once the database is back, each event once", async () => {
    const target = new URL(t.databaseUrl);
    const forward = await databaseProxy(target);
    proxy = forward.server;
    const viaProxy = new URL(target);
    viaProxy.port = String(forward.port);
    database = connect(viaProxy.toString(), { max: 5 });
    // No workers: the background runner's own LISTEN would keep close() waiting while it
    // reconnects (its stop() waits for a LISTEN that may not settle; main.ts bounds that).
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: "silent", VOLTASIS_WORKERS: "off" }), database });
    await app.ready();
    const base = await listen(app);

    const down = await call(app, owner.accessToken, {
      method: "GET",
      url: "/v1/events/stream",
      headers: { accept: "text/event-stream" },
    });
    expect(down.statusCode).toBe(503);

    await forward.open();
    stream = await vi.waitFor(
      async () => {
        const attempt = await openStream(base, owner.accessToken);
        if (attempt.status === 200) return attempt;
        attempt.close();
        throw new Error(`not yet: ${attempt.status}`);
      },
      // postgres.js reconnects its LISTEN with a backoff of its own: seconds, not milliseconds.
      { timeout: 60_000, interval: 250 },
    );
    const names = ["one", "two", "three"];
    for (const name of names) {
      const res = await call(t.app, owner.accessToken, {
        method: "POST",
        url: "/v1/tags",
        payload: { name },
      });
      expect(res.statusCode).toBe(201);
    }
    const events = await stream.waitForEvents(3);
    expect(events.map((e) => (e.data.data as { name: string }).name)).toEqual(names);
  }, 90_000);
});
