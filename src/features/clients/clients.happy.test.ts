import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const { api, create, eventsOf } = ownerApi(
  () => t,
  () => owner,
);
const names = (res: { json(): { data: Array<{ name: string }> } }) => res.json().data.map((c) => c.name);

describe("clients: create, read, update, delete", () => {
  it("creates a client with defaults and records client.created with the same shape", async () => {
    const res = await api("POST", "/v1/clients", { name: "  Acme Corp " });
    expect(res.statusCode).toBe(201);
    const client = res.json().data;
    expect(res.json()).toEqual({
      data: {
        id: expect.stringMatching(/^cli_[0-9A-Z]{26}$/),
        name: "Acme Corp",
        email: null,
        notes: null,
        status: "active",
        created_at: TIMESTAMP,
        updated_at: client.created_at,
      },
      metadata: { timestamp: TIMESTAMP, request_id: res.headers["x-request-id"] },
    });
    expect((await api("GET", `/v1/clients/${client.id}`)).json().data).toEqual(client);
    const events = await eventsOf(client.id);
    expect(events).toEqual([
      expect.objectContaining({
        organization_id: owner.orgId,
        name: "client.created",
        resource_type: "client",
        resource_id: client.id,
        actor_id: owner.userId,
        data: client,
      }),
    ]);
  });

  it("creates a client with every field", async () => {
    const body = { name: "Globex", email: "billing@globex.example", notes: "Net 30", status: "archived" };
    const client = await create("/v1/clients", body);
    expect(client).toEqual({ id: client.id, ...body, created_at: TIMESTAMP, updated_at: TIMESTAMP });
  });

  it.each(["PUT", "PATCH"] as const)(
    "%s changes only the fields given and records client.updated",
    async (method) => {
      const client = await create("/v1/clients", {
        name: `Initech ${method}`,
        email: "a@initech.example",
        notes: "n",
      });
      const res = await api(method, `/v1/clients/${client.id}`, { notes: null, status: "archived" });
      expect(res.statusCode).toBe(200);
      const updated = res.json().data;
      expect(updated).toEqual({ ...client, notes: null, status: "archived", updated_at: TIMESTAMP });
      expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(client.updated_at));
      expect((await api("GET", `/v1/clients/${client.id}`)).json().data).toEqual(updated);
      const events = await eventsOf(client.id);
      expect(events.map((e) => e.name)).toEqual(["client.created", "client.updated"]);
      expect(events[1]?.data).toEqual(updated);
    },
  );

  it("renames a client, including to another case of its own name", async () => {
    const client = await create("/v1/clients", { name: "hooli" });
    const res = await api("PATCH", `/v1/clients/${client.id}`, { name: "Hooli" });
    expect(res.json().data.name).toBe("Hooli");
  });

  it("DELETE answers 204, the client is gone and client.deleted keeps its last shape", async () => {
    const client = await create("/v1/clients", { name: "Soylent" });
    const res = await api("DELETE", `/v1/clients/${client.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await api("GET", `/v1/clients/${client.id}`)).statusCode).toBe(404);
    const events = await eventsOf(client.id);
    expect(events.map((e) => e.name)).toEqual(["client.created", "client.deleted"]);
    expect(events[1]).toMatchObject({ actor_id: owner.userId, data: client });
  });
});

describe("clients: lists", () => {
  let org: Account;
  const created: Array<{ id: string; name: string }> = [];
  beforeAll(async () => {
    org = await registerAccount(t.app);
    for (const [name, status] of [
      ["Delta", "active"],
      ["Alpha", "archived"],
      ["Charlie", "active"],
      ["Bravo", "active"],
    ]) {
      created.push(await create("/v1/clients", { name, status }, org.accessToken));
    }
    // The oldest changes last, so updated_at orders differently from created_at.
    await call(t.app, org.accessToken, {
      method: "PATCH",
      url: `/v1/clients/${created[0]?.id}`,
      payload: { notes: "touched" },
    });
  });
  const list = (query = "") => call(t.app, org.accessToken, { method: "GET", url: `/v1/clients${query}` });

  it("lists newest first by default, with the pagination block", async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    expect(names(res)).toEqual(["Bravo", "Charlie", "Alpha", "Delta"]);
    expect(res.json().pagination).toEqual({
      total: 4,
      limit: 20,
      offset: 0,
      has_more: false,
      page: 1,
      per_page: 20,
      total_pages: 1,
      has_next: false,
      has_previous: false,
    });
  });

  it("pages with limit/offset and with page/per_page", async () => {
    const byOffset = await list("?limit=3&offset=3");
    expect(names(byOffset)).toEqual(["Delta"]);
    expect(byOffset.json().pagination).toMatchObject({ total: 4, has_more: false, has_previous: true });
    const byPage = await list("?page=1&per_page=3");
    expect(names(byPage)).toEqual(["Bravo", "Charlie", "Alpha"]);
    expect(byPage.json().pagination).toMatchObject({ page: 1, per_page: 3, total_pages: 2, has_next: true });
  });

  it.each([
    ["name", "asc", ["Alpha", "Bravo", "Charlie", "Delta"]],
    ["name", "desc", ["Delta", "Charlie", "Bravo", "Alpha"]],
    ["created_at", "asc", ["Delta", "Alpha", "Charlie", "Bravo"]],
    ["created_at", "desc", ["Bravo", "Charlie", "Alpha", "Delta"]],
    ["updated_at", "asc", ["Alpha", "Charlie", "Bravo", "Delta"]],
    ["updated_at", "desc", ["Delta", "Bravo", "Charlie", "Alpha"]],
  ])("sorts by %s %s", async (sort, order, expected) => {
    expect(names(await list(`?sort=${sort}&order=${order}`))).toEqual(expected);
  });

  it("filters by status", async () => {
    expect(names(await list("?status=archived"))).toEqual(["Alpha"]);
    const active = await list("?status=active&sort=name&order=asc");
    expect(names(active)).toEqual(["Bravo", "Charlie", "Delta"]);
    expect(active.json().pagination.total).toBe(3);
  });
});
