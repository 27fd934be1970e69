/**
 * The saved session over time: an access token that expired is refreshed and the new pair saved
 * (whether the CLI knew it had expired or the API said so), logout ends the session and forgets
 * it, and the environment overrides the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { AuthenticationError, type Me, Voltasis } from "@voltasis/sdk";
import { describe, expect, it, vi } from "vitest";
import type { ConfigFile } from "../../cli/src/config.js";
import { hashSecret } from "../../src/platform/auth/secrets.js";
import { cliSuite, newAccount, voltasis } from "./harness.js";

/** Ada's account; each test starts in a new home where she has logged in with her password. */
const t = cliSuite({ homeFor: "test", login: true });

const config = () => JSON.parse(readFileSync(t.home.configFile, "utf8")) as ConfigFile;
const saved = () => {
  const profile = config().profiles.default;
  if (!profile?.access_token || !profile.refresh_token) throw new Error("no session saved");
  return { accessToken: profile.access_token, refreshToken: profile.refresh_token };
};

/** Why the API refuses a token now (`expired_token`, `revoked_token`, …), or "accepted". */
async function verdict(token: string): Promise<string> {
  try {
    await new Voltasis({ accessToken: token, baseURL: t.server.baseUrl, maxRetries: 0 }).auth.me();
    return "accepted";
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason ?? error.code;
    throw error;
  }
}

/**
 * Expires an access token (or every token of its session) in the database, as 24 hours (or 30
 * days) would, and waits until the API says so: it caches a credential for under a second.
 */
async function expire(accessToken: string, what: "access token" | "whole session"): Promise<void> {
  const { sql } = t.server;
  const hash = hashSecret(accessToken);
  const which =
    what === "access token"
      ? sql`token_hash = ${hash}`
      : sql`session_id = (SELECT session_id FROM session_tokens WHERE token_hash = ${hash})`;
  await sql`UPDATE session_tokens SET expires_at = now() - interval '1 second' WHERE ${which}`;
  await vi.waitFor(async () => expect(await verdict(accessToken)).toBe("expired_token"));
}

