import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../test/helpers/fixtures.js";
import { addMember, invite, newEmail } from "../../test/helpers/members.js";
import { oauthTokens, registerApp } from "../../test/helpers/oauth.js";

/** SPEC §8 conditional requests (RFC 9110): ETag, If-None-Match → 304, If-Match → 412. */
let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" });
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const send = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  call(t.app, owner.accessToken, { method, url, payload: payload as object, headers });
const create = async (url: string, payload: unknown) => {
  const res = await send("POST", url, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string };
};
const STRONG_ETAG = /^"[A-Za-z0-9_-]{32}"$/;

describe("ETag and If-None-Match", () => {
  it("a single resource has a strong ETag; If-None-Match answers 304 without a body until it changes", async () => {
    const client = await create("/v1/clients", { name: "Etag Co" });
    const first = await send("GET", `/v1/clients/${client.id}`);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(STRONG_ETAG);
    // Every response's metadata differs; the tag does not.
    expect((await send("GET", `/v1/clients/${client.id}`)).headers.etag).toBe(etag);
    const cached = await send("GET", `/v1/clients/${client.id}`, undefined, { "if-none-match": etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe("");
    expect(cached.headers.etag).toBe(etag);
    expect(cached.headers["x-request-id"]).toBeDefined();
    const other = await send("GET", `/v1/clients/${client.id}`, undefined, {
      "if-none-match": '"other", W/"x"',
    });
    expect(other.statusCode).toBe(200);

    await send("PATCH", `/v1/clients/${client.id}`, { notes: "changed" });
    const changed = await send("GET", `/v1/clients/${client.id}`, undefined, { "if-none-match": etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it("a list page has an ETag that changes with its items and its pagination", async () => {
    const page = await send("GET", "/v1/tags");
    const etag = page.headers.etag as string;
    expect(etag).toMatch(STRONG_ETAG);
    expect((await send("GET", "/v1/tags", undefined, { "if-none-match": etag })).statusCode).toBe(304);
    await create("/v1/tags", { name: `etag-${Date.now()}` });
    const after = await send("GET", "/v1/tags", undefined, { "if-none-match": etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect((await send("GET", "/v1/tags?per_page=1")).headers.etag).not.toBe(after.headers.etag);
  });

  it("a running timer's ETag follows its stored version, not its ticking duration", async () => {
    const member = await addMember(t.app, owner.accessToken, { role: "member" });
    const timer = await call(t.app, member.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: {},
    });
    const id = timer.json().data.id;
    const read = () => call(t.app, member.accessToken, { method: "GET", url: `/v1/time-entries/${id}` });
    const first = await read();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await read();
    expect(later.json().data.duration).toBeGreaterThan(first.json().data.duration);
    expect(later.headers.etag).toBe(first.headers.etag);
    const stopped = await call(t.app, member.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${id}`,
      payload: { description: "named" },
      headers: { "if-match": first.headers.etag as string },
    });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.headers.etag).not.toBe(first.headers.etag);
  });
});

describe("If-Match: no lost updates", () => {
  it("two clients read, both write with If-Match: the second gets 412 and the first's change stays", async () => {
    const project = await create("/v1/projects", { name: "Contested" });
    const a = await send("GET", `/v1/projects/${project.id}`);
    const b = await send("GET", `/v1/projects/${project.id}`);
    const first = await send(
      "PATCH",
      `/v1/projects/${project.id}`,
      { description: "A's plan" },
      { "if-match": a.headers.etag as string },
    );
    expect(first.statusCode).toBe(200);
    const second = await send(
      "PATCH",
      `/v1/projects/${project.id}`,
      { description: "B's plan" },
      { "if-match": b.headers.etag as string },
    );
    const error = expectError(second, 412, "PRECONDITION_FAILED");
    expect(error.details).toEqual({ reason: "etag_mismatch", current_etag: first.headers.etag });
    const now = await send("GET", `/v1/projects/${project.id}`);
    expect(now.json().data.description).toBe("A's plan");
    expect(now.headers.etag).toBe(first.headers.etag);
    // B reads again and writes on top of A's version.
    const retried = await send(
      "PATCH",
      `/v1/projects/${project.id}`,
      { description: "B's plan, after A's" },
      { "if-match": now.headers.etag as string },
    );
    expect(retried.statusCode).toBe(200);
  });

  it("concurrent writes with the same If-Match: exactly one wins", async () => {
    const tag = await create("/v1/tags", { name: `race-${Date.now()}` });
    const etag = (await send("GET", `/v1/tags/${tag.id}`)).headers.etag as string;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        send("PATCH", `/v1/tags/${tag.id}`, { name: `race-${i}-${Date.now()}` }, { "if-match": etag }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
  });

  it("If-Match: * needs only that the resource exists; a malformed If-Match is a 400", async () => {
    const tag = await create("/v1/tags", { name: `star-${Date.now()}` });
    expect(
      (await send("PATCH", `/v1/tags/${tag.id}`, { name: `star2-${Date.now()}` }, { "if-match": "*" }))
        .statusCode,
    ).toBe(200);
    const bad = await send("PATCH", `/v1/tags/${tag.id}`, { name: "x" }, { "if-match": "not-quoted" });
    expect(expectError(bad, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "If-Match" });
  });
});

describe("If-Match on every write route of the OpenAPI document", () => {
  it("every PUT, PATCH and DELETE answers 412 to a stale If-Match and changes nothing", async () => {
    const org = await registerAccount(t.app);
    const as = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      call(t.app, org.accessToken, { method, url, payload: payload as object, headers });
    const made = async (url: string, payload: unknown) =>
      (await as("POST", url, payload)).json().data.id as string;
    const member = await addMember(t.app, org.accessToken, { role: "member" });
    const clientId = await made("/v1/clients", { name: "C" });
    const projectId = await made("/v1/projects", { name: "P", client_id: clientId });
    const ids: Record<string, string> = {
      users: member.id,
      clients: clientId,
      projects: projectId,
      tasks: await made("/v1/tasks", { title: "T", project_id: projectId }),
      tags: await made("/v1/tags", { name: "t" }),
      "time-entries": await made("/v1/time-entries", { start: "2024-01-01T09:00:00Z", duration: 60 }),
      webhooks: await made("/v1/webhooks", { url: "http://127.0.0.1:9/hook", events: ["tag.created"] }),
      "api-keys": (await createKey(t.app, org.accessToken)).id,
      invitations: (await invite(t.app, org.accessToken, { email: newEmail(), role: "member" })).id,
      "oauth/apps": (await registerApp(t.app, org.accessToken)).id,
    };
    // A grant exists once the person has consented to an app (the whole flow, over HTTP).
    await oauthTokens(t.app, org.accessToken, { organizationId: org.orgId, scope: "read:projects" });
    ids["oauth/grants"] = (await as("GET", "/v1/oauth/grants")).json().data[0].id;
    const BODIES: Record<string, unknown> = {
      "PATCH /v1/organization": { name: "Renamed" },
      "PATCH /v1/settings": { currency: "EUR" },
      "PATCH /v1/users/{id}": { role: "manager" },
      "PATCH /v1/users/{id}/rate": { hourly_rate: 100 },
      "PATCH /v1/auth/me": { name: "Renamed" },
    };
    const CHANGES: Record<string, unknown> = {
      clients: { notes: "changed" },
      tags: { name: "changed" },
      "oauth/apps": { name: "changed" },
    };
    const doc = (await t.app.inject({ method: "GET", url: "/v1/openapi.json" })).json();
    const writes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ["put", "patch", "delete"].includes(m))
          .map((m) => ({ method: m.toUpperCase() as Method, path })),
    );
    expect(writes.length).toBeGreaterThan(20);
    // A person's own profile has no GET of its own to take a tag from.
    const exempt = new Set(["PATCH /v1/auth/me"]);
    for (const { method, path } of writes) {
      const route = `${method} ${path}`;
      if (exempt.has(route)) continue;
      // The collection the id belongs to: `/v1/tags/{id}` → tags, `/v1/oauth/apps/{id}` → oauth/apps.
      const resource = path.replace(/^\/v1\/|\/\{id\}.*$/g, "");
      const url = path.replace("{id}", ids[resource] ?? "");
      const readUrl = route === "PATCH /v1/users/{id}/rate" ? `/v1/users/${ids.users}` : url;
      const before = await as("GET", readUrl.replace(/\/rate$/, ""));
      const body =
        BODIES[route] ??
        (method === "DELETE" ? undefined : (CHANGES[resource] ?? { description: "changed" }));
      const res = await as(method, url, body, { "if-match": '"stale"' });
      expect(res.statusCode, `${route}: ${res.body}`).toBe(412);
      const after = await as("GET", readUrl.replace(/\/rate$/, ""));
      expect(after.body.replace(/"metadata":.*$/, ""), route).toBe(before.body.replace(/"metadata":.*$/, ""));
    }
  });
});
