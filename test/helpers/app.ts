import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import postgres from "postgres";
import { inject } from "vitest";
import { buildApp } from "../../src/app.js";
import type { Clock } from "../../src/platform/background/clock.js";
import { loadConfig } from "../../src/platform/config.js";
import { connect, type Db } from "../../src/platform/db/connection.js";
import { ensureDatabase } from "../../src/platform/db/open.js";

export interface TestApp {
  app: FastifyInstance;
  /** Direct access for arranging what the API cannot (an expired token) and asserting on rows. */
  db: Db;
  /** The test database's URL, for a connection of the test's own (through a proxy, say). */
  databaseUrl: string;
  /** Another app on the same database: a second API process, as in scale-out (its env may add settings). */
  anotherProcess(extraEnv?: Record<string, string>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * A test file sends hundreds of unauthenticated requests from one address (registrations, 401
 * checks), so tests get a per-IP limit they cannot reach; the limit itself is tested with its
 * production default in src/platform/rate-limit/, and production keeps SPEC §4's 100 a minute.
 * Load shedding is off for the same reason: on a busy 2-core machine it would answer for the
 * machine, not for the code under test; src/platform/load-shedding.test.ts turns it on.
 */
const TEST_DEFAULTS = {
  LOG_LEVEL: "silent",
  VOLTASIS_UNAUTHENTICATED_LIMIT: "100000",
  VOLTASIS_MAX_EVENT_LOOP_DELAY_MS: "0",
};

/** A fresh, migrated database (copied from the run's template) and an app on top of it. */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { clock?: Clock; logFile?: string } = {},
): Promise<TestApp> {
  const adminUrl = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const config = loadConfig({ ...TEST_DEFAULTS, ...env });
  const database = connect(url.toString(), { max: 5 });
  const app = await buildApp({ config, database, clock: options.clock, logFile: options.logFile });
  await app.ready();
  const others: Array<{ app: FastifyInstance; close(): Promise<void> }> = [];
  return {
    app,
    db: database.db,
    databaseUrl: url.toString(),
    async anotherProcess(extraEnv = {}) {
      const own = connect(url.toString(), { max: 5 });
      const other = await buildApp({
        config: loadConfig({ ...TEST_DEFAULTS, ...env, ...extraEnv }),
        database: own,
        clock: options.clock,
      });
      await other.ready();
      others.push({ app: other, close: () => own.close() });
      return other;
    },
    async close() {
      for (const other of others) {
        await other.app.close();
        await other.close();
      }
      await app.close();
      await database.close();
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
