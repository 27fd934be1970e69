import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { at, timeFixtures } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let fx: ReturnType<typeof timeFixtures>;
const refs = { project: "", otherProject: "", task: "", tag: "" };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  fx = timeFixtures(t.app, t.db);
  refs.project = await fx.project(owner.orgId);
  refs.otherProject = await fx.project(owner.orgId);
  refs.task = await fx.task(owner.orgId, refs.project);
  refs.tag = await fx.tag(owner.orgId);
});
afterAll(() => t.close());

const UNKNOWN = {
  entry: "te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
  project: "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
  task: "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
  tag: "tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
  user: "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
};
const create = (payload: unknown) =>
  call(t.app, owner.accessToken, { method: "POST", url: "/v1/time-entries", payload: payload as object });
const count = async () =>
  (await t.db.selectFrom("time_entries").select("id").where("organization_id", "=", owner.orgId).execute())
    .length;
const valid = { start: at(1), end: at(2) };

describe("time entries: invalid requests", () => {
  it.each([
    ["an unknown field", { ...valid, minutes: 5 }, "minutes", "unknown_field"],
    ["a missing start", { end: at(2) }, "start", "required"],
    ["a start that is not a date-time", { start: "9am" }, "start", "invalid_format"],
    ["an end before start", { start: at(2), end: at(1) }, "end", "before_start"],
    ["both end and duration", { ...valid, duration: 3600 }, "duration", "derived"],
    ["a negative duration", { start: at(1), duration: -1 }, "duration", "out_of_range"],
    ["a fractional duration", { start: at(1), duration: 1.5 }, "duration", "invalid_type"],
    [
      "a span over 68 years",
      { start: "0001-01-01T00:00:00Z", end: "9999-01-01T00:00:00Z" },
      "end",
      "too_long",
    ],
    ["a negative hourly_rate", { ...valid, hourly_rate: -1 }, "hourly_rate", "out_of_range"],
    [
      "an hourly_rate beyond an integer column",
      { ...valid, hourly_rate: 2 ** 31 },
      "hourly_rate",
      "out_of_range",
    ],
    ["a repeated tag", { ...valid, tag_ids: [UNKNOWN.tag, UNKNOWN.tag] }, "tag_ids", "duplicate_items"],
    ["a malformed tag id", { ...valid, tag_ids: ["urgent"] }, "tag_ids.0", "invalid_format"],
    [
      "a description over 3000 characters",
      { ...valid, description: "x".repeat(3001) },
      "description",
      "invalid_length",
    ],
    [
      "a running timer starting tomorrow",
      { start: new Date(Date.now() + 86_400_000).toISOString() },
      "start",
      "in_future",
    ],
    ["a string for billable", { ...valid, billable: "yes" }, "billable", "invalid_type"],
  ])("POST with %s is a 400 naming the field", async (_case, payload, field, reason) => {
    const error = expectError(await create(payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
  });

  it.each([
    ["an unknown project", () => ({ project_id: UNKNOWN.project }), "project_id", "not_found"],
    ["an unknown task", () => ({ task_id: UNKNOWN.task }), "task_id", "not_found"],
    ["an unknown tag", () => ({ tag_ids: [refs.tag, UNKNOWN.tag] }), "tag_ids.1", "not_found"],
    ["an unknown user", () => ({ user_id: UNKNOWN.user }), "user_id", "not_found"],
    [
      "a task of another project",
      () => ({ project_id: refs.otherProject, task_id: refs.task }),
      "task_id",
      "task_not_in_project",
    ],
    [
      "a task without its project",
      () => ({ project_id: null, task_id: refs.task }),
      "task_id",
      "task_not_in_project",
    ],
  ])("POST with %s is a 400 and stores nothing", async (_case, references, field, reason) => {
    const before = await count();
    const error = expectError(await create({ ...valid, ...references() }), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(await count()).toBe(before);
  });

  it("PATCH refuses an empty body, and a project change that leaves the task behind", async () => {
    const entry = await fx.entry(owner.accessToken, { ...valid, task_id: refs.task });
    const patch = (payload: object) =>
      call(t.app, owner.accessToken, { method: "PATCH", url: `/v1/time-entries/${entry.id}`, payload });
    expect(expectError(await patch({}), 400, "VALIDATION_ERROR").details?.reason).toBe("no_fields");
    const moved = expectError(await patch({ project_id: refs.otherProject }), 400, "VALIDATION_ERROR");
    expect(moved.details).toMatchObject({ field: "task_id", reason: "task_not_in_project" });
    const earlier = expectError(await patch({ end: at(0) }), 400, "VALIDATION_ERROR");
    expect(earlier.details).toMatchObject({ field: "end", reason: "before_start" });
    const both = expectError(await patch({ end: at(3), duration: 5 }), 400, "VALIDATION_ERROR");
    expect(both.details).toMatchObject({ field: "duration", reason: "derived" });
    const fine = await patch({ project_id: refs.otherProject, task_id: null });
    expect(fine.json().data).toMatchObject({ project_id: refs.otherProject, task_id: null });
  });

  it("stopping an entry that is not running is a 409 not_running", async () => {
    const entry = await fx.entry(owner.accessToken, valid);
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: `/v1/time-entries/${entry.id}/stop`,
    });
    expect(expectError(res, 409, "CONFLICT").details).toEqual({ reason: "not_running" });
  });

  it("a stopped entry may run again only while the user has no other timer", async () => {
    const user = await registerAccount(t.app);
    const entry = await fx.entry(user.accessToken, { start: at(1), end: at(2) });
    await fx.entry(user.accessToken, { start: at(5) });
    const res = await call(t.app, user.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${entry.id}`,
      payload: { end: null },
    });
    expect(expectError(res, 409, "CONFLICT").details?.reason).toBe("timer_running");
  });

  it.each([
    ["GET", ""],
    ["PATCH", ""],
    ["PUT", ""],
    ["DELETE", ""],
    ["POST", "/stop"],
  ])("%s %s with a malformed id is a 400, with an unknown one a 404", async (method, suffix) => {
    const payload = method === "PATCH" || method === "PUT" ? { description: "x" } : undefined;
    for (const id of ["123", "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"]) {
      const res = await call(t.app, owner.accessToken, {
        method: method as "GET",
        url: `/v1/time-entries/${id}${suffix}`,
        payload,
      });
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    }
    const res = await call(t.app, owner.accessToken, {
      method: method as "GET",
      url: `/v1/time-entries/${UNKNOWN.entry}${suffix}`,
      payload,
    });
    expectError(res, 404, "NOT_FOUND");
  });

  it("malformed JSON is a 400 INVALID_REQUEST; no credential is a 401", async () => {
    const bad = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      headers: { "content-type": "application/json" },
      payload: '{"start": ',
    });
    expectError(bad, 400, "INVALID_REQUEST");
    for (const [method, url] of [
      ["GET", "/v1/time-entries"],
      ["GET", "/v1/time-entries/current"],
      ["POST", "/v1/time-entries/start"],
    ]) {
      expectError(await t.app.inject({ method: method as "GET", url }), 401, "UNAUTHORIZED");
    }
  });
});

describe("time entries: archived projects", () => {
  it("take no new entries, while entries already on them stay editable", async () => {
    const archived = await fx.project(owner.orgId);
    const existing = await create({ ...valid, start: at(30), end: at(31), project_id: archived });
    expect(existing.statusCode).toBe(201);
    await t.db.updateTable("projects").set({ status: "archived" }).where("id", "=", archived).execute();
    const before = await count();
    const refused = await create({ start: at(40), end: at(41), project_id: archived });
    expect(expectError(refused, 409, "CONFLICT").details).toEqual({
      reason: "project_archived",
      field: "project_id",
    });
    const timer = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: { project_id: archived },
    });
    expectError(timer, 409, "CONFLICT");
    expect(await count()).toBe(before);
    const id = existing.json().data.id;
    const moved = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${id}`,
      payload: { description: "still editable" },
    });
    expect(moved.statusCode).toBe(200);
    const onto = await create({ start: at(50), end: at(51), project_id: refs.project });
    const moveOnto = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${onto.json().data.id}`,
      payload: { project_id: archived },
    });
    expect(expectError(moveOnto, 409, "CONFLICT").details?.reason).toBe("project_archived");
  });
});
