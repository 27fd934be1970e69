import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { connect, type DbHandle } from "../db/connection.js";
import { createBackground } from "./runner.js";

const silentLog = { error: vi.fn(), warn: vi.fn() };

/** A task that reports each round and finds `pending` items of work, one per round. */
function countingTask(name: string, options: { channel?: string; idleMs?: number } = {}) {
  const state = { rounds: 0, pending: 0, handled: 0 };
  return {
    state,
    task: {
      name,
      channel: options.channel,
      idleMs: options.idleMs ?? 60_000,
      async runOnce() {
        state.rounds++;
        if (state.pending === 0) return 0;
        state.pending--;
        state.handled++;
        return 1;
      },
    },
  };
}

describe("background runner", () => {
  let t: TestApp;
  let database: DbHandle;

  beforeAll(async () => {
    t = await createTestApp({ VOLTASIS_WORKERS: "off" });
    // A second pool on the test app's database: its LISTEN connection is this runner's own.
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(t.db);
    const url = new URL(inject("pgAdminUrl"));
    url.pathname = `/${rows[0]?.name}`;
    database = connect(url.toString(), { max: 2 });
  });

  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  it("keeps working while there is work, then sleeps until a NOTIFY from any connection wakes it", async () => {
    const { task, state } = countingTask("notified", { channel: "voltasis_test_wake" });
    const background = createBackground({
      notifications: database.notifications,
      log: silentLog,
      enabled: true,
    });
    background.register(task);
    state.pending = 3;
    await background.start();
    await vi.waitFor(() => expect(state.handled).toBe(3), { timeout: 5_000 });
    const rounds = state.rounds;

    state.pending = 2;
    // Sent through the test app's pool, as another process would.
    await sql`SELECT pg_notify('voltasis_test_wake', '')`.execute(t.db);
    await vi.waitFor(() => expect(state.handled).toBe(5), { timeout: 5_000 });
    expect(state.rounds).toBeGreaterThan(rounds);
    await background.stop();
  });

  it("wakes a task of this process on request, and runs nothing once stopped", async () => {
    const { task, state } = countingTask("local");
    const background = createBackground({
      notifications: database.notifications,
      log: silentLog,
      enabled: true,
    });
    background.register(task);
    await background.start();
    await vi.waitFor(() => expect(state.rounds).toBe(1));
    state.pending = 1;
    background.wake("local");
    await vi.waitFor(() => expect(state.handled).toBe(1), { timeout: 5_000 });
    await background.stop();
    const rounds = state.rounds;
    state.pending = 1;
    background.wake("local");
    expect(state.rounds).toBe(rounds);
  });

  it("logs a failing round and tries again instead of dying", async () => {
    let calls = 0;
    const log = { error: vi.fn() };
    const background = createBackground({
      notifications: database.notifications,
      log: { ...silentLog, ...log },
      enabled: true,
    });
    background.register({
      name: "flaky",
      idleMs: 60_000,
      async runOnce() {
        calls++;
        if (calls === 1) throw new Error("database went away");
        return 0;
      },
    });
    await background.start();
    await vi.waitFor(() => expect(calls).toBe(2), { timeout: 5_000 });
    expect(log.error).toHaveBeenCalledTimes(1);
    await background.stop();
  });

  it("starts while the database cannot be reached, and polls meanwhile", async () => {
    const { task, state } = countingTask("patient", { channel: "voltasis_test_later", idleMs: 50 });
    let refusals = 0;
    const log = { error: vi.fn(), warn: vi.fn() };
    const background = createBackground({
      notifications: {
        listen(channel, onNotify) {
          if (refusals++ === 0) return Promise.reject(new Error("connect ECONNREFUSED"));
          return database.notifications.listen(channel, onNotify);
        },
      },
      log,
      enabled: true,
    });
    background.register(task);
    await background.start();
    state.pending = 1;
    await vi.waitFor(() => expect(state.handled).toBe(1), { timeout: 2_000 });
    expect(log.warn).toHaveBeenCalledTimes(1);
    await background.stop();
  });

  it("runs nothing in a process started with VOLTASIS_WORKERS=off", async () => {
    const { task, state } = countingTask("disabled");
    const background = createBackground({
      notifications: database.notifications,
      log: silentLog,
      enabled: false,
    });
    background.register(task);
    await background.start();
    background.wake("disabled");
    expect(state.rounds).toBe(0);
    await background.stop();
  });
});
