import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { startNodeArguments } from "../../scripts/start-command.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * The test run's environment without REDIS_URL (which CI sets for the scale-out test): a process
 * started here runs in embedded mode unless its test passes REDIS_URL, so that its rate-limit
 * counters are its own and not those of earlier runs on the machine's Redis.
 */
function inherited(): NodeJS.ProcessEnv {
  const { REDIS_URL: _shared, ...rest } = process.env;
  return rest;
}

/** fetch() options that POST `body` as JSON. */
export const jsonPost = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process printed so far, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `src/main.ts` as `npm start` does, in its own process, and waits for the start-up banner. */
export async function startServer(
  env: Record<string, string>,
  /** `cwd`: the clone to start in (this repository by default). */
  options: { timeoutMs?: number; ownProcessGroup?: boolean; cwd?: string } = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [...startNodeArguments(), "src/main.ts"], {
    cwd: options.cwd ?? ROOT,
    // Its own group, as a terminal gives `npm start`: a group signal then reaches PostgreSQL too.
    detached: options.ownProcessGroup ?? false,
    env: { ...inherited(), PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), timeoutMs);
    const poll = setInterval(() => {
      const match = /Voltasis API\s+(http:\/\/\S+)\/v1/.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
  return { child, baseUrl, output: () => output, exited };
}

/** Runs an entry point (`src/main.ts` by default) to its end; returns its exit code and output. */
export function runToExit(
  env: Record<string, string>,
  entry = "src/main.ts",
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: ROOT,
      env: { ...inherited(), PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}
