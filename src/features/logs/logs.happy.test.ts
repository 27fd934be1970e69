import net from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, addMember } from "../../../test/helpers/members.js";
import type { LogEntry } from "./schemas.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" });
  owner = await registerAccount(t.app, { organization_name: "Logs Inc" });
});
afterAll(() => t.close());

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const LOG_ID = expect.stringMatching(/^log_[0-9A-Z]{26}$/);
const REQUEST_ONLY = { request_id: null, method: null, path: null, status: null, duration_ms: null };
const AUDIT_ONLY = { action: null, resource_type: null, resource_id: null, event_id: null };

/** Sends `bytes` as they are (no client normalizes the URL) and resolves with the response's first line. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed connection is dropped before it is answered.
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes, "latin1"));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("end", () => resolve(received.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

type Res = { json(): { data: LogEntry[]; pagination: Record<string, unknown> } };
const data = (res: Res) => res.json().data;
/** Request entries are written within about a second; flushing makes them visible now. */
const logs = async (query = "", token = owner.accessToken) => {
  await t.app.requestLog.flush();
  return call(t.app, token, { method: "GET", url: `/v1/logs${query}` });
};

describe("logs: the request log", () => {
  it("records each authenticated request with its method, path, status, duration, credential and request id", async () => {
    const key = await createKey(t.app, owner.accessToken, { name: "Logger", scopes: ["read", "write"] });
    const byToken = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/projects?status=active&limit=5",
    });
    const byKey = await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "a" } });
    const missing = await call(t.app, key.secret, {
      method: "GET",
      url: "/v1/tags/tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
    });
    // Neither an unauthenticated request nor a 401 belongs to any organization's log.
    await call(t.app, null, { method: "GET", url: "/v1/projects" });
    await call(t.app, "vlt_live_not-a-real-key-0000000000000000", { method: "GET", url: "/v1/projects" });

    const res = await logs("?kind=request&limit=100");
    expect(res.statusCode).toBe(200);
    const entries = data(res);
    const of = (r: { headers: Record<string, unknown> }) =>
      entries.find((e) => e.request_id === r.headers["x-request-id"]);
    expect(of(byToken)).toEqual({
      id: LOG_ID,
      kind: "request",
      created_at: TIMESTAMP,
      user_id: owner.userId,
      credential: { type: "user", id: owner.userId },
      request_id: byToken.headers["x-request-id"],
      method: "GET",
      path: "/v1/projects",
      status: 200,
      duration_ms: expect.any(Number),
      ...AUDIT_ONLY,
    });
    expect(of(byKey)).toMatchObject({
      user_id: owner.userId,
      credential: { type: "api_key", id: key.id },
      method: "POST",
      path: "/v1/tags",
      status: 201,
    });
    expect(of(byKey)?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(of(missing)).toMatchObject({ status: 404, path: "/v1/tags/tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P" });
    // The key creation, the three calls above and nothing from the two refused requests.
    expect(entries.filter((e) => e.status === 401)).toEqual([]);
    expect(entries.map((e) => e.path)).not.toContain("/v1/logs?kind=request&limit=100");
  });

  it("records a request its credential was not allowed to make, and counts it as the key's error", async () => {
    const key = await createKey(t.app, owner.accessToken, { name: "Read only", scopes: ["read:tags"] });
    const refused = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/tags",
      payload: { name: "b" },
    });
    expect(refused.statusCode).toBe(403);
    const entries = data(await logs(`?kind=request&api_key_id=${key.id}`));
    expect(entries).toEqual([
      expect.objectContaining({ request_id: refused.headers["x-request-id"], status: 403, path: "/v1/tags" }),
    ]);
    const usage = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/api-keys/${key.id}/usage`,
    });
    expect(usage.json().data.totals).toMatchObject({ requests: 1, errors: 1 });
  });

  it("stores a path with the characters an array literal must escape exactly as it arrived", async () => {
    // The batch travels as one array per column: quotes, backslashes, commas, braces and the word
    // NULL must come back as they were sent on the wire (raw: no client URL-encodes them here).
    const paths = [
      '/v1/tags/"quoted"',
      "/v1/tags/back\\slash",
      "/v1/tags/a,b",
      "/v1/tags/{x}",
      "/v1/tags/NULL",
      "/v1/tags/|^`",
    ];
    const address = await t.app.listen({ host: "127.0.0.1", port: 0 });
    const port = new URL(address).port;
    const requestIds = paths.map((_, i) => `raw-path-${i}-${Date.now()}`);
    for (const [i, path] of paths.entries()) {
      const head = await rawRequest(
        Number(port),
        `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.accessToken}\r\nX-Request-ID: ${requestIds[i]}\r\nConnection: close\r\n\r\n`,
      );
      expect(head).toMatch(/^HTTP\/1\.1 40[04]/);
    }
    const entries = data(await logs("?kind=request&limit=100"));
    for (const [i, path] of paths.entries()) {
      const entry = entries.find((e) => e.request_id === requestIds[i]);
      expect(entry).toMatchObject({ path, credential: { type: "user", id: owner.userId } });
    }
  });

  it("writes entries in the background within about a second, without an explicit flush", async () => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/tags" });
    const requestId = String(res.headers["x-request-id"]);
    await vi.waitFor(
      async () => {
        const row = await t.db.selectFrom("logs").select("id").where("request_id", "=", requestId).execute();
        expect(row).toHaveLength(1);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("writes what is still buffered when the app closes", async () => {
    const other = await createTestApp();
    try {
      const account = await registerAccount(other.app);
      const res = await call(other.app, account.accessToken, { method: "GET", url: "/v1/tags" });
      await other.app.close();
      const rows = await other.db
        .selectFrom("logs")
        .select("path")
        .where("request_id", "=", String(res.headers["x-request-id"]))
        .execute();
      expect(rows).toEqual([{ path: "/v1/tags" }]);
    } finally {
      await other.close();
    }
  });

  it("drops the entries of an organization deleted before they were written, and writes the rest of the batch", async () => {
    const gone = await registerAccount(t.app, { organization_name: "Gone Ltd" });
    await t.app.requestLog.flush();
    const ofGone = await call(t.app, gone.accessToken, { method: "GET", url: "/v1/tags" });
    const ofOwner = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/tags" });
    await t.db.deleteFrom("organizations").where("id", "=", gone.orgId).execute();
    await t.app.requestLog.flush();
    const ids = [ofGone, ofOwner].map((res) => String(res.headers["x-request-id"]));
    const rows = await t.db.selectFrom("logs").select("request_id").where("request_id", "in", ids).execute();
    expect(rows).toEqual([{ request_id: ids[1] }]);
  });

  it("keeps what a failed write left out, and writes it once, counted once, when the database is back", async () => {
    const key = await createKey(t.app, owner.accessToken, { name: "Outage", scopes: ["read"] });
    const requestIds: string[] = [];
    const get = async (url: string) => {
      const res = await call(t.app, key.secret, { method: "GET", url });
      requestIds.push(String(res.headers["x-request-id"]));
    };
    const written = () =>
      t.db.selectFrom("logs").select("request_id").where("request_id", "in", requestIds).execute();
    const totals = async () =>
      (await call(t.app, owner.accessToken, { method: "GET", url: `/v1/api-keys/${key.id}/usage` })).json()
        .data.totals;
    const whileMissing = async (table: string, work: () => Promise<void>) => {
      await sql`ALTER TABLE ${sql.table(table)} RENAME TO outage_away`.execute(t.db);
      try {
        await work();
      } finally {
        await sql`ALTER TABLE outage_away RENAME TO ${sql.table(table)}`.execute(t.db);
      }
    };

    // Neither the entries nor the usage can be written: both wait for the next flush.
    await get("/v1/tags");
    await get("/v1/tags/tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P");
    await whileMissing("logs", () => t.app.requestLog.flush());
    await get("/v1/projects");
    await t.app.requestLog.flush();
    expect((await written()).map((row) => row.request_id).sort()).toEqual([...requestIds].sort());
    expect(await totals()).toMatchObject({ requests: 3, errors: 1 });

    // The entry is written but the usage is not: only the usage is written again.
    await get("/v1/clients");
    await whileMissing("api_key_usage_daily", () => t.app.requestLog.flush());
    await t.app.requestLog.flush();
    expect(await written()).toHaveLength(4);
    expect(await totals()).toMatchObject({ requests: 4, errors: 1 });
  });
  it("records the organization a user token switched to with X-Organization-ID there", async () => {
    const other = await registerAccount(t.app, { organization_name: "Second Org" });
    const member = await addExistingAccount(t.app, other.accessToken, owner, "admin");
    expect(member.id).toBe(owner.userId);
    const switched = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/clients",
      headers: { "x-organization-id": other.orgId },
    });
    expect(switched.statusCode).toBe(200);
    const requestId = switched.headers["x-request-id"];
    const there = data(await logs("?kind=request&limit=100", other.accessToken));
    expect(there.find((e) => e.request_id === requestId)).toMatchObject({ user_id: owner.userId });
    const here = data(await logs("?kind=request&limit=100"));
    expect(here.find((e) => e.request_id === requestId)).toBeUndefined();
  });
});

