import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { arrangeMarch, type MarchIds } from "./reports.fixtures.js";

let t: TestApp;
let owner: Account;
let ids: MarchIds;
const MARCH = "from=2024-03-01&to=2024-04-01";

const get = async (url: string, token = owner.accessToken) => {
  const res = await call(t.app, token, { method: "GET", url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const summary = async (query: string, token?: string) =>
  (await get(`/v1/reports/summary?${query}`, token)).data;
const amounts = (seconds: number, billable_seconds: number, billable_amount: number, entries: number) => ({
  seconds,
  billable_seconds,
  billable_amount,
  entries,
});

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { name: "Olga Owner" });
  const member = await memberWithToken(t.app, owner.accessToken, "member");
  ids = await arrangeMarch(t.db, owner.orgId, owner.userId, member.id);
});
afterAll(() => t.close());

const TOTALS = amounts(18900, 11700, 26500, 5);

describe("GET /v1/reports/summary", () => {
  it("groups by project by default, sorted by name, entries without a project last", async () => {
    const data = await summary(MARCH);
    expect(data).toEqual({
      from: "2024-03-01T00:00:00Z",
      to: "2024-04-01T00:00:00Z",
      timezone: "UTC",
      group_by: ["project"],
      currency: "EUR",
      totals: TOTALS,
      groups: [
        { key: { project_id: ids.internal }, labels: { project: "Internal" }, ...amounts(7200, 0, 0, 1) },
        { key: { project_id: ids.mobile }, labels: { project: "Mobile" }, ...amounts(1800, 1800, 4500, 1) },
        {
          key: { project_id: ids.website },
          labels: { project: "Website" },
          ...amounts(9000, 9000, 22000, 2),
        },
        { key: { project_id: null }, labels: { project: null }, ...amounts(900, 900, 0, 1) },
      ],
    });
  });

  it("groups by client, task and user", async () => {
    const byClient = await summary(`${MARCH}&group_by=client`);
    expect(byClient.totals).toEqual(TOTALS);
    expect(byClient.groups).toEqual([
      { key: { client_id: ids.acme }, labels: { client: "Acme" }, ...amounts(9000, 9000, 22000, 2) },
      { key: { client_id: ids.globex }, labels: { client: "Globex" }, ...amounts(1800, 1800, 4500, 1) },
      { key: { client_id: null }, labels: { client: null }, ...amounts(8100, 900, 0, 2) },
    ]);
    expect((await summary(`${MARCH}&group_by=task`)).groups).toEqual([
      { key: { task_id: ids.build }, labels: { task: "Build" }, ...amounts(5400, 5400, 12000, 1) },
      { key: { task_id: ids.design }, labels: { task: "Design" }, ...amounts(3600, 3600, 10000, 1) },
      { key: { task_id: null }, labels: { task: null }, ...amounts(9900, 2700, 4500, 3) },
    ]);
    expect((await summary(`${MARCH}&group_by=user`)).groups).toEqual([
      { key: { user_id: ids.member }, labels: { user: "New Member" }, ...amounts(13500, 6300, 12000, 3) },
      { key: { user_id: ids.owner }, labels: { user: "Olga Owner" }, ...amounts(5400, 5400, 14500, 2) },
    ]);
  });

  it("counts an entry in each of its tags' groups, untagged ones under null, and totals each entry once", async () => {
    const data = await summary(`${MARCH}&group_by=tag`);
    expect(data.groups).toEqual([
      { key: { tag_id: ids.review }, labels: { tag: "Review" }, ...amounts(3600, 3600, 10000, 1) },
      { key: { tag_id: ids.urgent }, labels: { tag: "Urgent" }, ...amounts(5400, 5400, 14500, 2) },
      { key: { tag_id: null }, labels: { tag: null }, ...amounts(13500, 6300, 12000, 3) },
    ]);
    expect(data.totals).toEqual(TOTALS);
  });

  it("groups by day, week and month in date order", async () => {
    expect((await summary(`${MARCH}&group_by=day`)).groups).toEqual([
      { key: { day: "2024-03-04" }, labels: {}, ...amounts(3600, 3600, 10000, 1) },
      { key: { day: "2024-03-05" }, labels: {}, ...amounts(7200, 7200, 16500, 2) },
      { key: { day: "2024-03-11" }, labels: {}, ...amounts(7200, 0, 0, 1) },
      { key: { day: "2024-03-12" }, labels: {}, ...amounts(900, 900, 0, 1) },
    ]);
    expect((await summary(`${MARCH}&group_by=week`)).groups).toEqual([
      { key: { week: "2024-03-04" }, labels: {}, ...amounts(10800, 10800, 26500, 3) },
      { key: { week: "2024-03-11" }, labels: {}, ...amounts(8100, 900, 0, 2) },
    ]);
    expect((await summary(`${MARCH}&group_by=month`)).groups).toEqual([
      { key: { month: "2024-03-01" }, labels: {}, ...TOTALS },
    ]);
  });

  it("groups by a pair, sorted by the first grouping then the second", async () => {
    const data = await summary(`${MARCH}&group_by=project,user`);
    expect(data.group_by).toEqual(["project", "user"]);
    expect(data.totals).toEqual(TOTALS);
    const row = (project: string | null, user: string, labels: object, ...figures: number[]) => ({
      key: { project_id: project, user_id: user },
      labels,
      ...amounts(...(figures as [number, number, number, number])),
    });
    expect(data.groups).toEqual([
      row(ids.internal, ids.member, { project: "Internal", user: "New Member" }, 7200, 0, 0, 1),
      row(ids.mobile, ids.owner, { project: "Mobile", user: "Olga Owner" }, 1800, 1800, 4500, 1),
      row(ids.website, ids.member, { project: "Website", user: "New Member" }, 5400, 5400, 12000, 1),
      row(ids.website, ids.owner, { project: "Website", user: "Olga Owner" }, 3600, 3600, 10000, 1),
      row(null, ids.member, { project: null, user: "New Member" }, 900, 900, 0, 1),
    ]);
    const byWeekAndTag = await summary(`${MARCH}&group_by=week,tag`);
    expect(byWeekAndTag.groups.map((g: { key: object; entries: number }) => [g.key, g.entries])).toEqual([
      [{ week: "2024-03-04", tag_id: ids.review }, 1],
      [{ week: "2024-03-04", tag_id: ids.urgent }, 2],
      [{ week: "2024-03-04", tag_id: null }, 1],
      [{ week: "2024-03-11", tag_id: null }, 2],
    ]);
    expect(byWeekAndTag.totals).toEqual(TOTALS);
  });

  it("filters by user, project, client, task, tag and billable", async () => {
    const totals = async (filter: string) => (await summary(`${MARCH}&${filter}`)).totals;
    expect(await totals(`user_id=${ids.member}`)).toEqual(amounts(13500, 6300, 12000, 3));
    expect(await totals(`project_id=${ids.website}`)).toEqual(amounts(9000, 9000, 22000, 2));
    expect(await totals(`client_id=${ids.globex}`)).toEqual(amounts(1800, 1800, 4500, 1));
    expect(await totals(`task_id=${ids.design}`)).toEqual(amounts(3600, 3600, 10000, 1));
    expect(await totals(`tag_id=${ids.urgent}`)).toEqual(amounts(5400, 5400, 14500, 2));
    expect(await totals("billable=true")).toEqual(amounts(11700, 11700, 26500, 4));
    expect(await totals("billable=false")).toEqual(amounts(7200, 0, 0, 1));
    expect(await totals(`client_id=${ids.acme}&user_id=${ids.owner}`)).toEqual(amounts(3600, 3600, 10000, 1));
  });

  it("takes RFC 3339 instants with offsets as bounds", async () => {
    const data = await summary("from=2024-03-05T11:00:00%2B01:00&to=2024-03-05T14:00:00Z");
    expect(data.from).toBe("2024-03-05T10:00:00Z");
    expect(data.totals).toEqual(amounts(7200, 7200, 16500, 2));
    expect((await summary("from=2024-03-05T10:00:01Z&to=2024-03-05T13:00:00Z")).totals.entries).toBe(0);
  });
});

