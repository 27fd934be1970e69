import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { reportData } from "./reports.fixtures.js";

/**
 * Europe/Berlin springs forward on 2024-03-31 (02:00 CET → 03:00 CEST, so that local day has 23
 * hours) and falls back on 2024-10-27 (25 hours). Buckets are the local date of each entry's start.
 */
let t: TestApp;
let owner: Account;
const e = {} as Record<"sat" | "sunEarly" | "sunLate" | "mon", string>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  const d = reportData(t.db, owner.orgId);
  await d.settings({ timezone: "Europe/Berlin", currency: "EUR" });
  const user = owner.userId;
  e.sat = await d.entry({ user, start: "2024-03-30T22:30:00Z", seconds: 1800 }); // Sat 23:30 CET
  e.sunEarly = await d.entry({ user, start: "2024-03-30T23:30:00Z", seconds: 3600 }); // Sun 00:30 CET
  e.sunLate = await d.entry({ user, start: "2024-03-31T21:30:00Z", seconds: 1800 }); // Sun 23:30 CEST
  e.mon = await d.entry({ user, start: "2024-03-31T22:30:00Z", seconds: 3600 }); // Mon 00:30 CEST
});
afterAll(() => t.close());

async function summary(query: string) {
  const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/reports/summary?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}
const keysAndEntries = (data: { groups: Array<{ key: object; entries: number }> }) =>
  data.groups.map((g) => [g.key, g.entries]);
const AROUND = "from=2024-03-30&to=2024-04-02";

describe("reports in the organization's timezone across daylight-saving changes", () => {
  it("puts each entry on the local date of its start", async () => {
    const data = await summary(`${AROUND}&group_by=day`);
    expect(data.timezone).toBe("Europe/Berlin");
    expect(data.from).toBe("2024-03-29T23:00:00Z");
    expect(data.to).toBe("2024-04-01T22:00:00Z");
    expect(keysAndEntries(data)).toEqual([
      [{ day: "2024-03-30" }, 1],
      [{ day: "2024-03-31" }, 2],
      [{ day: "2024-04-01" }, 1],
    ]);
    expect(data.groups[1].seconds).toBe(5400);
  });

  it("reads a date bound as local midnight: 2024-03-31 is a 23-hour day, 2024-10-27 a 25-hour one", async () => {
    const spring = await summary("from=2024-03-31&to=2024-04-01");
    expect([spring.from, spring.to]).toEqual(["2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z"]);
    expect((Date.parse(spring.to) - Date.parse(spring.from)) / 3_600_000).toBe(23);
    expect(spring.totals).toMatchObject({ entries: 2, seconds: 5400 });
    const autumn = await summary("from=2024-10-27&to=2024-10-28");
    expect([autumn.from, autumn.to]).toEqual(["2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"]);
  });

  it("starts weeks on Monday or Sunday as the settings say", async () => {
    expect(keysAndEntries(await summary(`${AROUND}&group_by=week`))).toEqual([
      [{ week: "2024-03-25" }, 3],
      [{ week: "2024-04-01" }, 1],
    ]);
    await reportData(t.db, owner.orgId).settings({ week_start: "sunday" });
    try {
      expect(keysAndEntries(await summary(`${AROUND}&group_by=week`))).toEqual([
        [{ week: "2024-03-24" }, 1],
        [{ week: "2024-03-31" }, 3],
      ]);
    } finally {
      await reportData(t.db, owner.orgId).settings({ week_start: "monday" });
    }
  });

  it("buckets months by the local date, and pairs a calendar bucket with a resource", async () => {
    expect(keysAndEntries(await summary(`${AROUND}&group_by=month`))).toEqual([
      [{ month: "2024-03-01" }, 3],
      [{ month: "2024-04-01" }, 1],
    ]);
    expect(keysAndEntries(await summary(`${AROUND}&group_by=day,user`))).toEqual([
      [{ day: "2024-03-30", user_id: owner.userId }, 1],
      [{ day: "2024-03-31", user_id: owner.userId }, 2],
      [{ day: "2024-04-01", user_id: owner.userId }, 1],
    ]);
  });

  it("reads an instant bound as given, whatever the timezone", async () => {
    const data = await summary("from=2024-03-31T00:00:00Z&to=2024-04-01T00:00:00Z&group_by=day");
    expect(keysAndEntries(data)).toEqual([
      [{ day: "2024-03-31" }, 1],
      [{ day: "2024-04-01" }, 1],
    ]);
  });
});
