import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { timeFixtures } from "./test-fixtures.js";

let t: TestApp;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  fx = timeFixtures(t.app, t.db);
});
afterAll(() => t.close());

const send = (token: string, method: "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
  call(t.app, token, { method, url, payload });
const row = (id: string) =>
  t.db.selectFrom("time_entries").selectAll().where("id", "=", id).executeTakeFirst();
const eventCount = async (id: string) =>
  (await t.db.selectFrom("events").select("id").where("resource_id", "=", id).execute()).length;

describe("time entries: the lock date", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await registerAccount(t.app);
  });

  it("refuses entries starting before midnight of lock_date in the organization's time zone", async () => {
    await fx.settings(owner.accessToken, { lock_date: "2024-02-01", timezone: "UTC" });
    const early = await send(owner.accessToken, "POST", "/v1/time-entries", {
      start: "2024-01-31T23:59:59Z",
      duration: 60,
    });
    expect(expectError(early, 409, "CONFLICT").details).toEqual({
      reason: "locked",
      lock_date: "2024-02-01",
    });
    await fx.entry(owner.accessToken, { start: "2024-02-01T00:00:00Z", duration: 60 });

    // In Tokyo (UTC+9) the first of February begins at 15:00 UTC the day before.
    await fx.settings(owner.accessToken, { timezone: "Asia/Tokyo" });
    const tokyoEarly = await send(owner.accessToken, "POST", "/v1/time-entries", {
      start: "2024-01-31T14:59:59Z",
      duration: 60,
    });
    expectError(tokyoEarly, 409, "CONFLICT");
    await fx.entry(owner.accessToken, { start: "2024-01-31T15:00:00Z", duration: 60 });
    await fx.settings(owner.accessToken, { lock_date: null, timezone: "UTC" });
  });

  it("makes existing entries read-only: update, delete and stop are 409 and change nothing", async () => {
    const entry = await fx.entry(owner.accessToken, {
      start: "2024-01-10T09:00:00Z",
      end: "2024-01-10T10:00:00Z",
    });
    const timer = await fx.entry(owner.accessToken, { start: "2024-01-11T09:00:00Z" });
    const before = [await row(entry.id), await row(timer.id)];
    const events = (await eventCount(entry.id)) + (await eventCount(timer.id));
    await fx.settings(owner.accessToken, { lock_date: "2024-02-01" });
    for (const res of [
      await send(owner.accessToken, "PATCH", `/v1/time-entries/${entry.id}`, {
        description: "rewrite history",
      }),
      await send(owner.accessToken, "PATCH", `/v1/time-entries/${entry.id}`, {
        start: "2024-03-01T09:00:00Z",
      }),
      await send(owner.accessToken, "DELETE", `/v1/time-entries/${entry.id}`),
      await send(owner.accessToken, "POST", `/v1/time-entries/${timer.id}/stop`),
    ]) {
      expect(expectError(res, 409, "CONFLICT").details?.reason).toBe("locked");
    }
    expect([await row(entry.id), await row(timer.id)]).toEqual(before);
    expect((await eventCount(entry.id)) + (await eventCount(timer.id))).toBe(events);
    const read = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/time-entries/${entry.id}` });
    expect(read.statusCode).toBe(200);

    await fx.settings(owner.accessToken, { lock_date: null });
    const unlocked = await send(owner.accessToken, "PATCH", `/v1/time-entries/${entry.id}`, {
      description: "fixed",
    });
    expect(unlocked.statusCode).toBe(200);
    expect((await send(owner.accessToken, "POST", `/v1/time-entries/${timer.id}/stop`)).statusCode).toBe(200);
  });

  it("refuses moving an entry into the locked period", async () => {
    const entry = await fx.entry(owner.accessToken, { start: "2024-03-05T09:00:00Z", duration: 600 });
    await fx.settings(owner.accessToken, { lock_date: "2024-03-01" });
    const moved = await send(owner.accessToken, "PATCH", `/v1/time-entries/${entry.id}`, {
      start: "2024-02-28T09:00:00Z",
      end: "2024-02-28T10:00:00Z",
    });
    expect(expectError(moved, 409, "CONFLICT").details?.reason).toBe("locked");
    expect((await row(entry.id))?.start_at).toEqual(new Date("2024-03-05T09:00:00Z"));
    await fx.settings(owner.accessToken, { lock_date: null });
  });
});

describe("time entries: prevent_overlaps", () => {
  it("off (the default): one user's entries may overlap", async () => {
    const owner = await registerAccount(t.app);
    await fx.entry(owner.accessToken, { start: "2024-05-01T09:00:00Z", end: "2024-05-01T11:00:00Z" });
    await fx.entry(owner.accessToken, { start: "2024-05-01T10:00:00Z", end: "2024-05-01T12:00:00Z" });
  });

  it("on: an overlapping create or update is a 409 naming the other entry; touching is fine", async () => {
    const owner = await registerAccount(t.app);
    await fx.settings(owner.accessToken, { prevent_overlaps: true });
    const first = await fx.entry(owner.accessToken, {
      start: "2024-05-01T09:00:00Z",
      end: "2024-05-01T11:00:00Z",
    });
    const overlapping = await send(owner.accessToken, "POST", "/v1/time-entries", {
      start: "2024-05-01T10:59:59Z",
      end: "2024-05-01T12:00:00Z",
    });
    expect(expectError(overlapping, 409, "CONFLICT").details).toEqual({
      reason: "overlap",
      time_entry_id: first.id,
    });
    const inside = await send(owner.accessToken, "POST", "/v1/time-entries", {
      start: "2024-05-01T09:30:00Z",
      duration: 60,
    });
    expectError(inside, 409, "CONFLICT");

    const after = await fx.entry(owner.accessToken, {
      start: "2024-05-01T11:00:00Z",
      end: "2024-05-01T12:00:00Z",
    });
    await fx.entry(owner.accessToken, { start: "2024-05-01T08:00:00Z", end: "2024-05-01T09:00:00Z" });
    // An entry may change within its own span, but not grow into a neighbour.
    const shrink = await send(owner.accessToken, "PATCH", `/v1/time-entries/${first.id}`, {
      start: "2024-05-01T09:30:00Z",
    });
    expect(shrink.statusCode, shrink.body).toBe(200);
    const grow = await send(owner.accessToken, "PATCH", `/v1/time-entries/${after.id}`, {
      start: "2024-05-01T10:00:00Z",
    });
    expect(expectError(grow, 409, "CONFLICT").details).toEqual({
      reason: "overlap",
      time_entry_id: first.id,
    });
    expect((await row(after.id))?.start_at).toEqual(new Date("2024-05-01T11:00:00Z"));

    // Another user's time is theirs: it may overlap ours.
    const member = await addMember(t.app, owner.accessToken);
    await fx.entry(owner.accessToken, { start: "2024-05-01T09:00:00Z", duration: 3600, user_id: member.id });
    // A running timer lasts until stopped, so it overlaps anything after its start.
    await fx.entry(owner.accessToken, { start: "2024-05-02T09:00:00Z" });
    const later = await send(owner.accessToken, "POST", "/v1/time-entries", {
      start: "2024-05-03T09:00:00Z",
      duration: 60,
    });
    expect(expectError(later, 409, "CONFLICT").details?.reason).toBe("overlap");
    // A second timer is refused as a second timer, whatever the overlap.
    const second = await send(owner.accessToken, "POST", "/v1/time-entries/start");
    expect(expectError(second, 409, "CONFLICT").details?.reason).toBe("timer_running");
  });

  it("on: two concurrent overlapping creates cannot both succeed", async () => {
    const owner = await registerAccount(t.app);
    await fx.settings(owner.accessToken, { prevent_overlaps: true });
    for (let round = 0; round < 5; round++) {
      const create = (minute: number) =>
        send(owner.accessToken, "POST", "/v1/time-entries", {
          start: `2024-06-0${round + 1}T09:${String(minute).padStart(2, "0")}:00Z`,
          duration: 1800,
        });
      const results = await Promise.all([create(0), create(10)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    }
  });
});
