import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startNodeArguments } from "./start-command.js";

/*
 * `npm run soak [-- --duration 3m --connections 8]`: starts the API as `npm start` does (its own
 * embedded PostgreSQL in a temp folder, or DATABASE_URL's server when set), drives a mixed load
 * (list, create, auth/me, a report) at it from 127.0.0.1 for a bounded time, and reports
 * requests, errors, p99 and the API process's memory. Goals (issue 10.6): no errors, and RSS
 * after the run less than 10 % above RSS after the warm-up. Everything it started it stops, and
 * its temp folder goes, whatever happens.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const MAX_RSS_GROWTH = 0.1;
// A shorter run shows V8 still growing its heap to its working size, not a leak.
const MIN_JUDGED_RSS_S = 60;
// RSS moves with every garbage collection: each end is the median of this many 1-s samples.
const RSS_WINDOW = 10;
const START_LIMIT_MS = 120_000;
const STOP_LIMIT_MS = 40_000;

const { values: args } = parseArgs({
  options: { duration: { type: "string", default: "3m" }, connections: { type: "string", default: "8" } },
});
const durationS = seconds(args.duration);
const connections = Number(args.connections);
if (!Number.isInteger(connections) || connections < 1 || connections > 64) {
  throw new Error(`--connections must be an integer from 1 to 64 (got "${args.connections}")`);
}
// Long enough for V8 and the pools to reach their working size, so that growth means a leak.
const warmupS = Math.min(30, Math.max(5, Math.round(durationS / 10)));

function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === "m" ? 60 : 1) : Number.NaN;
  if (!(value >= 1 && value <= 3_600))
    throw new Error(`--duration must be like 10s, 90 or 3m (got "${text}")`);
  return value;
}

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp() {
  for (let step = cleanups.pop(); step; step = cleanups.pop()) await step().catch(() => {});
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the soak\n`);
    void cleanUp().then(() => process.exit(130));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The API as `npm start` runs it; warnings and errors it logs are kept for the report. */