describe("token refresh", () => {
  it("the API calls the stored access token expired: refreshed, the request sent again, the pair saved", async () => {
    const before = saved();
    await expire(before.accessToken, "access token");

    const result = await voltasis(t.home, ["projects", "list", "--json", "--verbose"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toEqual([]);
    expect(result.stderr).toMatch(
      /< 401 .*\n\* refreshing the access token\n> POST \S+\/v1\/auth\/refresh\n< 200 /,
    );

    const after = saved();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(await verdict(after.accessToken)).toBe("accepted");
    expect(Date.parse(config().profiles.default?.access_token_expires_at ?? "")).toBeGreaterThan(Date.now());
    // The next command uses the saved token as it is.
    const next = await voltasis(t.home, ["whoami", "--json", "--verbose"]);
    expect(next.json<Me>().email).toBe(t.ada.email);
    expect(next.stderr).not.toContain("refresh");
  });

  it("commands run at once refresh the session once: a refresh token spent twice would end it", async () => {
    const before = saved();
    await expire(before.accessToken, "access token");

    const results = await Promise.all(
      ["whoami", "projects list", "keys list", "timer status"].map((command) =>
        voltasis(t.home, [...command.split(" "), "--verbose"]),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const refreshes = results.filter((result) => result.stderr.includes("> POST")).length;
    expect(refreshes).toBe(1);
    expect(await verdict(saved().accessToken)).toBe("accepted");
  });

  it("the file says the access token has expired: refreshed before the first request", async () => {
    const before = saved();
    const file = config();
    const profile = file.profiles.default;
    if (profile) profile.access_token_expires_at = "2000-01-01T00:00:00.000Z";
    writeFileSync(t.home.configFile, JSON.stringify(file));

    const result = await voltasis(t.home, ["whoami", "--json", "--verbose"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split("\n").filter((line) => line.startsWith(">"))).toEqual([
      expect.stringMatching(/^> POST \S+\/v1\/auth\/refresh$/),
      expect.stringMatching(/^> GET \S+\/v1\/auth\/me$/),
    ]);
    expect(saved().accessToken).not.toBe(before.accessToken);
  });

  it("a session that cannot be refreshed: the API's 401 and how to sign in again", async () => {
    await expire(saved().accessToken, "whole session");

    const result = await voltasis(t.home, ["projects", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: .*\(UNAUTHORIZED, req_\w+\)\nRun `voltasis login` to sign in again\.\n$/,
    );
  });
});

describe("logout", () => {
  it("ends the session on the server and forgets it", async () => {
    const { accessToken } = saved();
    const result = await voltasis(t.home, ["logout"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Logged out of profile "default"');
    expect(config().profiles).toEqual({});
    expect(readFileSync(t.home.configFile, "utf8")).not.toContain(accessToken);
    await vi.waitFor(async () => expect(await verdict(accessToken)).toBe("revoked_token"));

    const after = await voltasis(t.home, ["whoami"]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("Not logged in");
    expect((await voltasis(t.home, ["logout"])).code).toBe(1);
  });

  it("ends the profile's session, not VOLTASIS_API_KEY's, when that is set", async () => {
    const { accessToken } = saved();
    const key = await t.ada.client.apiKeys.create({ name: "env", scopes: ["read"] });
    const result = await voltasis(t.home, ["logout"], { env: { VOLTASIS_API_KEY: key.secret } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("Warning: VOLTASIS_API_KEY is set: commands keep using it.");
    await vi.waitFor(async () => expect(await verdict(accessToken)).toBe("revoked_token"));
    expect((await new Voltasis({ apiKey: key.secret, baseURL: t.server.baseUrl }).auth.me()).email).toBe(
      t.ada.email,
    );
  });

  it("of an API key's profile: forgets the key, which still works", async () => {
    const key = await t.ada.client.apiKeys.create({ name: "laptop", scopes: ["read"] });
    expect(
      (
        await voltasis(t.home, [
          "login",
          "--profile",
          "key",
          "--base-url",
          t.server.baseUrl,
          "--api-key",
          key.secret,
        ])
      ).code,
    ).toBe(0);
    const result = await voltasis(t.home, ["--profile", "key", "logout"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("The API key itself still works until it is revoked");
    expect(Object.keys(config().profiles)).toEqual(["default"]);
    expect((await new Voltasis({ apiKey: key.secret, baseURL: t.server.baseUrl }).auth.me()).email).toBe(
      t.ada.email,
    );
  });
});

describe("the environment overrides the file", () => {
  it("VOLTASIS_API_KEY is used instead of the profile's session", async () => {
    const grace = await newAccount(t.server.baseUrl, "grace");
    const key = await grace.client.apiKeys.create({ name: "env", scopes: ["read"] });
    const result = await voltasis(t.home, ["whoami"], { env: { VOLTASIS_API_KEY: key.secret } });
    expect(result.stdout).toContain(`email\t${grace.email}\n`);
    expect(result.stdout).toContain("credential\tAPI key from VOLTASIS_API_KEY\n");
  });

  it("VOLTASIS_BASE_URL is used instead of the profile's server, and --base-url instead of both", async () => {
    const file = config();
    const profile = file.profiles.default;
    if (profile) profile.base_url = "http://127.0.0.1:9";
    writeFileSync(t.home.configFile, JSON.stringify(file));
    expect((await voltasis(t.home, ["whoami"])).code).toBe(1);
    const env = { VOLTASIS_BASE_URL: t.server.baseUrl };
    expect((await voltasis(t.home, ["whoami"], { env })).code).toBe(0);
    const flag = await voltasis(t.home, ["--base-url", "http://127.0.0.1:9", "whoami"], { env });
    expect(flag.stderr).toContain("Connection error to http://127.0.0.1:9");
  });
});
