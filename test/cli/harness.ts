/**
 * What the CLI's tests share: a real server on a fresh database of the test run's cluster (the
 * database URL too, for arranging what the API cannot, such as an expired token), the real
 * `voltasis` binary as `npm install` links it, run as a child process with a throw-away home, and
 * accounts made through the SDK.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Voltasis } from "@voltasis/sdk";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import { ensureDatabase } from "../../src/platform/db/open.js";
import { startServer } from "../helpers/server-process.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "node_modules/.bin/voltasis");
export const PASSWORD = "correct horse battery staple";

/** The binary's compiled code, refused with the fix when missing or older than its sources. */
function assertBuilt(): void {
  const built = path.join(ROOT, "cli/dist/main.js");
  const fix = "run `npm install` or `npm run build -w @voltasis/cli`";
  if (!existsSync(BIN) || !existsSync(built)) throw new Error(`the voltasis binary is not built: ${fix}`);
  const sources = path.join(ROOT, "cli/src");
  const changed = readdirSync(sources, { recursive: true, encoding: "utf8" }).filter(
    (file) => statSync(path.join(sources, file)).mtimeMs > statSync(built).mtimeMs,
  );
  if (changed.length > 0) throw new Error(`cli/src/${changed[0]} is newer than cli/dist: ${fix}`);
}

export interface CliServer {
  baseUrl: string;
  /** SQL on the server's database. */
  sql: postgres.Sql;
  stop(): Promise<void>;
}

export async function startCliServer(): Promise<CliServer> {
  assertBuilt();
  const adminUrl = inject("pgAdminUrl");
  const name = `cli_${randomBytes(5).toString("hex")}`;
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const server = await startServer({
    DATABASE_URL: url.toString(),
    LOG_LEVEL: "warn",
    // The webhook tests' receiver listens on 127.0.0.1; every command of a test run signs in from one IP.
    VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
    VOLTASIS_UNAUTHENTICATED_LIMIT: "100000",
  });
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  return {
    baseUrl: server.baseUrl,
    sql,
    async stop() {
      await sql.end();
      server.child.kill("SIGTERM");
      await server.exited;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A home of its own for a run of commands: `$XDG_CONFIG_HOME` is `<home>/config`. */
export interface Home {
  dir: string;
  configDir: string;
  configFile: string;
  remove(): void;
}

export function newHome(): Home {
  const dir = mkdtempSync(path.join(os.tmpdir(), "voltasis-cli-"));
  const configDir = path.join(dir, "config", "voltasis");
  return {
    dir,
    configDir,
    configFile: path.join(configDir, "config.json"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; fails the test with the output when it is not. */
  json<T = unknown>(): T;
}

const shellQuoted = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/** Whether util-linux's `script` is here to give a command a terminal (a pseudo-TTY). */
export const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

/**
 * Runs `voltasis <args>` to its end in `home`, with only what a user's shell would have: PATH, the
 * home, and the variables given (none of this process's VOLTASIS_* leak in). With `terminal`, it
 * runs at a terminal of its own (through `script`): stdout and stderr then arrive together in
 * `stdout`, with the terminal's CRLF line ends.
 */
export function voltasis(
  home: Home,
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string; terminal?: boolean } = {},
): Promise<CliRun> {
  const [command, argv] = options.terminal
    ? ["script", ["-qec", [BIN, ...args].map(shellQuoted).join(" "), "/dev/null"]]
    : [BIN, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd ?? home.dir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home.dir,
        XDG_CONFIG_HOME: path.join(home.dir, "config"),
        ...options.env,
      },
      stdio: [options.terminal ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.stdin?.end(options.input ?? "");
    child.on("close", (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(
              `stdout of voltasis ${args.join(" ")} is not JSON:\n${stdout}\n--- stderr\n${stderr}`,
            );
          }
        },
      }),
    );
  });
}

export interface Account {
  email: string;
  userId: string;
  orgId: string;
  /** The SDK as the account's owner (an access token). */
  client: Voltasis;
}

/** A new user and organization through the API (`auth.register`). */
export async function newAccount(baseUrl: string, who: string): Promise<Account> {
  const email = `${who}-${randomBytes(4).toString("hex")}@example.com`;
  const session = await new Voltasis({ apiKey: null, baseURL: baseUrl }).auth.register({
    email,
    password: PASSWORD,
    name: who,
    organization_name: `${who}'s org`,
  });
  return {
    email,
    userId: session.user.id,
    orgId: session.organization.id,
    client: new Voltasis({ accessToken: session.access_token, baseURL: baseUrl }),
  };
}

/** `voltasis login` with the account's password, in `home`; fails the test if it does not work. */
export async function loginWithPassword(home: Home, baseUrl: string, account: Account, profile = "default") {
  const run = await voltasis(
    home,
    ["login", "--base-url", baseUrl, "--profile", profile, "--email", account.email, "--password-stdin"],
    { input: `${PASSWORD}\n` },
  );
  if (run.code !== 0) throw new Error(`login failed:\n${run.stderr}`);
  return run;
}

export interface Suite {
  server: CliServer;
  /** An account registered for the file. */
  ada: Account;
  /** A home of its own, for the file or for each test. */
  home: Home;
}

/**
 * The hooks most CLI test files share: a server and Ada's account for the file, and a home, for the
 * whole file or new for each test, where she has logged in with her password (`login: true`).
 * The fields are filled in as the hooks run.
 */
export function cliSuite(options: { homeFor: "file" | "test"; login: boolean }): Suite {
  const suite = {} as Suite;
  const enter = async () => {
    suite.home = newHome();
    if (options.login) await loginWithPassword(suite.home, suite.server.baseUrl, suite.ada);
  };
  beforeAll(async () => {
    suite.server = await startCliServer();
    suite.ada = await newAccount(suite.server.baseUrl, "ada");
    if (options.homeFor === "file") await enter();
  });
  afterAll(async () => {
    if (options.homeFor === "file") suite.home?.remove();
    await suite.server?.stop();
  });
  if (options.homeFor === "test") {
    beforeEach(enter);
    afterEach(() => suite.home?.remove());
  }
  return suite;
}