describe("logs: the audit trail", () => {
  it("records who created, rolled and revoked a key, without its secret", async () => {
    const key = await createKey(t.app, owner.accessToken, { name: "Audited", scopes: ["read"] });
    const rolled = await call(t.app, owner.accessToken, {
      method: "POST",
      url: `/v1/api-keys/${key.id}/roll`,
    });
    expect(rolled.statusCode).toBe(200);
    const revoked = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    // Revoking again is a no-op and no second entry.
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });

    const res = await logs(`?kind=audit&resource_id=${key.id}`);
    const entries = data(res);
    expect(entries.map((e) => e.action)).toEqual(["api_key.revoked", "api_key.rolled", "api_key.created"]);
    expect(entries[0]).toEqual({
      id: LOG_ID,
      kind: "audit",
      created_at: TIMESTAMP,
      user_id: owner.userId,
      // The request that made the change: its entry in the request log has the same request_id.
      credential: { type: "user", id: owner.userId },
      ...REQUEST_ONLY,
      request_id: revoked.headers["x-request-id"],
      action: "api_key.revoked",
      resource_type: "api_key",
      resource_id: key.id,
      event_id: expect.stringMatching(/^evt_/),
    });
    for (const entry of entries) {
      const event = await call(t.app, owner.accessToken, {
        method: "GET",
        url: `/v1/events/${entry.event_id}`,
      });
      expect(event.json().data).toMatchObject({ event: entry.action, resource_id: key.id });
      expect(event.json().data.data).not.toHaveProperty("secret");
      expect(event.body).not.toContain(key.secret);
      expect(event.body).not.toContain(rolled.json().data.secret);
    }
    const revokedEvent = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/events/${entries[0]?.event_id}`,
    });
    expect(revokedEvent.json().data.data).toMatchObject({ id: key.id, status: "revoked", name: "Audited" });
    const stored = await t.db.selectFrom("events").select("data").where("resource_id", "=", key.id).execute();
    expect(JSON.stringify(stored)).not.toMatch(/secret|vlt_live_[0-9A-Za-z]{32}/);
  });

  it("names the API key that made a change", async () => {
    const admin = await createKey(t.app, owner.accessToken, { name: "Automation", scopes: ["admin"] });
    const made = await createKey(t.app, admin.secret, { name: "Made by a key", scopes: ["read"] });
    const [entry] = data(await logs(`?kind=audit&resource_id=${made.id}`));
    expect(entry).toMatchObject({
      action: "api_key.created",
      user_id: owner.userId,
      credential: { type: "api_key", id: admin.id },
    });
  });

  it("records members added, changed and removed, and settings and organization changes", async () => {
    const member = await addMember(t.app, owner.accessToken, { role: "member" });
    const patch = { method: "PATCH" as const, url: `/v1/users/${member.id}`, payload: { role: "manager" } };
    expect((await call(t.app, owner.accessToken, patch)).statusCode).toBe(200);
    const removed = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${member.id}` });
    expect(removed.statusCode).toBe(204);
    const ofMember = data(await logs(`?kind=audit&resource_type=member&resource_id=${member.id}`));
    expect(ofMember.map((e) => e.action)).toEqual(["member.deleted", "member.updated", "member.created"]);
    const deleted = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/events/${ofMember[0]?.event_id}`,
    });
    expect(deleted.json().data.data).toMatchObject({ id: member.id, role: "manager", status: "deactivated" });

    const settings = { method: "PATCH" as const, url: "/v1/settings", payload: { currency: "EUR" } };
    expect((await call(t.app, owner.accessToken, settings)).statusCode).toBe(200);
    const org = { method: "PATCH" as const, url: "/v1/organization", payload: { name: "Logs GmbH" } };
    expect((await call(t.app, owner.accessToken, org)).statusCode).toBe(200);
    const latest = data(await logs("?kind=audit&limit=2"));
    expect(latest.map((e) => [e.action, e.resource_id, e.user_id])).toEqual([
      ["organization.updated", owner.orgId, owner.userId],
      ["settings.updated", owner.orgId, owner.userId],
    ]);
  });

  it("records webhook changes", async () => {
    const created = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/webhooks",
      payload: { url: "http://127.0.0.1:9/hook", events: ["project.*"] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.id;
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/webhooks/${id}` });
    const entries = data(await logs(`?resource_type=webhook&resource_id=${id}`));
    expect(entries.map((e) => e.action)).toEqual(["webhook.deleted", "webhook.created"]);
  });
});

