import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import { connect, type DbHandle } from "../src/platform/db/connection.js";
import { startEmbeddedPostgres } from "../src/platform/db/embedded-postgres.js";
import { migrateToLatest } from "../src/platform/db/migrate.js";
import { ensureDatabase } from "../src/platform/db/open.js";

export interface Settings {
  /**
   * `--quick` (CI): about a second per run, one round, smaller data; the figures are printed and
   * nothing is judged, so that CI keeps the bench working without failing on a busy machine.
   */
  quick: boolean;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** The defaults; `BENCH_DURATION` and `BENCH_CONNECTIONS` override. */
export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const positive = (name: string, fallback: number, integer: boolean) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!(n > 0) || (integer && !Number.isInteger(n))) {
      throw new Error(`${name} must be a positive ${integer ? "integer" : "number"} (got "${raw}")`);
    }
    return n;
  };
  const quick = process.argv.includes("--quick");
  return {
    quick,
    connections: positive("BENCH_CONNECTIONS", 50, true),
    warmupSeconds: quick ? 0.5 : 5,
    durationSeconds: positive("BENCH_DURATION", quick ? 1 : 10, false),
  };
}

/** Steps that undo what was set up, run newest first; safe to run twice (error, then signal). */
export function createTeardown() {
  const steps: Array<() => Promise<unknown>> = [];
  return {
    defer(step: () => Promise<unknown>): void {
      steps.push(step);
    },
    async run(): Promise<void> {
      for (let step = steps.pop(); step; step = steps.pop()) {
        // Bounded: embedded-postgres' stop() waits forever for a server that has already exited.
        await withDeadline(step(), 15, "cleanup step").catch((error: unknown) =>
          process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`),
        );
      }
    },
  };
}
export type Teardown = ReturnType<typeof createTeardown>;

export interface Bench {
  /** The real app, as `main.ts` builds it. */
  realUrl: string;
  /** The real app's pool, so that a floor reaches the same database through the same driver. */
  database: DbHandle;
  /** Where that database is, for an app started as its own process. */
  databaseUrl: string;
  /** A bare Fastify app (no plugins, hooks, envelope or auth) with only the routes given. */
  startFloor(routes: (app: FastifyInstance) => void): Promise<string>;
  /** Another real app on the same database, configured by `env` on top of BENCH_ENV. */
  startApp(env: Record<string, string>): Promise<string>;
}

/**
 * The real app is measured as deployed: rate limits on (with the plan of new organizations far
 * above what a run sends, so that a scenario measures its route and not 429s), the request log on,
 * and `LOG_LEVEL=info` written to a file (see setUp).
 */
export const BENCH_ENV = {
  LOG_LEVEL: "info",
  // The webhook scenario's receiver listens on 127.0.0.1, which production refuses (SSRF guard).
  VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
  VOLTASIS_PLAN_LIMITS: JSON.stringify({ enterprise: { per_minute: 1_000_000_000 } }),
};

export async function setUp(teardown: Teardown): Promise<Bench> {
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-bench-"));
    teardown.defer(() => fs.rm(dataDir, { recursive: true, force: true }));
    // As root the cluster runs as the `postgres` user, which must be able to enter the directory.
    await fs.chmod(dataDir, 0o755);
    // Ephemeral (no fsync) only speeds up the arranging writes; the measured requests only read.
    const cluster = await startEmbeddedPostgres({ dataDir, log: () => {}, ephemeral: true });
    teardown.defer(() => cluster.stop());
    await ensureDatabase(cluster.adminUrl, "voltasis_bench");
    url = cluster.urlFor("voltasis_bench");
  }
  const database = connect(url);
  teardown.defer(() => database.close());
  // The apps' log lines go to a file, as a deployment's would, and not over the bench's table.
  const logDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-bench-log-"));
  teardown.defer(() => fs.rm(logDir, { recursive: true, force: true }));
  const logFile = path.join(logDir, "app.log");
  await migrateToLatest(database.db);
  // The first app uses `database` (floors reach the same pool through it); every other app gets
  // its own pool, as another process would have.
  let first = true;
  const startApp = async (env: Record<string, string>) => {
    const own = first ? database : connect(url);
    if (!first) teardown.defer(() => own.close());
    first = false;
    const app = await buildApp({ config: loadConfig({ ...BENCH_ENV, ...env }), database: own, logFile });
    teardown.defer(() => close(app));
    return listen(app);
  };
  const realUrl = await startApp({});
  return {
    realUrl,
    database,
    databaseUrl: url,
    async startFloor(routes) {
      const floor = Fastify();
      routes(floor);
      teardown.defer(() => close(floor));
      return listen(floor);
    },
    startApp,
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function close(app: FastifyInstance): Promise<void> {
  const closing = app.close();
  // After an interrupted run autocannon's sockets are still open; don't wait for them.
  app.server.closeAllConnections();
  await closing;
}

/** Rejects after `seconds`, so that a hung step ends the run instead of stalling it. */
export async function withDeadline<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Arranges through the public API, as a client would; throws on anything but 2xx. */
export async function postJson(url: string, body: unknown, token?: string): Promise<{ data: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { data: unknown };
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export type RequestOptions = Pick<autocannon.Options, "headers" | "method" | "body" | "requests">;

/**
 * `connections` overrides BENCH_CONNECTIONS for one scenario: a latency goal ("a report answers
 * within 100 ms") is about one caller, not about the queue that 50 concurrent ones would build.
 */
export async function measure(
  url: string,
  request: RequestOptions = {},
  overrides: { connections?: number; warmupSeconds?: number; durationSeconds?: number } = {},
): Promise<Measurement> {
  const settings = readSettings();
  const { connections, warmupSeconds, durationSeconds } = { ...settings, ...overrides };
  // One worker thread fires the requests, so the load generator does not share the servers' event loop.
  const options = { url, connections, workers: 1, ...request };
  const run = (duration: number) =>
    withDeadline(autocannon({ ...options, duration }), duration + 30, `autocannon on ${url}`);
  if (warmupSeconds > 0) expectAllOk(url, await run(warmupSeconds));
  const result = expectAllOk(url, await run(durationSeconds));
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** Throughput of errors or 401s would say nothing about the route, so such a run fails loudly. */
function expectAllOk(url: string, result: autocannon.Result): autocannon.Result {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0 || result.requests.total === 0) {
    throw new Error(
      `${url}: ${result.requests.total} responses, ${result.non2xx} non-2xx, ` +
        `${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result;
}

/**
 * Floor and real take turns (floor, real, floor, real), so that a change in the machine's load
 * hits both; the better run of each counts. A run's p99 stays with its req/s.
 */
export async function alternate(
  real: () => Promise<Measurement>,
  floor: () => Promise<Measurement>,
  rounds = readSettings().quick ? 1 : 2,
): Promise<{ real: Measurement; floor: Measurement }> {
  const runs = { real: [] as Measurement[], floor: [] as Measurement[] };
  for (let round = 1; round <= rounds; round++) {
    for (const [side, measureSide] of [
      ["floor", floor],
      ["real", real],
    ] as const) {
      const m = await measureSide();
      runs[side].push(m);
      process.stderr.write(
        `  ${side} ${round}/${rounds}: ${Math.round(m.requestsPerSecond)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms\n`,
      );
    }
  }
  const best = (list: Measurement[]) =>
    list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  return { real: best(runs.real), floor: best(runs.floor) };
}

export interface Row {
  scenario: string;
  real: Measurement;
  floor: Measurement;
  /** real req/s over floor req/s. */
  ratio: number;
  goal: number;
  /** When set, the goal is the real side's p50 latency below this, not the ratio. */
  maxP50Ms?: number;
  /**
   * When set, the row is about memory, not speed: an API process's resident set idle and after
   * each of two identical loads (goal: under maxMb after the first, growing less than maxGrowth).
   */
  memory?: { idleMb: number; firstMb: number; secondMb: number; maxMb: number; maxGrowth: number };
  /** Why the scenario could not run (its route does not exist yet, say). */
  skipped?: string;
}

export function compare(scenario: string, real: Measurement, floor: Measurement, goal = 0.7): Row {
  return { scenario, real, floor, ratio: real.requestsPerSecond / floor.requestsPerSecond, goal };
}

/** A latency goal: the real route's median stays under `maxP50Ms`; the floor shows the SQL's share. */
export function compareLatency(
  scenario: string,
  real: Measurement,
  floor: Measurement,
  maxP50Ms: number,
): Row {
  return { ...compare(scenario, real, floor, 0), maxP50Ms };
}

export function skipped(scenario: string, reason: string): Row {
  return { ...withoutSpeed(scenario), skipped: reason };
}

/** A row with no speed figures (skipped, or about memory): its speed columns print empty. */
export function withoutSpeed(scenario: string): Row {
  const none = { requestsPerSecond: 0, p50Ms: 0, p99Ms: 0 };
  return { scenario, real: none, floor: none, ratio: 0, goal: 0 };
}
