import { sql } from "kysely";
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
const { api } = ownerApi(
  () => t,
  () => owner,
);
interface Event {
  id: string;
  event: string;
  resource_id: string;
  created_at: string;
}
const data = (res: { json(): { data: Event[] } }) => res.json().data;

describe("events: what changes leave behind", () => {
  it("a create, an update and a delete each leave one event, newest first, in the webhook shape", async () => {
    const client = (await api("POST", "/v1/clients", { name: "Acme" })).json().data;
    const updated = (await api("PATCH", `/v1/clients/${client.id}`, { notes: "VIP" })).json().data;
    expect((await api("DELETE", `/v1/clients/${client.id}`)).statusCode).toBe(204);

    const res = await api("GET", `/v1/events?resource_id=${client.id}`);
    expect(res.statusCode).toBe(200);
    const base = {
      resource_type: "client",
      resource_id: client.id,
      actor_id: owner.userId,
      organization_id: owner.orgId,
      created_at: TIMESTAMP,
    };
    expect(res.json().data).toEqual([
      { id: expect.stringMatching(/^evt_[0-9A-Z]{26}$/), event: "client.deleted", ...base, data: updated },
      { id: expect.stringMatching(/^evt_/), event: "client.updated", ...base, data: updated },
      { id: expect.stringMatching(/^evt_/), event: "client.created", ...base, data: client },
    ]);
    expect(res.json().pagination).toMatchObject({ total: 3, has_more: false });
    const [deleted] = res.json().data;
    const one = await api("GET", `/v1/events/${deleted.id}`);
    expect(one.json()).toEqual({
      data: deleted,
      metadata: { timestamp: TIMESTAMP, request_id: one.headers["x-request-id"] },
    });
  });
});

describe("events: lists", () => {
  let org: Account;
  let projectId = "";
  beforeAll(async () => {
    org = await registerAccount(t.app);
    // Seven events: three tags, a project, two project updates and a tag rename.
    const tags = [];
    for (const name of ["one", "two", "three"]) {
      tags.push((await api("POST", "/v1/tags", { name }, org.accessToken)).json().data);
    }
    projectId = (await api("POST", "/v1/projects", { name: "P" }, org.accessToken)).json().data.id;
    await api("PATCH", `/v1/projects/${projectId}`, { billable: false }, org.accessToken);
    await api("PATCH", `/v1/projects/${projectId}`, { billable: true }, org.accessToken);
    await api("PATCH", `/v1/tags/${tags[0].id}`, { name: "uno" }, org.accessToken);
  });
  const list = (query = "") => api("GET", `/v1/events${query}`, undefined, org.accessToken);

  it("filters by event name, resource type and resource id", async () => {
    expect(data(await list("?event=project.updated")).map((e) => e.event)).toEqual([
      "project.updated",
      "project.updated",
    ]);
    expect(data(await list("?resource_type=tag")).map((e) => e.event)).toEqual([
      "tag.updated",
      "tag.created",
      "tag.created",
      "tag.created",
    ]);
    const ofProject = await list(`?resource_id=${projectId}&event=project.created`);
    expect(data(ofProject).map((e) => e.resource_id)).toEqual([projectId]);
    expect(ofProject.json().pagination.total).toBe(1);
  });

  it("sorts by created_at both ways and pages with limit/offset and page/per_page", async () => {
    const newest = data(await list());
    expect(newest).toHaveLength(7);
    expect(data(await list("?sort=created_at&order=asc"))).toEqual([...newest].reverse());
    expect(data(await list("?limit=2&offset=5"))).toEqual(newest.slice(5));
    const page = await list("?page=2&per_page=3");
    expect(data(page)).toEqual(newest.slice(3, 6));
    expect(page.json().pagination).toMatchObject({ total: 7, total_pages: 3, has_next: true });
  });

  it.each(["desc", "asc"])("walks every event once with starting_after (%s)", async (order) => {
    const all = data(await list(`?order=${order}`));
    const seen: Event[] = [];
    let query = `?order=${order}&limit=3`;
    for (;;) {
      const res = await list(query);
      expect(res.statusCode).toBe(200);
      const page = data(res);
      seen.push(...page);
      const { has_more } = res.json().pagination;
      if (!has_more) break;
      query = `?order=${order}&limit=3&starting_after=${page[page.length - 1]?.id}`;
    }
    expect(seen).toEqual(all);
  });

  it("a cursor page reports has_more and combines with filters", async () => {
    const tags = data(await list("?resource_type=tag"));
    const res = await list(`?resource_type=tag&limit=2&starting_after=${tags[0]?.id}`);
    expect(data(res)).toEqual(tags.slice(1, 3));
    expect(res.json().pagination).toMatchObject({
      limit: 2,
      has_more: true,
      has_next: true,
      has_previous: true,
    });
    const last = await list(`?resource_type=tag&limit=2&starting_after=${tags[2]?.id}`);
    expect(data(last)).toEqual(tags.slice(3));
    expect(last.json().pagination).toMatchObject({ has_more: false });
  });

  it("filters by time with from (inclusive) and to (exclusive)", async () => {
    const all = data(await list());
    const oldest = all[all.length - 1] as Event;
    expect(data(await list(`?from=${oldest.created_at}`))).toEqual(all);
    expect(data(await list(`?to=${oldest.created_at}`))).toEqual([]);
    expect(data(await list("?from=2999-01-01T00:00:00Z"))).toEqual([]);
  });

  it("hides events older than 30 days, in lists and by id", async () => {
    const [newest] = data(await list());
    await t.db
      .updateTable("events")
      .set({ created_at: sql<Date>`now() - interval '31 days'` })
      .where("id", "=", newest?.id as string)
      .execute();
    const res = await list();
    expect(data(res).map((e) => e.id)).not.toContain(newest?.id);
    expect(res.json().pagination.total).toBe(6);
    const one = await api("GET", `/v1/events/${newest?.id}`, undefined, org.accessToken);
    expect(one.statusCode).toBe(404);
  });
});