describe("GET /v1/reports/detailed", () => {
  it("lists the period's stopped entries with their amounts and tags, oldest first", async () => {
    const body = await get(`/v1/reports/detailed?${MARCH}`);
    expect(body.data.map((e: { id: string }) => e.id)).toEqual([ids.e1, ids.e2, ids.e3, ids.e4, ids.e5]);
    expect(body.data[0]).toEqual({
      id: ids.e1,
      user_id: ids.owner,
      project_id: ids.website,
      task_id: ids.design,
      description: "Wireframes",
      start: "2024-03-04T09:00:00Z",
      end: "2024-03-04T10:00:00Z",
      duration: 3600,
      billable: true,
      billable_rate: 10000,
      billable_amount: 10000,
      tag_ids: [ids.urgent, ids.review].sort(),
    });
    expect(body.data[3]).toMatchObject({
      id: ids.e4,
      billable: false,
      billable_rate: 8000,
      billable_amount: 0,
      tag_ids: [],
    });
    expect(body.pagination).toMatchObject({ total: 5, limit: 20, offset: 0, has_more: false });
  });

  it("pages, sorts newest first and filters like the summary", async () => {
    const page = await get(`/v1/reports/detailed?${MARCH}&order=desc&per_page=2&page=2`);
    expect(page.data.map((e: { id: string }) => e.id)).toEqual([ids.e3, ids.e2]);
    expect(page.pagination).toMatchObject({
      total: 5,
      page: 2,
      per_page: 2,
      total_pages: 3,
      has_next: true,
      has_previous: true,
    });
    const after = await get(`/v1/reports/detailed?${MARCH}&limit=2&starting_after=${ids.e2}`);
    expect(after.data.map((e: { id: string }) => e.id)).toEqual([ids.e3, ids.e4]);
    expect(after.pagination.has_more).toBe(true);
    const tagged = await get(`/v1/reports/detailed?${MARCH}&tag_id=${ids.urgent}&billable=true`);
    expect(tagged.data.map((e: { id: string }) => e.id)).toEqual([ids.e1, ids.e2]);
  });
});
