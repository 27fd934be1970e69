/**
 * The CLI keeps its secrets: the config file is the user's alone (0600 in a 0700 directory, whatever
 * the umask or the modes found), no password is stored, no credential is printed in an error or in
 * --verbose logs, and a key with few scopes gets the API's own 403.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PermissionDeniedError, Voltasis } from "@voltasis/sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Account,
  BIN,
  type CliServer,
  type Home,
  loginWithPassword,
  newAccount,
  newHome,
  PASSWORD,
  startCliServer,
  voltasis,
} from "./harness.js";

let server: CliServer;
let ada: Account;
let home: Home;

beforeAll(async () => {
  server = await startCliServer();
  ada = await newAccount(server.baseUrl, "ada");
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  home = newHome();
});
afterEach(() => home.remove());

const mode = (file: string) => statSync(file).mode & 0o777;

/** `voltasis login` under `umask 000`, as a careless shell profile might set it. */
function loginUnderUmaskZero(): Promise<number | null> {
  const args = ["login", "--base-url", server.baseUrl, "--email", ada.email, "--password-stdin"];
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", 'umask 000 && exec "$0" "$@"', BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: home.dir, XDG_CONFIG_HOME: path.join(home.dir, "config") },
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.end(`${PASSWORD}\n`);
    child.on("close", resolve);
  });
}

describe("the config file", () => {
  it("is 0600 in a 0700 directory under umask 000", async () => {
    expect(await loginUnderUmaskZero()).toBe(0);
    expect(mode(home.configDir)).toBe(0o700);
    expect(mode(home.configFile)).toBe(0o600);
  });

  it("takes back a directory and a file left open to others, and stays so after a refresh", async () => {
    mkdirSync(home.configDir, { recursive: true });
    chmodSync(home.configDir, 0o755);
    writeFileSync(home.configFile, JSON.stringify({ profiles: { other: { base_url: "http://x" } } }));
    chmodSync(home.configFile, 0o644);
    await loginWithPassword(home, server.baseUrl, ada);
    expect(mode(home.configDir)).toBe(0o700);
    expect(mode(home.configFile)).toBe(0o600);
    const config = JSON.parse(readFileSync(home.configFile, "utf8"));
    expect(Object.keys(config.profiles).sort()).toEqual(["default", "other"]);

    config.profiles.default.access_token_expires_at = "2000-01-01T00:00:00.000Z";
    writeFileSync(home.configFile, JSON.stringify(config));
    chmodSync(home.configFile, 0o644);
    expect((await voltasis(home, ["whoami"])).code).toBe(0);
    expect(mode(home.configFile)).toBe(0o600);
  });

  it("holds tokens, never the password", async () => {
    await loginWithPassword(home, server.baseUrl, ada);
    const text = readFileSync(home.configFile, "utf8");
    expect(text).toContain("vlt_at_");
    expect(text).not.toContain(PASSWORD);
  });
});

describe("secrets are never printed", () => {
  it("a wrong password: the API's 401, without the password, even with --verbose", async () => {
    const result = await voltasis(
      home,
      ["login", "--verbose", "--base-url", server.baseUrl, "--email", ada.email, "--password-stdin"],
      { input: "not the password at all\n" },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: .*\(UNAUTHORIZED, req_\w+\)/);
    expect(`${result.stdout}${result.stderr}`).not.toContain("not the password at all");
  });

  it("a revoked key from the environment or from stdin: the API's 401, without the key", async () => {
    const key = await ada.client.apiKeys.create({ name: "soon revoked", scopes: ["read"] });
    await ada.client.apiKeys.delete(key.id);
    const env = { VOLTASIS_API_KEY: key.secret, VOLTASIS_BASE_URL: server.baseUrl };
    const fromEnv = await voltasis(home, ["projects", "list", "--verbose"], { env });
    const fromStdin = await voltasis(home, ["login", "--api-key", "-", "--base-url", server.baseUrl, "-v"], {
      input: key.secret,
    });
    for (const result of [fromEnv, fromStdin]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Error: This API key has been revoked \(UNAUTHORIZED, req_\w+\)/);
      expect(`${result.stdout}${result.stderr}`).not.toContain(key.secret);
      expect(`${result.stdout}${result.stderr}`).not.toContain(key.secret.slice(-12));
    }
  });

  it("--verbose logs requests, refreshes included, without a token or an Authorization header", async () => {
    await loginWithPassword(home, server.baseUrl, ada);
    const config = JSON.parse(readFileSync(home.configFile, "utf8"));
    const { access_token: accessToken, refresh_token: refreshToken } = config.profiles.default;
    config.profiles.default.access_token_expires_at = "2000-01-01T00:00:00.000Z";
    writeFileSync(home.configFile, JSON.stringify(config));

    const logs: string[] = [];
    for (const args of [
      ["whoami"],
      ["projects", "list"],
      ["timer", "status"],
      ["projects", "get", "prj_x"],
    ]) {
      const result = await voltasis(home, [...args, "--verbose"]);
      logs.push(result.stdout, result.stderr);
    }
    const all = logs.join("\n");
    expect(all).toContain("> POST"); // the refresh was logged…
    expect(all).toContain("< 200");
    const renewed = JSON.parse(readFileSync(home.configFile, "utf8")).profiles.default;
    for (const secret of [accessToken, refreshToken, renewed.access_token, renewed.refresh_token]) {
      expect(all).not.toContain(secret); // …and no token, old or new
    }
    expect(all.toLowerCase()).not.toContain("authorization");
    expect(all).not.toContain("Bearer");
  });
});

describe("scopes", () => {
  it("a key with few scopes gets the API's own 403 message, with code and request id", async () => {
    const key = await ada.client.apiKeys.create({ name: "read projects", scopes: ["read:projects"] });
    const env = { VOLTASIS_API_KEY: key.secret, VOLTASIS_BASE_URL: server.baseUrl };
    expect((await voltasis(home, ["projects", "list"], { env })).code).toBe(0);

    const refused = await new Voltasis({ apiKey: key.secret, baseURL: server.baseUrl }).projects
      .create({ name: "Nope" })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    const message = (refused as PermissionDeniedError).message;

    for (const args of [
      ["projects", "create", "Nope"],
      ["keys", "list"],
      ["timer", "start"],
      ["export", "-o", "x.csv"],
    ]) {
      const result = await voltasis(home, args, { env });
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^Error: .+ \(FORBIDDEN, req_\w+\)\n$/);
      if (args[1] === "create") expect(result.stderr).toContain(`Error: ${message} (FORBIDDEN, req_`);
    }
  });
});
