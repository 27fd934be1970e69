import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { ManualClock } from "../../platform/background/clock.js";
import { jobApi } from "../jobs/test-fixtures.js";
import { at, timeFixtures } from "./test-fixtures.js";

// A list without filters (or filtered by its user only) takes its total from counters that
// triggers keep (migrations 0012 and 0013, up to 16 stripes a user); every way entries come and
// go must keep that total exact, the same as the count of the entries themselves, which any
// other filter still answers.
let t: TestApp;
let owner: Account;
let member: { id: string; token: string };
let fx: ReturnType<typeof timeFixtures>;

beforeAll(async () => {
  t = await createTestApp({}, { clock: new ManualClock() });
  owner = await registerAccount(t.app);
  fx = timeFixtures(t.app, t.db);
  const added = await memberWithToken(t.app, owner.accessToken, "member");
  member = { id: added.id, token: added.accessToken };
});
afterAll(() => t.close());

const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
  call(t.app, token, { method, url, ...(payload ? { payload } : {}) });

async function total(token: string, query = "") {
  const res = await api(token, "GET", `/v1/time-entries?per_page=1${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().pagination.total as number;
}

/** The totals each caller sees, beside the same lists counted row by row (a filter that matches all). */
async function expectTotals(
  expected: { all: number; owner: number; member: number },
  token = owner.accessToken,
) {
  const { userId } = owner;
  // `from` far in the past matches every entry but is not a kept filter: this is count(*).
  const everything = "&from=2000-01-01T00:00:00Z";
  expect(await total(token)).toBe(expected.all);
  expect(await total(token, everything)).toBe(expected.all);
  expect(await total(token, `&user_id=${userId}`)).toBe(expected.owner);
  expect(await total(token, `&user_id=${userId}${everything}`)).toBe(expected.owner);
  expect(await total(token, `&user_id=${member.id}`)).toBe(expected.member);
}

describe("pagination.total of GET /v1/time-entries", () => {
  it("stays exact through create, reassignment, delete and a member's own view", async () => {
    await expectTotals({ all: 0, owner: 0, member: 0 });
    const mine = await fx.entry(owner.accessToken, { start: at(1), duration: 600 });
    await fx.entry(owner.accessToken, { start: at(2), duration: 600 });
    await fx.entry(member.token, { start: at(3), duration: 600 });
    await expectTotals({ all: 3, owner: 2, member: 1 });

    // Given to the member: one counter down, the other up.
    const moved = await api(owner.accessToken, "PATCH", `/v1/time-entries/${mine.id}`, {
      user_id: member.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await expectTotals({ all: 3, owner: 1, member: 2 });
    // A member sees only their own entries, and their total says so.
    expect(await total(member.token)).toBe(2);
    expect(await total(member.token, `&user_id=${owner.userId}`)).toBe(0);

    expect((await api(owner.accessToken, "DELETE", `/v1/time-entries/${mine.id}`)).statusCode).toBe(204);
    await expectTotals({ all: 2, owner: 1, member: 1 });
  });

  it("stays exact through v2's bulk create and bulk delete, and a refused bulk write counts nothing", async () => {
    const items = Array.from({ length: 40 }, (_, i) => ({
      start: at(10 + i),
      duration: 60,
      ...(i % 4 === 0 ? { user_id: member.id } : {}),
    }));
    const created = await api(owner.accessToken, "POST", "/v2/time-entries/bulk", { items });
    expect(created.statusCode, created.body).toBe(201);
    await expectTotals({ all: 42, owner: 31, member: 11 });

    // All or nothing: an item naming an unknown project fails them all.
    const refused = await api(owner.accessToken, "POST", "/v2/time-entries/bulk", {
      items: [
        { start: at(60), duration: 60 },
        { start: at(61), duration: 60, project_id: "prj_01M8R4MEMPTK3ARQMB3TMKYZYN" },
      ],
    });
    expect(refused.statusCode, refused.body).toBe(400);
    await expectTotals({ all: 42, owner: 31, member: 11 });

    const ids = (created.json().data as Array<{ id: string }>).slice(0, 20).map((e) => e.id);
    const deleted = await api(owner.accessToken, "DELETE", "/v2/time-entries/bulk", { ids });
    expect(deleted.statusCode, deleted.body).toBe(204);
    await expectTotals({ all: 22, owner: 16, member: 6 });
  });

  it("stays exact through an import job", async () => {
    const jobs = jobApi(t.app);
    const csv = [
      "start,end,description",
      `${at(80)},${at(81)},imported one`,
      `${at(82)},${at(83)},imported two`,
    ].join("\n");
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv });
    expect(await jobs.finished(owner.accessToken, job.id)).toMatchObject({ status: "succeeded" });
    await expectTotals({ all: 24, owner: 18, member: 6 });
  });

  it("stays exact in the sandbox, through its reset, apart from the live organization's", async () => {
    const testKey = (await createKey(t.app, owner.accessToken, { scopes: ["admin"], mode: "test" })).secret;
    const demo = await total(testKey);
    expect(demo).toBeGreaterThan(0);
    expect(await total(testKey, "&from=2000-01-01T00:00:00Z")).toBe(demo);
    const created = await api(testKey, "POST", "/v1/time-entries", { start: at(90), duration: 60 });
    expect(created.statusCode, created.body).toBe(201);
    expect(await total(testKey)).toBe(demo + 1);

    const reset = await api(owner.accessToken, "POST", "/v1/sandbox/reset");
    expect(reset.statusCode, reset.body).toBe(200);
    const afterReset = await total(testKey);
    expect(await total(testKey, "&from=2000-01-01T00:00:00Z")).toBe(afterReset);
    // The live organization's totals never moved.
    await expectTotals({ all: 24, owner: 18, member: 6 });
  });

  it("stays exact through one user's concurrent creates and deletes, spread over the stripes", async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fx.entry(member.token, { start: at(100 + i), duration: 60, description: `parallel ${i}` }),
      ),
    );
    await expectTotals({ all: 64, owner: 18, member: 46 });
    await Promise.all(
      created.slice(0, 25).map(async (entry) => {
        const res = await api(member.token, "DELETE", `/v1/time-entries/${entry.id}`);
        expect(res.statusCode, res.body).toBe(204);
      }),
    );
    await expectTotals({ all: 39, owner: 18, member: 21 });
    const stripes = await t.db
      .selectFrom("time_entry_counts")
      .select(["slot"])
      .where("organization_id", "=", owner.orgId)
      .where("user_id", "=", member.id)
      .execute();
    expect(stripes.length).toBeLessThanOrEqual(16);
    expect(stripes.every((s) => s.slot >= 0 && s.slot < 16)).toBe(true);
  });

  it("lets an organization with entries be deleted: its counters go with it", async () => {
    const other = await registerAccount(t.app);
    await fx.entry(other.accessToken, { start: at(1), duration: 60 });
    await t.db.deleteFrom("organizations").where("id", "=", other.orgId).execute();
    const left = await t.db
      .selectFrom("time_entry_counts")
      .select(["slot"])
      .where("organization_id", "=", other.orgId)
      .execute();
    expect(left).toEqual([]);
  });
});
