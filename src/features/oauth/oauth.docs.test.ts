import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { listen } from "../../../test/helpers/event-stream.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { registerApp } from "../../../test/helpers/oauth.js";

/**
 * docs/oauth.md's TypeScript app (the guides' test runs only their bash blocks): the module is
 * written out as it is shown, imported against a live server, and driven through the flow with
 * this test as the person on the consent screen.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const REDIRECT_URI = "https://invoices.example.com/oauth/callback";

function exampleModule(): string {
  const guide = readFileSync(path.join(ROOT, "docs/oauth.md"), "utf8");
  const section = guide.slice(guide.indexOf("## With oauth4webapi"));
  const block = /```ts\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!block) throw new Error("docs/oauth.md: no ```ts block under ## With oauth4webapi");
  return block;
}

interface Example {
  startLogin(): Promise<{ url: URL; verifier: string; state: string }>;
  finishLogin(
    callback: URL,
    verifier: string,
    state: string,
  ): Promise<{ access_token: string; refresh_token?: string }>;
  projectNames(accessToken: string): Promise<string[]>;
  refresh(refreshToken: string): Promise<{ access_token: string; refresh_token?: string }>;
  logout(token: string): Promise<void>;
}

let t: TestApp;
let owner: Account;
let dir: string;
let example: Example;

beforeAll(async () => {
  t = await createTestApp();
  const base = await listen(t.app);
  owner = await registerAccount(t.app);
  const app = await registerApp(t.app, owner.accessToken, { redirect_uris: [REDIRECT_URI] });
  Object.assign(process.env, {
    VOLTASIS_URL: base,
    CLIENT_ID: app.client_id,
    CLIENT_SECRET: app.client_secret as string,
  });
  // Beside the repository's node_modules, as an app's own file would be beside its own.
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-oauth-example-"));
  await fs.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  await fs.writeFile(path.join(dir, "app.ts"), exampleModule());
  example = (await import(path.join(dir, "app.ts"))) as Example;
});
afterAll(async () => {
  await t.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe("docs/oauth.md: the oauth4webapi app", () => {
  it("logs in through the consent screen, lists projects with the SDK, refreshes and logs out", async () => {
    await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/projects",
      payload: { name: "Docs project" },
    });
    const { url, verifier, state } = await example.startLogin();

    // The person: the browser follows the authorization URL to the consent screen, they approve.
    const started = await fetch(url, { redirect: "manual" });
    const requestId = new URL(started.headers.get("location") as string, url).searchParams.get("request");
    const approved = await call(t.app, owner.accessToken, {
      method: "POST",
      url: `/v1/oauth/authorization-requests/${requestId}/approve`,
      payload: { organization_id: owner.orgId },
    });
    expect(approved.statusCode, approved.body).toBe(200);

    const tokens = await example.finishLogin(new URL(approved.json().data.redirect_to), verifier, state);
    expect(await example.projectNames(tokens.access_token)).toEqual(["Docs project"]);
    const refreshed = await example.refresh(tokens.refresh_token as string);
    expect(await example.projectNames(refreshed.access_token)).toEqual(["Docs project"]);
    await example.logout(refreshed.refresh_token as string);
    expect(
      (await call(t.app, refreshed.access_token, { method: "GET", url: "/v1/projects" })).statusCode,
    ).toBe(401);
  });
});
