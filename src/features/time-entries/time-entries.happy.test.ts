import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { at, timeFixtures } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  fx = timeFixtures(t.app, t.db);
});
afterAll(() => t.close());

const get = (id: string, token = owner.accessToken) =>
  call(t.app, token, { method: "GET", url: `/v1/time-entries/${id}` });
const events = (id: string) =>
  t.db
    .selectFrom("events")
    .select(["name", "actor_id", "data"])
    .where("resource_id", "=", id)
    .orderBy("id")
    .execute();
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe("time entries: create, read, update, delete", () => {
  it("creates an entry with start and end; duration and amount are derived", async () => {
    const projectId = await fx.project(owner.orgId, { hourly_rate: 12_000 });
    const taskId = await fx.task(owner.orgId, projectId);
    const tags = [await fx.tag(owner.orgId), await fx.tag(owner.orgId)].sort();
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      payload: {
        start: "2024-01-15T09:00:00Z",
        end: "2024-01-15T10:30:00.750Z",
        project_id: projectId,
        task_id: taskId,
        description: "Sprint planning",
        tag_ids: [tags[1], tags[0]],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const entry = res.json().data;
    expect(entry).toEqual({
      id: expect.stringMatching(/^te_[0-9A-Z]{26}$/),
      user_id: owner.userId,
      project_id: projectId,
      task_id: taskId,
      description: "Sprint planning",
      start: "2024-01-15T09:00:00Z",
      end: "2024-01-15T10:30:00Z",
      duration: 5400,
      billable: true,
      hourly_rate: null,
      billable_rate: 12_000,
      billable_amount: 18_000,
      currency: "USD",
      tag_ids: tags,
      running: false,
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
    });
    expect((await get(entry.id)).json().data).toEqual(entry);
    expect(await events(entry.id)).toEqual([
      { name: "time_entry.created", actor_id: owner.userId, data: entry },
    ]);
  });

  it("takes end from start + duration, and the task's project when only task_id is sent", async () => {
    const projectId = await fx.project(owner.orgId, { billable: false });
    const taskId = await fx.task(owner.orgId, projectId);
    const entry = await fx.entry(owner.accessToken, { start: at(2), duration: 4500, task_id: taskId });
    expect(entry).toMatchObject({
      start: at(2),
      end: "2024-01-01T03:15:00Z",
      duration: 4500,
      running: false,
    });
    // The project's billable flag is the default; a non-billable entry is worth nothing.
    expect(entry).toMatchObject({ project_id: projectId, billable: false, billable_amount: 0 });
    const billable = await fx.entry(owner.accessToken, {
      start: at(4),
      duration: 60,
      project_id: projectId,
      billable: true,
    });
    expect(billable.billable).toBe(true);
  });

  it("rounds the amount half up: 1 s at 1800 per hour is 0.5, so 1", async () => {
    await fx.settings(owner.accessToken, { default_hourly_rate: 1800 });
    const half = await fx.entry(owner.accessToken, { start: at(6), duration: 1 });
    expect(half).toMatchObject({ billable_rate: 1800, billable_amount: 1 });
    const third = await fx.entry(owner.accessToken, { start: at(7), duration: 2 });
    expect(third.billable_amount).toBe(1);
    await fx.settings(owner.accessToken, { default_hourly_rate: 0 });
  });

  it("PATCH and PUT change only the fields sent; tag_ids replaces the tags", async () => {
    const tag = await fx.tag(owner.orgId);
    const created = await fx.entry(owner.accessToken, {
      start: at(10),
      end: at(11),
      description: "before",
      tag_ids: [tag],
    });
    for (const method of ["PATCH", "PUT"] as const) {
      const res = await call(t.app, owner.accessToken, {
        method,
        url: `/v1/time-entries/${created.id}`,
        payload: { description: `by ${method}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data).toMatchObject({
        description: `by ${method}`,
        start: at(10),
        end: at(11),
        tag_ids: [tag],
      });
    }
    const moved = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${created.id}`,
      payload: { start: at(10.5), tag_ids: [], billable: false },
    });
    expect(moved.json().data).toMatchObject({
      start: at(10.5),
      end: at(11),
      duration: 1800,
      tag_ids: [],
      billable: false,
    });
    const stretched = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${created.id}`,
      payload: { duration: 7200 },
    });
    expect(stretched.json().data).toMatchObject({ start: at(10.5), end: at(12.5), duration: 7200 });
    expect((await events(created.id)).map((e) => e.name)).toEqual([
      "time_entry.created",
      "time_entry.updated",
      "time_entry.updated",
      "time_entry.updated",
      "time_entry.updated",
    ]);
  });

  it("DELETE answers 204, the entry and its tags are gone, and an event keeps its last state", async () => {
    const tag = await fx.tag(owner.orgId);
    const entry = await fx.entry(owner.accessToken, { start: at(20), end: at(21), tag_ids: [tag] });
    const res = await call(t.app, owner.accessToken, {
      method: "DELETE",
      url: `/v1/time-entries/${entry.id}`,
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expectError(await get(entry.id), 404, "NOT_FOUND");
    const links = await t.db
      .selectFrom("time_entry_tags")
      .selectAll()
      .where("time_entry_id", "=", entry.id)
      .execute();
    expect(links).toEqual([]);
    expect((await events(entry.id)).at(-1)).toMatchObject({ name: "time_entry.deleted", data: entry });
  });
});

describe("time entries: timers", () => {
  it("start, current, stop: a timer is an entry without an end", async () => {
    const user = await registerAccount(t.app);
    const none = await call(t.app, user.accessToken, { method: "GET", url: "/v1/time-entries/current" });
    expect(none.statusCode).toBe(200);
    expect(none.json().data).toBeNull();

    const started = await call(t.app, user.accessToken, { method: "POST", url: "/v1/time-entries/start" });
    expect(started.statusCode, started.body).toBe(201);
    const timer = started.json().data;
    expect(timer).toMatchObject({ user_id: user.userId, end: null, running: true, description: "" });
    expect(Math.abs(Date.parse(timer.start) - Date.now())).toBeLessThan(5_000);
    expect(timer.duration).toBeGreaterThanOrEqual(0);

    const current = await call(t.app, user.accessToken, { method: "GET", url: "/v1/time-entries/current" });
    expect(current.json().data).toMatchObject({ id: timer.id, running: true });

    const stopped = await call(t.app, user.accessToken, {
      method: "POST",
      url: `/v1/time-entries/${timer.id}/stop`,
    });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json().data).toMatchObject({
      id: timer.id,
      running: false,
      end: expect.stringMatching(RFC3339),
    });
    expect(Date.parse(stopped.json().data.end)).toBeGreaterThanOrEqual(Date.parse(timer.start));
    expect(
      (await call(t.app, user.accessToken, { method: "GET", url: "/v1/time-entries/current" })).json().data,
    ).toBeNull();
    // Events of one transaction may share a millisecond, so their ids do not order them: compare sets.
    expect((await events(timer.id)).map((e) => e.name).sort()).toEqual([
      "time_entry.created",
      "time_entry.updated",
      "timer.started",
      "timer.stopped",
    ]);
  });

  it("a running timer shows the seconds elapsed so far and what they are worth", async () => {
    const user = await registerAccount(t.app);
    await fx.settings(user.accessToken, { default_hourly_rate: 3600 });
    const start = new Date(Date.now() - 600_000).toISOString();
    const timer = await fx.entry(user.accessToken, { start, description: "ten minutes ago" });
    expect(timer.running).toBe(true);
    expect(timer.duration).toBeGreaterThanOrEqual(600);
    expect(timer.duration).toBeLessThan(610);
    expect(timer.billable_amount).toBe(timer.duration);
  });

  it("two concurrent starts: exactly one wins, the other is a 409 timer_running", async () => {
    const user = await registerAccount(t.app);
    const start = () =>
      call(t.app, user.accessToken, { method: "POST", url: "/v1/time-entries/start", payload: {} });
    const results = await Promise.all([start(), start()]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.statusCode === 409);
    expect(expectError(loser as never, 409, "CONFLICT").details).toEqual({ reason: "timer_running" });
    const running = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("user_id", "=", user.userId)
      .execute();
    expect(running).toHaveLength(1);
  });

  it("creating an entry without end starts a timer too; with end it does not conflict", async () => {
    const user = await registerAccount(t.app);
    await fx.entry(user.accessToken, { start: at(0) });
    const again = await call(t.app, user.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      payload: { start: at(5) },
    });
    expect(expectError(again, 409, "CONFLICT").details?.reason).toBe("timer_running");
    await fx.entry(user.accessToken, { start: at(5), end: at(6) });
  });
});
