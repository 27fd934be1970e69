import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { newId } from "../../platform/ids.js";

let t: TestApp;
let owner: Account;
let project: { id: string };
let other: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  project = (await api("POST", "/v1/projects", { name: "Website" })).json().data;
  other = (await api("POST", "/v1/projects", { name: "Mobile app" })).json().data;
});
afterAll(() => t.close());

const UNKNOWN_ID = "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const UNKNOWN_PROJECT = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const UNKNOWN_USER = "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const { api, create, snapshot } = ownerApi(
  () => t,
  () => owner,
);
async function bookTime(taskId: string, projectId: string) {
  await t.db
    .insertInto("time_entries")
    .values({
      id: newId("timeEntry"),
      organization_id: owner.orgId,
      user_id: owner.userId,
      project_id: projectId,
      task_id: taskId,
      start_at: new Date("2024-01-01T09:00:00Z"),
      end_at: new Date("2024-01-01T10:00:00Z"),
      hourly_rate: null,
    })
    .execute();
}

describe("tasks: invalid requests", () => {
  it.each([
    ["an unknown field", { title: "X", project_id: "P", estimate: 60 }, "estimate", "unknown_field"],
    ["a missing title", { project_id: "P" }, "title", "required"],
    ["a missing project_id", { title: "X" }, "project_id", "required"],
    ["a blank title", { title: "  ", project_id: "P" }, "title", "invalid_format"],
    ["a title over 500 characters", { title: "x".repeat(501), project_id: "P" }, "title", "invalid_length"],
    ["a malformed project_id", { title: "X", project_id: "proj_123" }, "project_id", "invalid_format"],
    [
      "a malformed assignee_id",
      { title: "X", project_id: "P", assignee_id: "bob" },
      "assignee_id",
      "invalid_format",
    ],
    [
      "an impossible due date",
      { title: "X", project_id: "P", due_date: "2023-02-29" },
      "due_date",
      "invalid_format",
    ],
    [
      "a due date-time",
      { title: "X", project_id: "P", due_date: "2024-01-01T00:00:00Z" },
      "due_date",
      "invalid_format",
    ],
    [
      "a negative estimate",
      { title: "X", project_id: "P", estimate_seconds: -60 },
      "estimate_seconds",
      "out_of_range",
    ],
    [
      "an estimate in hours",
      { title: "X", project_id: "P", estimate_seconds: 1.5 },
      "estimate_seconds",
      "invalid_type",
    ],
    ["an unknown status", { title: "X", project_id: "P", status: "done" }, "status", "invalid_value"],
  ])("POST with %s is a 400 naming the field, and stores nothing", async (_case, body, field, reason) => {
    const before = await snapshot("tasks");
    // "P" stands for a real project of the organization.
    const payload = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === "P" ? project.id : v]));
    const error = expectError(await api("POST", "/v1/tasks", payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(await snapshot("tasks")).toEqual(before);
  });

  it.each([
    ["a project that does not exist", { project_id: UNKNOWN_PROJECT }, "project_id", "not_found"],
    ["an assignee who is not a member", { assignee_id: UNKNOWN_USER }, "assignee_id", "not_found"],
  ])("POST with %s is a 400 naming the field; no row, no event", async (_case, body, field, reason) => {
    const before = await snapshot("tasks");
    const res = await api("POST", "/v1/tasks", { title: "Orphan", project_id: project.id, ...body });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toEqual({ field, reason });
    expect(await snapshot("tasks")).toEqual(before);
  });

  it("a deactivated member cannot be assigned", async () => {
    const member = await addMember(t.app, owner.accessToken);
    await api("DELETE", `/v1/users/${member.id}`);
    const res = await api("POST", "/v1/tasks", {
      title: "For a leaver",
      project_id: project.id,
      assignee_id: member.id,
    });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toEqual({
      field: "assignee_id",
      reason: "inactive_member",
    });
  });

  it("PUT to a project that does not exist is a 400 and changes nothing", async () => {
    const task = await create("/v1/tasks", { title: "Stay", project_id: project.id });
    const before = await snapshot("tasks");
    const res = await api("PUT", `/v1/tasks/${task.id}`, { project_id: UNKNOWN_PROJECT, title: "Moved" });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toEqual({
      field: "project_id",
      reason: "not_found",
    });
    expect(await snapshot("tasks")).toEqual(before);
  });

  it.each(["PUT", "PATCH"] as const)("%s with an empty body is a 400", async (method) => {
    const task = await create("/v1/tasks", { title: `Empty ${method}`, project_id: project.id });
    const error = expectError(await api(method, `/v1/tasks/${task.id}`, {}), 400, "VALIDATION_ERROR");
    expect(error.details?.reason).toBe("no_fields");
  });

  it("a task with time entries cannot move to another project nor be deleted (409 in_use)", async () => {
    const task = await create("/v1/tasks", { title: "Booked", project_id: project.id });
    await bookTime(task.id, project.id);
    const before = await snapshot("tasks");
    const moved = await api("PATCH", `/v1/tasks/${task.id}`, { project_id: other.id });
    expect(expectError(moved, 409, "CONFLICT").details).toEqual({ reason: "in_use", time_entries: 1 });
    const deleted = await api("DELETE", `/v1/tasks/${task.id}`);
    expect(expectError(deleted, 409, "CONFLICT").details).toEqual({ reason: "in_use", time_entries: 1 });
    expect(await snapshot("tasks")).toEqual(before);
    // Naming its own project again is no move, and other changes still work.
    const same = await api("PATCH", `/v1/tasks/${task.id}`, { project_id: project.id, status: "completed" });
    expect(same.json().data).toMatchObject({ project_id: project.id, status: "completed" });
  });

  it.each([
    ["GET", undefined],
    ["PUT", { status: "completed" }],
    ["PATCH", { status: "completed" }],
    ["DELETE", undefined],
  ] as const)("%s of an unknown task is a 404, of a malformed id a 400", async (method, body) => {
    expectError(await api(method, `/v1/tasks/${UNKNOWN_ID}`, body), 404, "NOT_FOUND");
    for (const id of ["task_456", UNKNOWN_PROJECT]) {
      const res = await api(method, `/v1/tasks/${id}`, body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    }
  });

  it.each([
    ["an unknown filter", "?title=X", "title", "unknown_field"],
    ["an unknown sort field", "?sort=status", "sort", "invalid_value"],
    ["an unknown status", "?status=done", "status", "invalid_value"],
    ["a malformed assignee_id", "?assignee_id=bob", "assignee_id", "invalid_format"],
    ["a from that is not a date-time", "?from=yesterday", "from", "invalid_format"],
    ["to before from", "?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to", "invalid_range"],
    ["a cursor on a list without one", `?starting_after=${UNKNOWN_ID}`, "starting_after", "unknown_field"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await api("GET", `/v1/tasks${query}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });
});

describe("tasks: archived projects", () => {
  it("take no new tasks, and no task moves onto one; nothing is written", async () => {
    const archived = (await api("POST", "/v1/projects", { name: "Old site" })).json().data;
    expect((await api("PATCH", `/v1/projects/${archived.id}`, { status: "archived" })).statusCode).toBe(200);
    const task = await create("/v1/tasks", { title: "Keep going", project_id: project.id });
    const before = await snapshot("tasks");
    const created = await api("POST", "/v1/tasks", { title: "New work", project_id: archived.id });
    expect(expectError(created, 409, "CONFLICT").details).toEqual({
      reason: "project_archived",
      field: "project_id",
    });
    const moved = await api("PATCH", `/v1/tasks/${task.id}`, { project_id: archived.id });
    expect(expectError(moved, 409, "CONFLICT").details?.reason).toBe("project_archived");
    expect(await snapshot("tasks")).toEqual(before);
  });
});
