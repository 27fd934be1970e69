import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { at, timeFixtures } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  fx = timeFixtures(t.app, t.db);
  await fx.settings(owner.accessToken, { default_hourly_rate: 5000, currency: "EUR" });
});
afterAll(() => t.close());

const setMemberRate = async (userId: string, hourlyRate: number | null) => {
  const res = await call(t.app, owner.accessToken, {
    method: "PATCH",
    url: `/v1/users/${userId}/rate`,
    payload: { hourly_rate: hourlyRate },
  });
  expect(res.statusCode, res.body).toBe(200);
};
const patch = async (id: unknown, payload: object) => {
  const res = await call(t.app, owner.accessToken, {
    method: "PATCH",
    url: `/v1/time-entries/${id}`,
    payload,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
};

describe("time entries: the effective rate (entry, project, member, organization default)", () => {
  it("falls through each level in order, and 0 is a rate, not a gap", async () => {
    const member = await addMember(t.app, owner.accessToken);
    const rated = await fx.project(owner.orgId, { hourly_rate: 9000 });
    const unrated = await fx.project(owner.orgId);
    const entry = (body: object) =>
      fx.entry(owner.accessToken, { start: at(1), duration: 3600, user_id: member.id, ...body });

    expect(await entry({})).toMatchObject({ billable_rate: 5000, billable_amount: 5000, currency: "EUR" });
    await setMemberRate(member.id, 7000);
    expect((await entry({ project_id: unrated })).billable_rate).toBe(7000);
    expect((await entry({ project_id: rated })).billable_rate).toBe(9000);
    expect(await entry({ project_id: rated, hourly_rate: 12_000 })).toMatchObject({
      hourly_rate: 12_000,
      billable_rate: 12_000,
      billable_amount: 12_000,
    });
    expect(await entry({ project_id: rated, hourly_rate: 0 })).toMatchObject({
      billable_rate: 0,
      billable_amount: 0,
    });
    await setMemberRate(member.id, null);
    expect((await entry({ project_id: unrated })).billable_rate).toBe(5000);
  });

  it("is fixed when written: later rate changes leave existing entries alone", async () => {
    const project = await fx.project(owner.orgId, { hourly_rate: 8000 });
    const written = await fx.entry(owner.accessToken, { start: at(2), duration: 3600, project_id: project });
    await t.db.updateTable("projects").set({ hourly_rate: 20_000 }).where("id", "=", project).execute();
    await fx.settings(owner.accessToken, { default_hourly_rate: 6000 });
    const res = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/time-entries/${written.id}`,
    });
    expect(res.json().data).toMatchObject({ billable_rate: 8000, billable_amount: 8000 });
    // Changing something that is not an input of the rate keeps it too.
    expect(await patch(written.id, { description: "renamed", billable: true })).toMatchObject({
      billable_rate: 8000,
    });
    // Re-sending the same project is no change either.
    expect(await patch(written.id, { project_id: project })).toMatchObject({ billable_rate: 8000 });
    await fx.settings(owner.accessToken, { default_hourly_rate: 5000 });
  });

  it("is worked out again when the entry's rate, project or user changes", async () => {
    const cheap = await fx.project(owner.orgId, { hourly_rate: 4000 });
    const dear = await fx.project(owner.orgId, { hourly_rate: 16_000 });
    const member = await addMember(t.app, owner.accessToken);
    await setMemberRate(member.id, 3000);
    const entry = await fx.entry(owner.accessToken, {
      start: at(3),
      duration: 1800,
      project_id: cheap,
      hourly_rate: 10_000,
    });
    expect(entry).toMatchObject({ billable_rate: 10_000, billable_amount: 5000 });

    expect(await patch(entry.id, { hourly_rate: null })).toMatchObject({
      hourly_rate: null,
      billable_rate: 4000,
    });
    expect(await patch(entry.id, { project_id: dear })).toMatchObject({
      billable_rate: 16_000,
      billable_amount: 8000,
    });
    expect(await patch(entry.id, { project_id: null })).toMatchObject({
      project_id: null,
      billable_rate: 5000,
    });
    expect(await patch(entry.id, { user_id: member.id })).toMatchObject({
      user_id: member.id,
      billable_rate: 3000,
    });
    expect(await patch(entry.id, { hourly_rate: 100 })).toMatchObject({
      billable_rate: 100,
      billable_amount: 50,
    });
  });
});
