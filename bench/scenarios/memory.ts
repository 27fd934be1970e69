import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startNodeArguments } from "../../scripts/start-command.js";
import { registerWithKey } from "../bulk-entries.js";
import {
  BENCH_ENV,
  type Bench,
  type Measurement,
  measure,
  type Row,
  readSettings,
  skipped,
  withDeadline,
  withoutSpeed,
} from "../harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUICK = readSettings().quick;
const LOAD_S = QUICK ? 3 : 60;
const CONNECTIONS = 20;
const START_LIMIT_S = 60;
const MAX_MB = 200;
const MAX_GROWTH = 0.1;

/**
 * Memory as a user runs the API (issue 15): its own process started as `npm start` starts it,
 * idle, then after a mixed load (a page of entries, a new entry and /v1/auth/me, 20 connections
 * each, 60 s) and after a second identical one. Goal: under 200 MB after the first, and less than
 * 10 % more after the second (what keeps growing under a steady load is a leak or an unbounded
 * cache). RSS is read from /proc, so the row is skipped where there is none.
 */
export async function run(bench: Bench): Promise<Row> {
  const scenario = `RSS of the API process (npm start) after ${LOAD_S} s of mixed load, twice`;
  const { secret } = await registerWithKey(bench.realUrl, ["write:time-entries", "read"]);
  const api = await startApiProcess(bench.databaseUrl);
  try {
    const pid = api.child.pid as number;
    if (!fs.existsSync(`/proc/${pid}/status`)) {
      return skipped(scenario, "no /proc to read the resident set from");
    }
    const idleMb = await residentMb(pid);
    const firstMb = await mixedLoad(api.url, secret).then(() => residentMb(pid));
    const secondMb = await mixedLoad(api.url, secret).then(() => residentMb(pid));
    process.stderr.write(
      `  RSS idle ${idleMb} MB, after load 1 ${firstMb} MB, after load 2 ${secondMb} MB\n`,
    );
    return {
      ...withoutSpeed(`${scenario}: idle ${idleMb} MB, ${firstMb} MB, then ${secondMb} MB`),
      memory: { idleMb, firstMb, secondMb, maxMb: MAX_MB, maxGrowth: MAX_GROWTH },
    };
  } finally {
    await api.stop();
  }
}

/** The three requests a tracking client makes most, at once, each on its own 20 connections. */
async function mixedLoad(url: string, secret: string): Promise<void> {
  const authorization = `Bearer ${secret}`;
  const load = { connections: CONNECTIONS, warmupSeconds: 0, durationSeconds: LOAD_S };
  const [list, me, post] = await Promise.all([
    measure(`${url}/v1/time-entries?per_page=50`, { headers: { authorization } }, load),
    measure(`${url}/v1/auth/me`, { headers: { authorization } }, load),
    measure(
      `${url}/v1/time-entries`,
      {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ start: "2024-01-01T09:00:00Z", duration: 60, description: "bench" }),
      },
      load,
    ),
  ]);
  const rate = (m: Measurement) => Math.round(m.requestsPerSecond).toLocaleString("en-US");
  process.stderr.write(`  served list ${rate(list)}/s, auth/me ${rate(me)}/s, POST ${rate(post)}/s\n`);
}

async function residentMb(pid: number): Promise<number> {
  const status = await fsp.readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/**
 * Started with `npm start`'s own Node arguments (its heap flags included), directly rather than
 * through npm, so that the pid read is the one serving. Its log goes to a file.
 */
async function startApiProcess(databaseUrl: string) {
  const port = await freePort();
  const logDir = await fsp.mkdtemp(path.join(os.tmpdir(), "voltasis-bench-memory-"));
  const log = fs.openSync(path.join(logDir, "api.log"), "a");
  const child = spawn(process.execPath, [...startNodeArguments(), "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...BENCH_ENV, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await withDeadline(once(child, "exit"), 30, "the API process stopping").catch(() =>
        child.kill("SIGKILL"),
      );
    }
    fs.closeSync(log);
    await fsp.rm(logDir, { recursive: true, force: true });
  };
  try {
    await withDeadline(untilHealthy(url, child), START_LIMIT_S, "the API process starting");
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, url, stop };
}

async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API process exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}
