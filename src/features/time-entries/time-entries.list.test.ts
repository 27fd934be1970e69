import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { at, timeFixtures } from "./test-fixtures.js";

interface Entry {
  id: string;
  user_id: string;
  project_id: string | null;
  task_id: string | null;
  tag_ids: string[];
  billable: boolean;
  start: string;
  end: string | null;
  duration: number;
  running: boolean;
}

let t: TestApp;
let owner: Account;
let memberId: string;
const refs = { project: "", task: "", tag: "" };
const all: Entry[] = [];
const COUNT = 120;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  const fx = timeFixtures(t.app, t.db);
  memberId = (await addMember(t.app, owner.accessToken)).id;
  refs.project = await fx.project(owner.orgId);
  refs.task = await fx.task(owner.orgId, refs.project);
  refs.tag = await fx.tag(owner.orgId);
  for (let i = 0; i < COUNT; i++) {
    // Three entries share each start, so the order must break ties by id.
    all.push(
      (await fx.entry(owner.accessToken, {
        start: at(i % 40),
        duration: ((i * 37) % 1000) + 60,
        billable: i % 2 === 0,
        ...(i % 3 === 0 ? { project_id: refs.project } : {}),
        ...(i % 6 === 0 ? { task_id: refs.task } : {}),
        ...(i % 5 === 0 ? { tag_ids: [refs.tag] } : {}),
        ...(i % 4 === 0 ? { user_id: memberId } : {}),
      })) as unknown as Entry,
    );
  }
  all.push((await fx.entry(owner.accessToken, { start: at(100) })) as unknown as Entry);
});
afterAll(() => t.close());

