import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, registerAccount } from "../../../test/helpers/fixtures.js";
import { reportData } from "./reports.fixtures.js";

/** Money and time arithmetic, and the default period; each test has an organization of its own. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const get = async (url: string, token: string) => {
  const res = await call(t.app, token, { method: "GET", url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const summary = async (query: string, token: string) =>
  (await get(`/v1/reports/summary?${query}`, token)).data;
const amounts = (seconds: number, billable_seconds: number, billable_amount: number, entries: number) => ({
  seconds,
  billable_seconds,
  billable_amount,
  entries,
});

describe("billable amounts", () => {
  it("rounds each entry half up to minor units before summing, without overflowing long entries", async () => {
    const account = await registerAccount(t.app);
    const d = reportData(t.db, account.orgId);
    const project = await d.project("Rounding");
    const user = account.userId;
    const at = (hour: number) => `2024-05-02T${String(hour).padStart(2, "0")}:00:00Z`;
    await d.entry({ user, project, start: at(0), seconds: 1000, rate: 5000 }); // 1388.9 → 1389
    await d.entry({ user, project, start: at(1), seconds: 90, rate: 100 }); // 2.5 → 3
    await d.entry({ user, project, start: at(2), seconds: 18, rate: 100 }); // 0.5 → 1
    await d.entry({ user, project, start: at(3), seconds: 18, rate: 100 }); // 0.5 → 1 (summing first: 1)
    await d.entry({ user, project, start: at(4), seconds: 3600, rate: 5000, billable: false }); // not billed
    await d.entry({ user, project, start: "2024-05-10T00:00:00Z", seconds: 360_000, rate: 100_000 }); // 10,000,000
    const data = await summary("from=2024-05-01&to=2024-06-01", account.accessToken);
    expect(data.currency).toBe("USD");
    expect(data.totals).toEqual(amounts(364_726, 361_126, 10_001_394, 6));
    const detailed = await get("/v1/reports/detailed?from=2024-05-01&to=2024-06-01", account.accessToken);
    expect(detailed.data.map((e: { billable_amount: number }) => e.billable_amount)).toEqual([
      1389, 3, 1, 1, 0, 10_000_000,
    ]);
  });
});

describe("durations", () => {
  it("round fractional seconds as the stored duration does (half away from zero)", async () => {
    const account = await registerAccount(t.app);
    const d = reportData(t.db, account.orgId);
    const user = account.userId;
    await d.entry({ user, start: "2024-07-01T09:00:00Z", end: "2024-07-01T09:00:10.500Z", rate: 3600 });
    await d.entry({
      user,
      start: "2024-07-01T10:00:00.250Z",
      end: "2024-07-01T10:00:20.749999Z",
      rate: 3600,
    });
    await d.entry({ user, start: "2024-07-01T11:00:00Z", end: "2024-07-01T11:00:00.499Z", rate: 3600 });
    const detailed = await get("/v1/reports/detailed?from=2024-07-01&to=2024-07-02", account.accessToken);
    expect(detailed.data.map((e: { duration: number }) => e.duration)).toEqual([11, 20, 0]);
    const data = await summary("from=2024-07-01&to=2024-07-02", account.accessToken);
    expect(data.totals).toEqual(amounts(31, 31, 31, 3));
  });
});

describe("rounding (settings.rounding_minutes)", () => {
  it("rounds each entry up to the step before summing, in groups and totals; 0 keeps exact seconds", async () => {
    const account = await registerAccount(t.app);
    const d = reportData(t.db, account.orgId);
    const user = account.userId;
    const tag = await d.tag("meetings");
    await d.entry({ user, start: "2024-08-01T09:00:00Z", seconds: 7 * 60, rate: 6000, tags: [tag] }); // → 900 s
    await d.entry({ user, start: "2024-08-01T10:00:00Z", seconds: 15 * 60, rate: 6000 }); // exactly one step
    await d.entry({ user, start: "2024-08-01T11:00:00Z", seconds: 16 * 60, rate: 6000, billable: false }); // → 1800
    const query = "from=2024-08-01&to=2024-08-02";
    expect((await summary(query, account.accessToken)).totals).toEqual(amounts(2280, 1320, 2200, 3));
    const patched = await call(t.app, account.accessToken, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { rounding_minutes: 15 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const rounded = await summary(`${query}&group_by=tag`, account.accessToken);
    expect(rounded.totals).toEqual(amounts(3600, 1800, 3000, 3));
    expect(rounded.groups.map((g: { seconds: number }) => g.seconds)).toEqual([900, 2700]);
    expect((await summary(query, account.accessToken)).totals).toEqual(amounts(3600, 1800, 3000, 3));
  });
});

describe("default period", () => {
  it("is the current month in the organization's timezone", async () => {
    const account = await registerAccount(t.app);
    const d = reportData(t.db, account.orgId);
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    await d.entry({ user: account.userId, start: monthStart.toISOString(), seconds: 60 });
    await d.entry({
      user: account.userId,
      start: new Date(monthStart.getTime() - 3_600_000).toISOString(),
      seconds: 60,
    });
    const data = await summary("", account.accessToken);
    expect(data.from).toBe(monthStart.toISOString().replace(".000", ""));
    expect(data.to).toBe(nextMonth.toISOString().replace(".000", ""));
    expect(data.totals.entries).toBe(1);
  });
});