describe("logs: lists", () => {
  let org: Account;
  let keyId = "";
  let until = "";
  beforeAll(async () => {
    org = await registerAccount(t.app, { organization_name: "Filters Ltd" });
    const key = await createKey(t.app, org.accessToken, { name: "Filtered", scopes: ["read", "write"] });
    keyId = key.id;
    await call(t.app, key.secret, { method: "GET", url: "/v1/tags" });
    await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "x" } });
    await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "x" } });
    await call(t.app, org.accessToken, { method: "GET", url: "/v1/clients" });
    until = new Date().toISOString();
  });
  // Reading the log is a request too: a fixed `to` (exclusive) keeps those reads out.
  const list = (query = "") => logs(`${query}${query ? "&" : "?"}to=${until}`, org.accessToken);

  it("filters by kind, status, method, API key, user, action and time", async () => {
    const all = data(await list("?limit=100"));
    // Key creation (a request and its audit entry), four calls.
    expect(all.map((e) => e.kind).sort()).toEqual(["audit", ...Array(5).fill("request")]);
    expect(data(await list("?kind=audit")).map((e) => e.action)).toEqual(["api_key.created"]);
    expect(data(await list("?action=api_key.created")).map((e) => e.resource_id)).toEqual([keyId]);
    expect(data(await list("?status=409")).map((e) => e.method)).toEqual(["POST"]);
    expect(data(await list(`?method=POST&api_key_id=${keyId}`)).map((e) => e.status)).toEqual([409, 201]);
    expect(data(await list(`?api_key_id=${keyId}`))).toHaveLength(3);
    expect(data(await list(`?user_id=${org.userId}`))).toHaveLength(6);
    const oldest = all[all.length - 1] as LogEntry;
    expect(data(await list(`?from=${oldest.created_at}&limit=100`))).toEqual(all);
    expect(data(await list(`?from=${until}`))).toEqual([]);
  });

  it("lists newest first and pages with limit/offset, page/per_page and starting_after", async () => {
    const all = data(await list("?limit=100"));
    const times = all.map((e) => e.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(data(await list("?limit=2&offset=2"))).toEqual(all.slice(2, 4));
    const page = await list("?page=2&per_page=4");
    expect(data(page)).toEqual(all.slice(4));
    expect(page.json().pagination).toMatchObject({ total: 6, total_pages: 2, has_previous: true });
    const seen: LogEntry[] = [];
    let query = "?limit=4";
    for (;;) {
      const res = await list(query);
      expect(res.statusCode).toBe(200);
      seen.push(...data(res));
      if (!res.json().pagination.has_more) break;
      query = `?limit=4&starting_after=${seen[seen.length - 1]?.id}`;
    }
    expect(seen).toEqual(all);
  });

  it("hides entries older than 30 days", async () => {
    const [newest] = data(await list());
    await t.db
      .updateTable("logs")
      .set({ created_at: sql<Date>`now() - interval '31 days'` })
      .where("id", "=", newest?.id as string)
      .execute();
    const res = await list("?limit=100");
    expect(data(res).map((e) => e.id)).not.toContain(newest?.id);
    expect(res.json().pagination.total).toBe(5);
  });
});