const list = async (query: string) => {
  const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/time-entries${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { data: Entry[]; pagination: Record<string, number | boolean> };
};
const ids = (entries: Entry[]) => entries.map((e) => e.id);
const byStartDesc = (a: Entry, b: Entry) => b.start.localeCompare(a.start) || b.id.localeCompare(a.id);

describe("time entries: list pages, sorts and filters", () => {
  it("pages newest start first, 20 by default, ties broken by id", async () => {
    const first = await list("");
    expect(ids(first.data)).toEqual(ids([...all].sort(byStartDesc).slice(0, 20)));
    expect(first.pagination).toEqual({
      total: COUNT + 1,
      limit: 20,
      offset: 0,
      has_more: true,
      page: 1,
      per_page: 20,
      total_pages: 7,
      has_next: true,
      has_previous: false,
    });
  });

  it.each([
    ["", (a: Entry, b: Entry) => byStartDesc(a, b)],
    ["&sort=start&order=asc", (a: Entry, b: Entry) => byStartDesc(b, a)],
    ["&sort=created_at&order=desc", (a: Entry, b: Entry) => b.id.localeCompare(a.id)],
    // A field other than the default, named without an order, reads ascending.
    ["&sort=created_at", (a: Entry, b: Entry) => a.id.localeCompare(b.id)],
  ])("the cursor walks the same pages as offsets and page numbers (%s)", async (sort, order) => {
    const expected = ids([...all].sort(order));
    const byCursor: string[] = [];
    let after = "";
    for (let page = 0; page < 10; page++) {
      const res = await list(`?limit=50${sort}${after ? `&starting_after=${after}` : ""}`);
      byCursor.push(...ids(res.data));
      expect(res.pagination.has_more).toBe(byCursor.length < expected.length);
      if (!res.pagination.has_more) break;
      after = res.data.at(-1)?.id ?? "";
    }
    expect(byCursor).toEqual(expected);
    const byOffset: string[] = [];
    const byPage: string[] = [];
    for (let offset = 0; offset < expected.length; offset += 50) {
      byOffset.push(...ids((await list(`?limit=50&offset=${offset}${sort}`)).data));
      byPage.push(...ids((await list(`?per_page=50&page=${offset / 50 + 1}${sort}`)).data));
    }
    expect(byOffset).toEqual(expected);
    expect(byPage).toEqual(expected);
  });

  it("sorts by duration and end both ways; a running timer counts as ending last", async () => {
    const stopped = all.filter((e) => !e.running);
    const asc = (await list("?sort=duration&order=asc&limit=100")).data.filter((e) => !e.running);
    expect(asc.map((e) => e.duration)).toEqual(
      stopped
        .map((e) => e.duration)
        .sort((a, b) => a - b)
        .slice(0, asc.length),
    );
    const desc = (await list("?sort=duration&order=desc&limit=100&running=false")).data;
    expect(desc.map((e) => e.duration)).toEqual(
      stopped
        .map((e) => e.duration)
        .sort((a, b) => b - a)
        .slice(0, 100),
    );
    const endDesc = (await list("?sort=end&order=desc&limit=5")).data;
    expect(endDesc[0]?.running).toBe(true);
    const ends = endDesc.slice(1).map((e) => e.end as string);
    expect(ends).toEqual([...ends].sort().reverse());
    const endAsc = (await list("?sort=end&order=asc&limit=100&offset=100")).data;
    expect(endAsc.at(-1)?.running).toBe(true);
  });

  it.each([
    ["user_id", () => `user_id=${memberId}`, (e: Entry) => e.user_id === memberId],
    ["project_id", () => `project_id=${refs.project}`, (e: Entry) => e.project_id === refs.project],
    ["task_id", () => `task_id=${refs.task}`, (e: Entry) => e.task_id === refs.task],
    ["tag_id", () => `tag_id=${refs.tag}`, (e: Entry) => e.tag_ids.includes(refs.tag)],
    ["billable=true", () => "billable=true", (e: Entry) => e.billable],
    ["billable=false", () => "billable=false", (e: Entry) => !e.billable],
    ["running=true", () => "running=true", (e: Entry) => e.running],
    ["running=false", () => "running=false", (e: Entry) => !e.running],
    ["from/to", () => `from=${at(10)}&to=${at(20)}`, (e: Entry) => e.start >= at(10) && e.start < at(20)],
    [
      "several at once",
      () => `billable=true&project_id=${refs.project}&from=${at(5)}`,
      (e: Entry) => e.billable && e.project_id === refs.project && e.start >= at(5),
    ],
  ])("filters by %s", async (_name, query, matches) => {
    const expected = ids(all.filter(matches).sort(byStartDesc));
    expect(expected.length).toBeGreaterThan(0);
    const res = await list(`?${query()}&limit=100`);
    expect(ids(res.data)).toEqual(expected.slice(0, 100));
    expect(res.pagination.total).toBe(expected.length);
  });

  it.each([
    ["an unknown filter", "?status=open", "status", "unknown_field"],
    ["an unknown sort field", "?sort=description", "sort", "invalid_value"],
    ["an unknown order", "?order=up", "order", "invalid_value"],
    ["a limit over 100", "?limit=101", "limit", "out_of_range"],
    ["a negative offset", "?offset=-1", "offset", "out_of_range"],
    ["a malformed project id", "?project_id=prj_1", "project_id", "invalid_format"],
    ["a non-boolean billable", "?billable=maybe", "billable", "invalid_type"],
    ["a malformed from", "?from=yesterday", "from", "invalid_format"],
    ["to before from", `?from=${at(5)}&to=${at(1)}`, "to", "invalid_range"],
    [
      "a cursor with offset",
      `?starting_after=te_01JD6V7W9Q3E4R5T6Y7V8K9M0P&offset=5`,
      "starting_after",
      "mixed_pagination_styles",
    ],
    ["an unknown cursor", "?starting_after=te_01JD6V7W9Q3E4R5T6Y7V8K9M0P", "starting_after", "not_found"],
    [
      "a cursor with sort=duration",
      "?sort=duration&starting_after=te_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
      "starting_after",
      "cursor_unsupported_for_sort",
    ],
  ])("%s is a 400", async (_name, query, field, reason) => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/time-entries${query}` });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });
});
