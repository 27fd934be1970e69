import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStream } from "../helpers/event-stream.js";
import { jsonPost, runToExit, type ServerProcess, startServer } from "../helpers/server-process.js";

// These start the real program (`npm start`'s entry) on its own embedded PostgreSQL.
let dataDir: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-process-"));
  await fs.chmod(dataDir, 0o755);
});
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

const account = {
  email: "ops@example.com",
  password: "correct horse battery",
  name: "Ops",
  organization_name: "Ops Org",
};
const postmasterPid = () =>
  Number(readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
// Running and not a zombie (an orphan that exited may linger in /proc until it is reaped).
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};

describe("the server process on its embedded PostgreSQL", () => {
  let server: ServerProcess;
  let accessToken = "";

  it("starts on an empty data dir and prints the API and /docs URLs and how to create an account", async () => {
    server = await startServer({ VOLTASIS_DATA_DIR: dataDir });
    expect(server.output()).toContain(`${server.baseUrl}/docs`);
    expect(server.output()).toContain("/v1/auth/register");
    expect((await fetch(`${server.baseUrl}/docs/`)).status).toBe(200);
    const res = await fetch(`${server.baseUrl}/v1/auth/register`, jsonPost(account));
    expect(res.status).toBe(201);
    const { data } = await res.json();
    accessToken = data.access_token;
    await fetch(
      `${server.baseUrl}/v1/auth/login`,
      jsonPost({ email: account.email, password: account.password }),
    );
    // A request that carries the token, as every authenticated one does; its lines are written.
    const me = await fetch(`${server.baseUrl}/v1/auth/me`, {
      headers: { authorization: `Bearer ${data.access_token}` },
    });
    expect(me.status).toBe(200);
    const requestId = me.headers.get("x-request-id") as string;
    await vi.waitFor(() =>
      expect(server.output()).toMatch(new RegExp(`"${requestId}".*"msg":"request completed"`)),
    );
    // Logs are structured and never carry passwords or tokens.
    expect(server.output()).not.toContain(account.password);
    expect(server.output()).not.toContain(data.access_token);
    expect(server.output()).not.toContain(data.refresh_token);
  });

  it("after SIGKILL, a restart recovers the stale lock and keeps the data", async () => {
    const orphan = postmasterPid();
    server.child.kill("SIGKILL");
    await server.exited;
    expect(alive(orphan)).toBe(true); // the crash left PostgreSQL running without its parent
    server = await startServer({ VOLTASIS_DATA_DIR: dataDir });
    expect(alive(orphan)).toBe(false);
    const res = await fetch(
      `${server.baseUrl}/v1/auth/login`,
      jsonPost({ email: account.email, password: account.password }),
    );
    expect(res.status).toBe(200);
  });

  it("SIGTERM drains in-flight requests and ends open event streams, then stops PostgreSQL cleanly", async () => {
    const pg = postmasterPid();
    const stream = await openStream(server.baseUrl, accessToken);
    expect(stream.status).toBe(200);
    // Logins are slow (argon2), so they are still running at SIGTERM; no more than the sign-in
    // guard lets through at once for one e-mail (10), which would answer the rest 429.
    const inFlight = Array.from({ length: 8 }, () =>
      fetch(
        `${server.baseUrl}/v1/auth/login`,
        jsonPost({ email: account.email, password: account.password }),
      ).then((r) => r.status),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Load balancers are told to stop routing here while the drain runs.
    const ready = await fetch(`${server.baseUrl}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).error.details.reason).toBe("draining");
    expect(await Promise.all(inFlight)).toEqual(Array(8).fill(200));
    // The stream is told why it ends, so the drain does not wait for it (nor a client in vain).
    await stream.ended;
    expect(stream.closing).toEqual({
      reason: "shutting_down",
      message: "The server is shutting down: reconnect with Last-Event-ID to resume",
      reconnect: true,
    });
    expect(await server.exited).toBe(0);
    expect(alive(pg)).toBe(false);
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    expect(server.output()).toContain("stopped cleanly");
  });

  it("Ctrl-C in a terminal (SIGINT to the whole process group) still stops cleanly", async () => {
    const interactive = await startServer({ VOLTASIS_DATA_DIR: dataDir }, { ownProcessGroup: true });
    const pg = postmasterPid();
    process.kill(-(interactive.child.pid as number), "SIGINT");
    expect(await interactive.exited).toBe(0);
    expect(alive(pg)).toBe(false);
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
  });

  it("`npm run migrate` starts the embedded cluster, finds nothing to apply, and stops it", async () => {
    const { code, output } = await runToExit(
      { VOLTASIS_DATA_DIR: dataDir },
      "src/platform/db/migrate-cli.ts",
    );
    expect(output).toContain("Migrations applied to the embedded");
    expect(code).toBe(0);
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
  });
});

describe("configuration is validated at start-up", () => {
  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://localhost/x"],
    ["REDIS_URL", "not a url"],
    ["VOLTASIS_DEFAULT_PLAN", "platinum"],
    ["VOLTASIS_WEBHOOKS_ALLOW_PRIVATE", "maybe"],
    ["VOLTASIS_WORKERS", "sometimes"],
    ["VOLTASIS_PLATFORM_ADMINS", "bob@example.com"],
  ])("a bad %s (%s) stops the process with a message naming it", async (variable, value) => {
    const { code, output } = await runToExit({ VOLTASIS_DATA_DIR: dataDir, [variable]: value });
    expect(code).toBe(1);
    expect(output).toContain(`Invalid configuration: ${variable}`);
  });
});