describe("api key usage", () => {
  it("counts a key's requests and errors per UTC day, zero days included", async () => {
    const org = await registerAccount(t.app, { organization_name: "Usage Co" });
    const key = await createKey(t.app, org.accessToken, { name: "Counted", scopes: ["read", "write"] });
    await call(t.app, key.secret, { method: "GET", url: "/v1/tags" });
    await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "u" } });
    await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "u" } });
    await call(t.app, key.secret, { method: "GET", url: "/v1/tags/tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P" });
    await t.app.requestLog.flush();
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await t.db
      .insertInto("api_key_usage_daily")
      .values({ organization_id: org.orgId, api_key_id: key.id, day: threeDaysAgo, requests: 7, errors: 2 })
      .execute();

    const res = await call(t.app, org.accessToken, { method: "GET", url: `/v1/api-keys/${key.id}/usage` });
    expect(res.statusCode, res.body).toBe(200);
    const usage = res.json().data;
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.days).toHaveLength(30);
    expect(usage.days[29]).toEqual({ date: today, requests: 4, errors: 2 });
    expect(usage.days[26]).toEqual({ date: threeDaysAgo, requests: 7, errors: 2 });
    expect(usage.days[0].requests).toBe(0);
    expect(usage).toMatchObject({ api_key_id: key.id, to: usage.days[29] && expect.any(String) });
    expect(usage.totals).toEqual({ requests: 11, errors: 4 });
    expect(usage.from).toBe(usage.days[0].date);

    const range = await call(t.app, org.accessToken, {
      method: "GET",
      url: `/v1/api-keys/${key.id}/usage?from=${threeDaysAgo}&to=${today}`,
    });
    expect(range.json().data).toEqual({
      api_key_id: key.id,
      from: threeDaysAgo,
      to: today,
      totals: { requests: 7, errors: 2 },
      days: [
        { date: threeDaysAgo, requests: 7, errors: 2 },
        { date: expect.any(String), requests: 0, errors: 0 },
        { date: expect.any(String), requests: 0, errors: 0 },
      ],
    });
  });
});
