import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, me } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { CLIENTS, MEMBERS, PROJECTS, TAGS } from "./demo-catalog.js";

let t: TestApp;
let owner: Account;
let testKey: string;
let twinId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Sandbox Co" });
  testKey = (await createKey(t.app, owner.accessToken, { name: "Test", scopes: ["admin"], mode: "test" }))
    .secret;
});
afterAll(() => t.close());

const get = (token: string, url: string, headers: Record<string, string> = {}) =>
  call(t.app, token, { method: "GET", url, headers });
const total = async (token: string, url: string, headers: Record<string, string> = {}) => {
  const res = await get(token, url, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().pagination.total as number;
};

describe("sandbox: test keys act on the organization's twin", () => {
  it("a test key is created with mode test, shows as vlt_test_ and is listed beside live keys", async () => {
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      payload: { name: "CI sandbox", scopes: ["read"], mode: "test" },
    });
    expect(res.statusCode).toBe(201);
    const key = res.json().data;
    expect(key.secret).toMatch(/^vlt_test_[0-9A-Za-z]{32}$/);
    expect(key).toMatchObject({ mode: "test", prefix: key.secret.slice(0, 13) });
    const live = await createKey(t.app, owner.accessToken, { name: "Live" });
    expect(live.mode).toBe("live");
    const modes = async (query: string) =>
      (await get(owner.accessToken, `/v1/api-keys${query}`)).json().data.map((k: { id: string }) => k.id);
    expect(await modes("")).toEqual(expect.arrayContaining([key.id, live.id]));
    expect(await modes("?mode=test")).toContain(key.id);
    expect(await modes("?mode=test")).not.toContain(live.id);
    expect(await modes("?mode=live")).toEqual(expect.arrayContaining([live.id]));
    expect(await modes("?mode=live")).not.toContain(key.id);
  });

  it("GET /v1/auth/me and GET /v1/organization with a test key name the mode and the twin", async () => {
    const who = await me(t.app, testKey);
    expect(who.statusCode, who.body).toBe(200);
    const data = who.json().data;
    expect(data).toMatchObject({ id: owner.userId, role: "owner", mode: "test" });
    expect(data.organization.id).not.toBe(owner.orgId);
    expect(data.organization).toEqual({
      id: expect.any(String),
      name: "Sandbox Co",
      sandbox_of: owner.orgId,
    });
    twinId = data.organization.id;
    const org = (await get(testKey, "/v1/organization")).json().data;
    expect(org).toMatchObject({ id: twinId, name: "Sandbox Co", mode: "test", sandbox_of: owner.orgId });
    const live = (await get(owner.accessToken, "/v1/organization")).json().data;
    expect(live).toMatchObject({ id: owner.orgId, mode: "live", sandbox_of: null });
    expect((await me(t.app, owner.accessToken)).json().data).toMatchObject({
      mode: "live",
      organization: { id: owner.orgId, sandbox_of: null },
    });
  });

  it("the twin starts with the demo data of npm run seed, the key's creator among its members", async () => {
    expect(await total(testKey, "/v1/clients")).toBe(CLIENTS.length);
    expect(await total(testKey, "/v1/projects")).toBe(PROJECTS.length);
    expect(await total(testKey, "/v1/tasks")).toBe(PROJECTS.length * 5);
    expect(await total(testKey, "/v1/tags")).toBe(TAGS.length);
    const members = (await get(testKey, "/v1/users?per_page=100")).json();
    expect(members.pagination.total).toBe(MEMBERS.length + 1);
    expect(members.data).toContainEqual(expect.objectContaining({ id: owner.userId, role: "owner" }));
    const entries = await total(testKey, "/v1/time-entries");
    expect(entries).toBeGreaterThan(8_500);
    expect(entries).toBeLessThan(11_500);
    const settings = (await get(testKey, "/v1/settings")).json().data;
    expect(settings).toMatchObject({ timezone: "Europe/Berlin", currency: "EUR" });
    // The live organization has none of it.
    for (const url of ["/v1/clients", "/v1/projects", "/v1/tags", "/v1/time-entries"]) {
      expect(await total(owner.accessToken, url)).toBe(0);
    }
    expect(await total(owner.accessToken, "/v1/users")).toBe(1);
  });

  it("GET /v1/sandbox names the same twin in live and test mode", async () => {
    const fromLive = await get(owner.accessToken, "/v1/sandbox");
    expect(fromLive.statusCode, fromLive.body).toBe(200);
    expect(fromLive.json().data).toEqual({
      organization_id: twinId,
      live_organization_id: owner.orgId,
      mode: "test",
      created_at: expect.stringMatching(/Z$/),
      reset_at: expect.stringMatching(/Z$/),
      next_reset_at: expect.stringMatching(/T00:00:00Z$/),
    });
    expect((await get(testKey, "/v1/sandbox")).json().data).toEqual(fromLive.json().data);
  });

  it("a user token acts on the twin with X-Organization-ID, with the user's live role", async () => {
    const manager = await addMember(t.app, owner.accessToken, { role: "manager" });
    const asTwin = { "x-organization-id": twinId };
    const who = (await get(manager.accessToken, "/v1/auth/me", asTwin)).json().data;
    expect(who).toMatchObject({ id: manager.id, role: "manager", mode: "test" });
    expect(who.organization).toMatchObject({ id: twinId, sandbox_of: owner.orgId });
    expect(await total(manager.accessToken, "/v1/projects", asTwin)).toBe(PROJECTS.length);
    expect(await total(manager.accessToken, "/v1/projects")).toBe(0);
    // The sandbox is not another organization of theirs: GET /v1/organizations lists live ones.
    const orgs = (await get(manager.accessToken, "/v1/organizations")).json().data;
    expect(orgs.map((o: { id: string }) => o.id)).toEqual([owner.orgId]);
    // A timer started in the sandbox belongs to the sandbox.
    const started = await call(t.app, manager.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: { description: "sandbox timer" },
      headers: asTwin,
    });
    expect(started.statusCode, started.body).toBe(201);
    expect((await get(manager.accessToken, "/v1/time-entries/current", asTwin)).json().data.id).toBe(
      started.json().data.id,
    );
    expect((await get(manager.accessToken, "/v1/time-entries/current")).json().data).toBeNull();
  });
});
