import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
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
const createTag = (name: string, token?: string) => create("/v1/tags", { name }, token);
const names = (res: { json(): { data: Array<{ name: string }> } }) => res.json().data.map((x) => x.name);

describe("tags: create, read, rename, delete", () => {
  it("creates a tag and records tag.created", async () => {
    const res = await api("POST", "/v1/tags", { name: " meeting " });
    expect(res.statusCode).toBe(201);
    const tag = res.json().data;
    expect(res.json()).toEqual({
      data: {
        id: expect.stringMatching(/^tag_[0-9A-Z]{26}$/),
        name: "meeting",
        created_at: TIMESTAMP,
        updated_at: tag.created_at,
      },
      metadata: { timestamp: TIMESTAMP, request_id: res.headers["x-request-id"] },
    });
    expect((await api("GET", `/v1/tags/${tag.id}`)).json().data).toEqual(tag);
    expect(await eventsOf(tag.id)).toEqual([
      expect.objectContaining({
        organization_id: owner.orgId,
        name: "tag.created",
        resource_type: "tag",
        actor_id: owner.userId,
        data: tag,
      }),
    ]);
  });

  it.each(["PUT", "PATCH"] as const)("%s renames a tag and records tag.updated", async (method) => {
    const tag = await createTag(`draft ${method}`);
    const res = await api(method, `/v1/tags/${tag.id}`, { name: `final ${method}` });
    expect(res.statusCode).toBe(200);
    const renamed = res.json().data;
    expect(renamed).toEqual({ ...tag, name: `final ${method}`, updated_at: TIMESTAMP });
    const events = await eventsOf(tag.id);
    expect(events.map((e) => e.name)).toEqual(["tag.created", "tag.updated"]);
    expect(events[1]?.data).toEqual(renamed);
  });

  it("DELETE answers 204, takes the tag off time entries and keeps the entries", async () => {
    const tag = await createTag("billable-later");
    const project = (await api("POST", "/v1/projects", { name: "Tagged work" })).json().data;
    const entryId = "te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
    await t.db
      .insertInto("time_entries")
      .values({
        id: entryId,
        organization_id: owner.orgId,
        user_id: owner.userId,
        project_id: project.id,
        task_id: null,
        start_at: new Date("2024-01-01T09:00:00Z"),
        end_at: new Date("2024-01-01T10:00:00Z"),
        hourly_rate: null,
      })
      .execute();
    await t.db
      .insertInto("time_entry_tags")
      .values({ organization_id: owner.orgId, time_entry_id: entryId, tag_id: tag.id })
      .execute();

    const res = await api("DELETE", `/v1/tags/${tag.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await api("GET", `/v1/tags/${tag.id}`)).statusCode).toBe(404);
    const links = await t.db.selectFrom("time_entry_tags").selectAll().where("tag_id", "=", tag.id).execute();
    expect(links).toEqual([]);
    const entry = await t.db.selectFrom("time_entries").select("id").where("id", "=", entryId).execute();
    expect(entry).toEqual([{ id: entryId }]);
    const events = await eventsOf(tag.id);
    expect(events.map((e) => e.name)).toEqual(["tag.created", "tag.deleted"]);
    expect(events[1]?.data).toEqual(tag);
  });
});

describe("tags: lists", () => {
  let org: Account;
  beforeAll(async () => {
    org = await registerAccount(t.app);
    for (const name of ["delta", "alpha", "charlie", "bravo"]) await createTag(name, org.accessToken);
  });
  const list = (query = "") => api("GET", `/v1/tags${query}`, undefined, org.accessToken);

  it("lists newest first by default and pages in both styles", async () => {
    const res = await list();
    expect(names(res)).toEqual(["bravo", "charlie", "alpha", "delta"]);
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
    expect(names(await list("?limit=1&offset=1"))).toEqual(["charlie"]);
    const byPage = await list("?page=2&per_page=3");
    expect(names(byPage)).toEqual(["delta"]);
    expect(byPage.json().pagination).toMatchObject({
      page: 2,
      per_page: 3,
      total_pages: 2,
      has_previous: true,
    });
  });

  it.each([
    ["name", "asc", ["alpha", "bravo", "charlie", "delta"]],
    ["name", "desc", ["delta", "charlie", "bravo", "alpha"]],
    ["created_at", "asc", ["delta", "alpha", "charlie", "bravo"]],
    ["created_at", "desc", ["bravo", "charlie", "alpha", "delta"]],
  ])("sorts by %s %s", async (sort, order, expected) => {
    expect(names(await list(`?sort=${sort}&order=${order}`))).toEqual(expected);
  });
});
