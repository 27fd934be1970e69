import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { reportData } from "./reports.fixtures.js";

let t: TestApp;
let owner: Account;
let member: Awaited<ReturnType<typeof memberWithToken>>;
let manager: Awaited<ReturnType<typeof memberWithToken>>;
let project: string;
const PERIOD = "from=2024-06-01&to=2024-07-01";

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Alpha Reports Org" });
  member = await memberWithToken(t.app, owner.accessToken, "member");
  manager = await memberWithToken(t.app, owner.accessToken, "manager");
  const d = reportData(t.db, owner.orgId);
  project = await d.project("Alpha Secret Project");
  await d.entry({ user: owner.userId, project, start: "2024-06-03T09:00:00Z", seconds: 3600, rate: 10000 });
  await d.entry({ user: member.id, project, start: "2024-06-04T09:00:00Z", seconds: 1800, rate: 6000 });
  await d.entry({ user: manager.id, start: "2024-06-05T09:00:00Z", seconds: 600 });
});
afterAll(() => t.close());

const get = (token: string | null, url: string, headers: Record<string, string> = {}) =>
  call(t.app, token, { method: "GET", url, headers });
const summaryOf = async (token: string, query = "") => {
  const res = await get(token, `/v1/reports/summary?${PERIOD}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
};

describe("reports: credentials and scopes", () => {
  it("needs a credential and the read:reports scope", async () => {
    for (const path of ["summary", "detailed"]) {
      expectError(await get(null, `/v1/reports/${path}`), 401, "UNAUTHORIZED");
      const key = await createKey(t.app, owner.accessToken, {
        scopes: ["read:projects", "read:time-entries"],
      });
      expect(expectError(await get(key.secret, `/v1/reports/${path}`), 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "read:reports",
      });
      const reportsKey = await createKey(t.app, owner.accessToken, { scopes: ["read:reports"] });
      expect((await get(reportsKey.secret, `/v1/reports/${path}?${PERIOD}`)).statusCode).toBe(200);
    }
  });
});

describe("reports: roles", () => {
  it("a member's report covers only their own time, with a user token or their key", async () => {
    const key = await createKey(t.app, member.accessToken, { scopes: ["read:reports"] });
    for (const token of [member.accessToken, key.secret]) {
      const data = await summaryOf(token, "&group_by=user");
      expect(data.groups.map((g: { key: { user_id: string } }) => g.key.user_id)).toEqual([member.id]);
      expect(data.totals).toEqual({
        seconds: 1800,
        billable_seconds: 1800,
        billable_amount: 3000,
        entries: 1,
      });
      expect((await summaryOf(token, `&user_id=${member.id}`)).totals.entries).toBe(1);
      const detailed = (await get(token, `/v1/reports/detailed?${PERIOD}`)).json();
      expect(detailed.data.map((e: { user_id: string }) => e.user_id)).toEqual([member.id]);
      expect(detailed.pagination.total).toBe(1);
    }
  });

  it("a member asking for someone else's time is refused", async () => {
    for (const path of ["summary", "detailed"]) {
      const res = await get(member.accessToken, `/v1/reports/${path}?${PERIOD}&user_id=${owner.userId}`);
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "own_time_only",
        field: "user_id",
      });
    }
  });

  it("managers and owners see everyone's time", async () => {
    for (const token of [manager.accessToken, owner.accessToken]) {
      const data = await summaryOf(token, "&group_by=user");
      expect(data.totals.entries).toBe(3);
      expect(data.groups).toHaveLength(3);
      expect((await summaryOf(token, `&user_id=${owner.userId}`)).totals.entries).toBe(1);
    }
  });
});

describe("reports: tenancy", () => {
  it("another organization's credentials see only their own data, even when filtering by A's ids", async () => {
    const b = await registerAccount(t.app, { organization_name: "Beta Org" });
    await reportData(t.db, b.orgId).entry({ user: b.userId, start: "2024-06-10T09:00:00Z", seconds: 60 });
    const bKey = await createKey(t.app, b.accessToken, { scopes: ["admin"] });
    for (const token of [b.accessToken, bKey.secret]) {
      for (const query of [
        "&group_by=project",
        "&group_by=user",
        `&project_id=${project}`,
        `&user_id=${owner.userId}`,
      ]) {
        const res = await get(token, `/v1/reports/summary?${PERIOD}${query}`);
        expect(res.statusCode, res.body).toBe(200);
        for (const secret of [owner.orgId, owner.userId, member.id, project, "Alpha Secret Project"]) {
          expect(res.body).not.toContain(secret);
        }
      }
      expect((await summaryOf(token)).totals).toEqual({
        seconds: 60,
        billable_seconds: 60,
        billable_amount: 0,
        entries: 1,
      });
      const detailed = await get(token, `/v1/reports/detailed?${PERIOD}&project_id=${project}`);
      expect(detailed.json().data).toEqual([]);
      const crossing = await get(token, `/v1/reports/summary?${PERIOD}`, {
        "x-organization-id": owner.orgId,
      });
      expect(expectError(crossing, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
    }
  });
});
