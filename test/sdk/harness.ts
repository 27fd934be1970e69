import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { ensureDatabase } from "../../src/platform/db/open.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * The server every SDK's conformance suite runs against (test/sdk/SCENARIO.md): a real process
 * on a fresh database of the test run's cluster, with what the scenario needs — webhooks to a
 * receiver on 127.0.0.1, and a free plan of 3 requests per 2-second "minute", so a suite sees a
 * 429 and retries it after Retry-After without waiting a real minute.
 */
export async function startConformanceServer(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `sdk_${randomBytes(5).toString("hex")}`;
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const server: ServerProcess = await startServer({
    DATABASE_URL: url.toString(),
    LOG_LEVEL: "warn",
    VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
    VOLTASIS_PLAN_LIMITS: JSON.stringify({ free: { per_minute: 3, per_day: null } }),
    VOLTASIS_RATE_LIMIT_MINUTE_SECONDS: "2",
    VOLTASIS_UNAUTHENTICATED_LIMIT: "100000",
    VOLTASIS_MAX_EVENT_LOOP_DELAY_MS: "0",
    // The event stream's tests open a sixth stream against this cap.
    VOLTASIS_STREAMS_PER_CREDENTIAL: "5",
  });
  return {
    baseUrl: server.baseUrl,
    async stop() {
      server.child.kill("SIGTERM");
      await server.exited;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Whether a toolchain command runs here (`go version`, `ruby --version`, `python3 --version`). */
export function hasToolchain(command: string, args = ["--version"]): boolean {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/** Runs a language's own test command to its end; its output is kept for a failing assertion. */
export function runSuite(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
