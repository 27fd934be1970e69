/**
 * The CLI keeps its secrets: the config file is the user's alone (0600 in a 0700 directory, whatever
 * the umask or the modes found), no password is stored, no credential is printed in an error or in
 * --verbose logs, and a key with few scopes gets the API's own 403.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PermissionDeniedError, Voltasis } from "@voltasis/sdk";
import { describe, expect, it } from "vitest";
import { BIN, cliSuite, loginWithPassword, PASSWORD, voltasis } from "./harness.js";

const t = cliSuite({ homeFor: "test", login: false });

const mode = (file: string) => statSync(file).mode & 0o777;

/** `voltasis login` under `umask 000`, as a careless shell profile might set it. */
function loginUnderUmaskZero(): Promise<number | null> {
  const args = ["login", "--base-url", t.server.baseUrl, "--email", t.ada.email, "--password-stdin"];
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", 'umask 000 && exec "$0" "$@"', BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: t.home.dir, XDG_CONFIG_HOME: path.join(t.home.dir, "config") },
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.end(`${PASSWORD}\n`);
    child.on("close", resolve);
  });
}

describe("the config file", () => {
  it("is 0600 in a 0700 directory under umask 000", async () => {
    expect(await loginUnderUmaskZero()).toBe(0);
    expect(mode(t.home.configDir)).toBe(0o700);
    expect(mode(t.home.configFile)).toBe(0o600);
  });

  it("takes back a directory and a file left open to others, and stays so after a refresh", async () => {
    mkdirSync(t.home.configDir, { recursive: true });
    chmodSync(t.home.configDir, 0o755);
    writeFileSync(t.home.configFile, JSON.stringify({ profiles: { other: { base_url: "http://x" } } }));
    chmodSync(t.home.configFile, 0o644);
    await loginWithPassword(t.home, t.server.baseUrl, t.ada);
    expect(mode(t.home.configDir)).toBe(0o700);
    expect(mode(t.home.configFile)).toBe(0o600);
    const config = JSON.parse(readFileSync(t.home.configFile, "utf8"));
    expect(Object.keys(config.profiles).sort()).toEqual(["default", "other"]);

    config.profiles.default.access_token_expires_at = "2000-01-01T00:00:00.000Z";
    writeFileSync(t.home.configFile, JSON.stringify(config));
    chmodSync(t.home.configFile, 0o644);
    expect((await voltasis(t.home, ["whoami"])).code).toBe(0);
    expect(mode(t.home.configFile)).toBe(0o600);
  });

  it("holds tokens, never the password", async () => {
    await loginWithPassword(t.home, t.server.baseUrl, t.ada);
    const text = readFileSync(t.home.configFile, "utf8");
    expect(text).toContain("vlt_at_");
    expect(text).not.toContain(PASSWORD);
  });
});

describe("secrets are never printed", () => {
  it("a wrong password: the API's 401, without the password, even with --verbose", async () => {
    const result = await voltasis(
      t.home,
      ["login", "--verbose", "--base-url", t.server.baseUrl, "--email", t.ada.email, "--password-stdin"],
      { input: "not the password at all\n" },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: .*\(UNAUTHORIZED, req_\w+\)/);
    expect(`${result.stdout}${result.stderr}`).not.toContain("not the password at all");
  });

  it("a revoked key from the environment or from stdin: the API's 401, without the key", async () => {
    const key = await t.ada.client.apiKeys.create({ name: "soon revoked", scopes: ["read"] });
    await t.ada.client.apiKeys.delete(key.id);
    const env = { VOLTASIS_API_KEY: key.secret, VOLTASIS_BASE_URL: t.server.baseUrl };
    const fromEnv = await voltasis(t.home, ["projects", "list", "--verbose"], { env });
    const fromStdin = await voltasis(
      t.home,
      ["login", "--api-key", "-", "--base-url", t.server.baseUrl, "-v"],
      {
        input: key.secret,
      },
    );
    for (const result of [fromEnv, fromStdin]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Error: This API key has been revoked \(UNAUTHORIZED, req_\w+\)/);
      expect(`${result.stdout}${result.stderr}`).not.toContain(key.secret);
      expect(`${result.stdout}${result.stderr}`).not.toContain(key.secret.slice(-12));
    }
  });

  it("--verbose logs requests, refreshes included, without a token or an Authorization header", async () => {
    await loginWithPassword(t.home, t.server.baseUrl, t.ada);
    const config = JSON.parse(readFileSync(t.home.configFile, "utf8"));
    const { access_token: accessToken, refresh_token: refreshToken } = config.profiles.default;
    config.profiles.default.access_token_expires_at = "2000-01-01T00:00:00.000Z";
    writeFileSync(t.home.configFile, JSON.stringify(config));

    const logs: string[] = [];
    for (const args of [
      ["whoami"],
      ["projects", "list"],
      ["timer", "status"],
      ["projects", "get", "prj_x"],
    ]) {
      const result = await voltasis(t.home, [...args, "--verbose"]);
      logs.push(result.stdout, result.stderr);
    }
    const all = logs.join("\n");
    expect(all).toContain("> POST"); // the refresh was logged…
    expect(all).toContain("< 200");
    const renewed = JSON.parse(readFileSync(t.home.configFile, "utf8")).profiles.default;
    for (const secret of [accessToken, refreshToken, renewed.access_token, renewed.refresh_token]) {
      expect(all).not.toContain(secret); // …and no token, old or new
    }
    expect(all.toLowerCase()).not.toContain("authorization");
    expect(all).not.toContain("Bearer");
  });
});

describe("scopes", () => {
  it("a key with few scopes gets the API's own 403 message, with code and request id", async () => {
    const key = await t.ada.client.apiKeys.create({ name: "read projects", scopes: ["read:projects"] });
    const env = { VOLTASIS_API_KEY: key.secret, VOLTASIS_BASE_URL: t.server.baseUrl };
    expect((await voltasis(t.home, ["projects", "list"], { env })).code).toBe(0);

    const refused = await new Voltasis({ apiKey: key.secret, baseURL: t.server.baseUrl }).projects
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
      const result = await voltasis(t.home, args, { env });
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^Error: .+ \(FORBIDDEN, req_\w+\)\n$/);
      if (args[1] === "create") expect(result.stderr).toContain(`Error: ${message} (FORBIDDEN, req_`);
    }
  });
});
