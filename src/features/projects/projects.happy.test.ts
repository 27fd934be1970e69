import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";

let t: TestApp;
let owner: Account;
let client: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  client = (await api("POST", "/v1/clients", { name: "Acme" })).json().data;
});
afterAll(() => t.close());

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const { api, create, eventsOf } = ownerApi(
  () => t,
  () => owner,
);
const names = (res: { json(): { data: Array<{ name: string }> } }) => res.json().data.map((p) => p.name);

describe("projects: create, read, update, delete", () => {
  it("creates a project with defaults, in the organization's currency, and records project.created", async () => {
    const res = await api("POST", "/v1/projects", { name: "My Project", description: "A new project" });
    expect(res.statusCode).toBe(201);
    const project = res.json().data;
    expect(res.json()).toEqual({
      data: {
        id: expect.stringMatching(/^prj_[0-9A-Z]{26}$/),
        name: "My Project",
        description: "A new project",
        client_id: null,
        status: "active",
        billable: true,
        hourly_rate: null,
        currency: "USD",
        color: null,
        budget_hours: null,
        created_at: TIMESTAMP,
        updated_at: project.created_at,
      },
      metadata: { timestamp: TIMESTAMP, request_id: res.headers["x-request-id"] },
    });
    expect((await api("GET", `/v1/projects/${project.id}`)).json().data).toEqual(project);
    expect(await eventsOf(project.id)).toEqual([
      expect.objectContaining({
        organization_id: owner.orgId,
        name: "project.created",
        resource_type: "project",
        actor_id: owner.userId,
        data: project,
      }),
    ]);
  });

  it("creates a project with every field; colour in lower case, budget in hundredths", async () => {
    const project = await create("/v1/projects", {
      name: "Website redesign",
      description: null,
      client_id: client.id,
      status: "archived",
      billable: false,
      hourly_rate: 12500,
      color: "#3B82F6",
      budget_hours: 120.555,
    });
    expect(project).toEqual({
      id: project.id,
      name: "Website redesign",
      description: null,
      client_id: client.id,
      status: "archived",
      billable: false,
      hourly_rate: 12500,
      currency: "USD",
      color: "#3b82f6",
      budget_hours: 120.56,
      created_at: TIMESTAMP,
      updated_at: TIMESTAMP,
    });
  });

  it("shows the organization's current currency", async () => {
    const org = await registerAccount(t.app);
    const project = await create("/v1/projects", { name: "Euro work" }, org.accessToken);
    await t.db
      .updateTable("organization_settings")
      .set({ currency: "EUR" })
      .where("organization_id", "=", org.orgId)
      .execute();
    const res = await api("GET", `/v1/projects/${project.id}`, undefined, org.accessToken);
    expect(res.json().data).toEqual({ ...project, currency: "EUR" });
  });

  it.each(["PUT", "PATCH"] as const)(
    "%s changes only the fields given and records project.updated",
    async (method) => {
      const project = await create("/v1/projects", {
        name: `Retainer ${method}`,
        client_id: client.id,
        hourly_rate: 9000,
      });
      const res = await api(method, `/v1/projects/${project.id}`, {
        client_id: null,
        budget_hours: 40,
        color: "#ABCDEF",
      });
      expect(res.statusCode).toBe(200);
      const updated = res.json().data;
      expect(updated).toEqual({
        ...project,
        client_id: null,
        budget_hours: 40,
        color: "#abcdef",
        updated_at: TIMESTAMP,
      });
      expect((await api("GET", `/v1/projects/${project.id}`)).json().data).toEqual(updated);
      const events = await eventsOf(project.id);
      expect(events.map((e) => e.name)).toEqual(["project.created", "project.updated"]);
      expect(events[1]?.data).toEqual(updated);
    },
  );

  it("DELETE answers 204 and project.deleted keeps its last shape", async () => {
    const project = await create("/v1/projects", { name: "Short-lived", client_id: client.id });
    const res = await api("DELETE", `/v1/projects/${project.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await api("GET", `/v1/projects/${project.id}`)).statusCode).toBe(404);
    const events = await eventsOf(project.id);
    expect(events.map((e) => e.name)).toEqual(["project.created", "project.deleted"]);
    expect(events[1]?.data).toEqual(project);
    // The client is free to go now.
    expect((await api("GET", `/v1/clients/${client.id}`)).statusCode).toBe(200);
  });
});

describe("projects: lists", () => {
  let org: Account;
  const ids: Record<string, string> = {};
  let acme = "";
  beforeAll(async () => {
    org = await registerAccount(t.app);
    acme = (await api("POST", "/v1/clients", { name: "Acme" }, org.accessToken)).json().data.id;
    for (const [name, extra] of [
      ["Delta", { client_id: acme }],
      ["Alpha", { status: "archived" }],
      ["Charlie", { billable: false, client_id: acme }],
      ["Bravo", {}],
    ] as const) {
      ids[name] = (await create("/v1/projects", { name, ...extra }, org.accessToken)).id;
    }
    await api("PATCH", `/v1/projects/${ids.Delta}`, { description: "touched" }, org.accessToken);
  });
  const list = (query = "") => api("GET", `/v1/projects${query}`, undefined, org.accessToken);

  it("lists newest first by default and pages in both styles", async () => {
    const res = await list();
    expect(names(res)).toEqual(["Bravo", "Charlie", "Alpha", "Delta"]);
    expect(res.json().pagination).toMatchObject({ total: 4, limit: 20, offset: 0, has_more: false });
    const byOffset = await list("?limit=2&offset=2");
    expect(names(byOffset)).toEqual(["Alpha", "Delta"]);
    expect(byOffset.json().pagination).toMatchObject({ has_more: false, has_previous: true, page: 2 });
    const byPage = await list("?page=1&per_page=3");
    expect(names(byPage)).toEqual(["Bravo", "Charlie", "Alpha"]);
    expect(byPage.json().pagination).toMatchObject({ total_pages: 2, has_next: true, has_previous: false });
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

  it.each([
    ["status=archived", ["Alpha"]],
    ["status=active", ["Bravo", "Charlie", "Delta"]],
    ["billable=false", ["Charlie"]],
    ["billable=true", ["Alpha", "Bravo", "Delta"]],
    ["client_id=CLIENT", ["Charlie", "Delta"]],
    ["client_id=CLIENT&billable=true", ["Delta"]],
  ])("filters by %s", async (filter, expected) => {
    const res = await list(`?${filter.replace("CLIENT", acme)}&sort=name&order=asc`);
    expect(names(res)).toEqual(expected);
    expect(res.json().pagination.total).toBe(expected.length);
  });
});
