import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { movedTo, type PostgresDistribution } from "./postgres-distribution.js";
import type { RunAs } from "./postgres-process.js";

/*
 * PostgreSQL refuses to run as root, so as root (a container, a VPS) the embedded cluster runs as
 * the `postgres` system user, created if missing. That user must reach two things that normally
 * sit in the clone, and a clone may lie under a directory only root may enter (`/root/voltasis`,
 * a `mktemp -d`):
 *
 * - The binaries in node_modules. When postgres cannot run them there, they are copied once into
 *   a root-owned cache named by their version (/var/cache/voltasis/postgresql-<version>-<platform>),
 *   which later starts and every other clone on the machine reuse. A copy, not a hard link: the
 *   clone may be on another file system, and a link would share the clone's file modes.
 * - The cluster. When postgres cannot enter the data dir, the cluster lives in
 *   /var/lib/voltasis/clusters/<name> and `<data dir>/pg` is a symlink to it: the data dir still
 *   says where its data is, a restart finds it, and a clone that moves keeps it.
 *
 * Neither loosens the permissions of the user's directories (a 0700 home stays 0700). The cluster
 * directory is postgres's own with mode 0700; the password file stays in the data dir (root only).
 * Both roots are FHS places that root owns and no one else may write, which is checked: another
 * user who could write there could swap the binaries or the data.
 */
export const BINARY_CACHE = "/var/cache/voltasis";
export const RELOCATED_CLUSTERS = "/var/lib/voltasis/clusters";

const run = promisify(execFile);

/** The `postgres` user (and its group), created as a system account if it does not exist. */
export async function postgresUser(): Promise<RunAs> {
  const ids = async () => {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    try {
      await run("groupadd", ["--system", "-f", "postgres"]);
      await run("useradd", [
        "--system",
        "--gid",
        "postgres",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        "postgres",
      ]);
    } catch (error) {
      throw new Error(
        `PostgreSQL cannot run as root and there is no postgres user to run it as; creating one failed (${(error as Error).message.trim()})`,
      );
    }
    return ids();
  }
}

/** Whether `user` can run `file` (every directory on its path must let them through). */
function canRun(user: RunAs, file: string): Promise<boolean> {
  return exitsCleanly(spawn(file, ["--version"], { ...user, cwd: "/", stdio: "ignore" }));
}

/** Whether `user` can enter `dir`, and so reach anything created in it for them. */
export function canEnter(user: RunAs, dir: string): Promise<boolean> {
  return exitsCleanly(
    spawn("/bin/sh", ["-c", 'test -d "$1" && test -x "$1"', "sh", dir], {
      ...user,
      cwd: "/",
      stdio: "ignore",
    }),
  );
}

function exitsCleanly(child: ReturnType<typeof spawn>): Promise<boolean> {
  return new Promise((resolve) => {
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}

/** The packaged binaries if `user` can run them, else the cached copy (made now if missing). */
export async function distributionFor(
  user: RunAs,
  packaged: PostgresDistribution,
): Promise<PostgresDistribution> {
  if (await canRun(user, packaged.postgres)) return packaged;
  await rootOwnedDirectory(BINARY_CACHE);
  const cached = movedTo(
    packaged,
    path.join(BINARY_CACHE, `postgresql-${packaged.version}-${packaged.platform}`),
  );
  if (!(await exists(cached.postgres))) {
    // Copied aside, then renamed into place: a copy cut short is never taken for a whole one,
    // and when two processes copy at once, one rename wins and the other copy is dropped.
    const partial = `${cached.dir}.partial-${process.pid}`;
    await fs.rm(partial, { recursive: true, force: true });
    await fs.cp(packaged.dir, partial, { recursive: true, verbatimSymlinks: true });
    await readableByAll(partial);
    await fs.rename(partial, cached.dir).catch(() => fs.rm(partial, { recursive: true, force: true }));
  }
  if (!(await canRun(user, cached.postgres))) {
    throw new Error(
      `The postgres user cannot run ${cached.postgres}; check the permissions of ${BINARY_CACHE}`,
    );
  }
  return cached;
}

/** Where the cluster of `dataDir` lives, and whether that is outside it (see above). */
export async function clusterDirFor(
  user: RunAs,
  dataDir: string,
): Promise<{ dir: string; relocated: boolean }> {
  const inDataDir = path.join(dataDir, "pg");
  const link = await fs.lstat(inDataDir).catch(() => null);
  if (link?.isSymbolicLink()) {
    return { dir: path.resolve(dataDir, await fs.readlink(inDataDir)), relocated: true };
  }
  if (await canEnter(user, dataDir)) return { dir: inDataDir, relocated: false };
  if (link) {
    throw new Error(
      `The cluster ${inDataDir} is in a directory the postgres user cannot enter; move it elsewhere and link it there, or start afresh without it`,
    );
  }
  await rootOwnedDirectory(path.dirname(RELOCATED_CLUSTERS));
  await rootOwnedDirectory(RELOCATED_CLUSTERS);
  const real = await fs.realpath(dataDir);
  // Readable for whoever lists the directory, unique by the hash.
  const readable = real
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(-40);
  const hash = createHash("sha256").update(real).digest("hex").slice(0, 12);
  const dir = path.join(RELOCATED_CLUSTERS, `${readable}-${hash}`);
  await fs.symlink(dir, inDataDir);
  return { dir, relocated: true };
}

/** Creates `dir` if needed; it must belong to root and be writable by root alone. */
async function rootOwnedDirectory(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const stat = await fs.lstat(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a directory that belongs to root and that only root may write to`);
  }
  // Ours alone, so setting its mode is ours to do: root's umask may have left it 0700.
  await fs.chmod(dir, 0o755);
}

/** Modes as a package manager leaves them (the user's umask may have made them root-only). */
async function readableByAll(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await readableByAll(file);
    else if (!entry.isSymbolicLink()) {
      const { mode } = await fs.stat(file);
      await fs.chmod(file, mode & 0o100 ? 0o755 : 0o644);
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