async function startApi(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; baseUrl: string; problems: string[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...startNodeArguments(), "src/main.ts"], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_LIMIT_MS).then(() => false)]);
    if (!stopped) child.kill("SIGKILL");
  });
  const problems: string[] = [];
  // pino's levels 40 (warn) and up on stdout; anything on stderr.
  const keep = (isProblem: (line: string) => boolean) => {
    let pending = "";
    return (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      problems.push(...lines.filter(isProblem));
    };
  };
  child.stdout?.on(
    "data",
    keep((line) => /"level":[456]0/.test(line)),
  );
  child.stderr?.on(
    "data",
    keep((line) => line.trim() !== ""),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited while starting:\n${problems.join("\n")}`);
    const up = await fetch(`${baseUrl}/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (up) return { child, baseUrl, problems };
    if (Date.now() - started > START_LIMIT_MS) throw new Error("the API did not become ready in 2 minutes");
    await sleep(200);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process in MiB, as the kernel counts it. */
function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

async function post(baseUrl: string, route: string, body: unknown, token?: string) {
  const res = await fetch(`${baseUrl}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Record<string, unknown> }).data;
}

/** An entry somewhere in 2024, so that lists and the report see a growing but spread-out table. */
function entryBody(n: number): string {
  const start = Date.UTC(2024, 0, 1) + ((n * 7_919) % 8_760) * 3_600_000;
  return JSON.stringify({
    start: new Date(start).toISOString(),
    end: new Date(start + 1_800_000).toISOString(),
    description: `soak ${n}`,
  });
}

async function main() {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // One account from one address: the soak measures the process, not the limits it would hit.
    VOLTASIS_RATE_LIMITS: "off",
  };
  let where = `DATABASE_URL (${process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL).host : ""})`;
  if (!process.env.DATABASE_URL) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-soak-"));
    // As root PostgreSQL runs as the postgres user: let it in, so the cluster stays in here.
    await fs.chmod(dataDir, 0o755);
    cleanups.push(async () => {
      const link = await fs.readlink(path.join(dataDir, "pg")).catch(() => null);
      if (link) await fs.rm(link, { recursive: true, force: true });
      await fs.rm(dataDir, { recursive: true, force: true });
    });
    env.VOLTASIS_DATA_DIR = dataDir;
    where = `embedded PostgreSQL in ${dataDir}`;
  }
  process.stderr.write(`soak: starting the API on ${where}\n`);
  const api = await startApi(env);
  const pid = api.child.pid as number;

  const { access_token: token } = (await post(api.baseUrl, "/v1/auth/register", {
    // Unique per run: with DATABASE_URL the accounts of earlier runs are still there.
    email: `soak-${Date.now()}@example.com`,
    password: "correct horse battery",
    name: "Soak",
    organization_name: "Soak",
  })) as { access_token: string };
  for (let n = 0; n < 200; n++) await post(api.baseUrl, "/v1/time-entries", JSON.parse(entryBody(n)), token);

  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  let created = 200;
  const requests: autocannon.Request[] = [
    { method: "GET", path: "/v1/time-entries?limit=20" },
    {
      method: "POST",
      path: "/v1/time-entries",
      setupRequest: (request) => ({ ...request, body: entryBody(created++) }),
    },
    { method: "GET", path: "/v1/auth/me" },
    { method: "GET", path: "/v1/reports/summary?from=2024-03-01&to=2024-04-01&group_by=project" },
  ];
  const load = (duration: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        { url: api.baseUrl, connections, duration, headers, requests, timeout: 10 },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      cleanups.push(async () => instance.stop());
    });

  process.stderr.write(`soak: warm-up ${warmupS} s, then ${durationS} s with ${connections} connections\n`);
  await load(warmupS);
  const samples = [rssMiB(pid)];
  const sampler = setInterval(() => samples.push(rssMiB(pid)), 1_000);
  const result = await load(durationS);
  clearInterval(sampler);
  samples.push(rssMiB(pid));

  const errors = result.non2xx + result.errors + result.timeouts;
  const window = Math.max(1, Math.min(RSS_WINDOW, Math.floor(samples.length / 4)));
  const rssStart = median(samples.slice(0, window));
  const rssEnd = median(samples.slice(-window));
  const rssPeak = Math.max(...samples);
  const growth = (rssEnd - rssStart) / rssStart;
  const judgeRss = durationS >= MIN_JUDGED_RSS_S;
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([status, { count }]) => `${status}: ${count}`)
    .join(", ");
  const pass = errors === 0 && (!judgeRss || growth < MAX_RSS_GROWTH) && result.requests.total > 0;
  const report = [
    "",
    `soak ${durationS} s, ${connections} connections, mixed list/create/auth-me/report`,
    `requests      ${result.requests.total} (${Math.round(result.requests.average)}/s; ${statuses})`,
    `errors        ${errors} (non-2xx ${result.non2xx}, socket errors ${result.errors}, timeouts ${result.timeouts})`,
    `latency       p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    `API RSS       ${rssStart.toFixed(1)} MiB after warm-up, ${rssEnd.toFixed(1)} MiB at the end (medians of ${window} s; peak ${rssPeak.toFixed(1)}), growth ${(growth * 100).toFixed(1)} %`,
    ...(api.problems.length > 0 ? [`API warnings  ${api.problems.length}, first: ${api.problems[0]}`] : []),
    `${pass ? "PASS" : "FAIL"}          goals: 0 errors, RSS growth < ${MAX_RSS_GROWTH * 100} %${judgeRss ? "" : ` (not judged: runs under ${MIN_JUDGED_RSS_S} s)`}`,
    "",
  ];
  process.stdout.write(report.join("\n"));
  return pass;
}

main().then(
  async (pass) => {
    await cleanUp();
    process.exit(pass ? 0 : 1);
  },
  async (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanUp();
    process.exit(1);
  },
);
