import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const settings = () => call(t.app, owner.accessToken, { method: "GET", url: "/v1/settings" });
const patch = (payload: object) =>
  call(t.app, owner.accessToken, { method: "PATCH", url: "/v1/settings", payload });
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe("settings", () => {
  it("a new organization starts with the defaults", async () => {
    const res = await settings();
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({
      timezone: "UTC",
      week_start: "monday",
      currency: "USD",
      default_hourly_rate: 0,
      rounding_minutes: 0,
      lock_date: null,
      prevent_overlaps: false,
      members_set_rates: false,
      updated_at: expect.stringMatching(RFC3339),
    });
  });

  it("PATCH changes only the fields sent and records settings.updated", async () => {
    const res = await patch({ timezone: "Europe/Berlin", currency: "EUR", lock_date: "2024-02-29" });
    expect(res.statusCode, res.body).toBe(200);
    const changed = res.json().data;
    expect(changed).toMatchObject({
      timezone: "Europe/Berlin",
      currency: "EUR",
      lock_date: "2024-02-29",
      week_start: "monday",
      default_hourly_rate: 0,
    });
    const next = (
      await patch({
        week_start: "sunday",
        default_hourly_rate: 9000,
        rounding_minutes: 15,
        prevent_overlaps: true,
      })
    ).json().data;
    expect(next).toEqual({
      ...changed,
      week_start: "sunday",
      default_hourly_rate: 9000,
      rounding_minutes: 15,
      prevent_overlaps: true,
      updated_at: expect.stringMatching(RFC3339),
    });
    expect((await settings()).json().data).toEqual(next);
    expect((await patch({ lock_date: null })).json().data.lock_date).toBeNull();

    const events = await t.db
      .selectFrom("events")
      .select(["name", "resource_type", "resource_id", "actor_id", "data"])
      .where("organization_id", "=", owner.orgId)
      .where("name", "=", "settings.updated")
      .orderBy("id")
      .execute();
    expect(events).toHaveLength(3);
    expect(events[1]).toEqual({
      name: "settings.updated",
      resource_type: "settings",
      resource_id: owner.orgId,
      actor_id: owner.userId,
      data: next,
    });
  });

  it("stores a time zone in its canonical form", async () => {
    expect((await patch({ timezone: "utc" })).json().data.timezone).toBe("UTC");
    expect((await patch({ timezone: "US/Pacific" })).json().data.timezone).toBe("America/Los_Angeles");
    expect((await patch({ timezone: "Asia/Kolkata" })).json().data.timezone).toMatch(
      /^Asia\/(Kolkata|Calcutta)$/,
    );
  });

  it("sets and clears a member's hourly rate", async () => {
    const member = await addMember(t.app, owner.accessToken);
    const rate = (hourlyRate: number | null) =>
      call(t.app, owner.accessToken, {
        method: "PATCH",
        url: `/v1/users/${member.id}/rate`,
        payload: { hourly_rate: hourlyRate },
      });
    const set = await rate(7500);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().data).toEqual({
      user_id: member.id,
      hourly_rate: 7500,
      updated_at: expect.stringMatching(RFC3339),
    });
    const stored = () =>
      t.db
        .selectFrom("memberships")
        .select("hourly_rate")
        .where("organization_id", "=", owner.orgId)
        .where("user_id", "=", member.id)
        .executeTakeFirstOrThrow();
    expect((await stored()).hourly_rate).toBe(7500);
    expect((await rate(null)).json().data.hourly_rate).toBeNull();
    expect((await stored()).hourly_rate).toBeNull();
    const events = await t.db
      .selectFrom("events")
      .select(["name", "data"])
      .where("resource_id", "=", member.id)
      .where("name", "=", "member.updated")
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.name)).toEqual(["member.updated", "member.updated"]);
    expect(events[0]?.data).toMatchObject({ id: member.id, hourly_rate: 7500 });
  });
});
