import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const UNKNOWN_ID = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const UNKNOWN_CLIENT = "cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const { api, create, snapshot } = ownerApi(
  () => t,
  () => owner,
);

describe("projects: invalid requests", () => {
  it.each([
    ["an unknown field", { name: "X", currency: "EUR" }, "currency", "unknown_field"],
    ["a missing name", { billable: true }, "name", "required"],
    ["a blank name", { name: " " }, "name", "invalid_format"],
    ["a malformed client_id", { name: "X", client_id: "acme" }, "client_id", "invalid_format"],
    ["a colour that is not #rrggbb", { name: "X", color: "blue" }, "color", "invalid_format"],
    ["a negative hourly rate", { name: "X", hourly_rate: -1 }, "hourly_rate", "out_of_range"],
    ["a fractional hourly rate", { name: "X", hourly_rate: 10.5 }, "hourly_rate", "invalid_type"],
    ["a negative budget", { name: "X", budget_hours: -5 }, "budget_hours", "out_of_range"],
    ["billable as text", { name: "X", billable: "yes" }, "billable", "invalid_type"],
    ["an unknown status", { name: "X", status: "done" }, "status", "invalid_value"],
  ])("POST with %s is a 400 naming the field, and stores nothing", async (_case, body, field, reason) => {
    const before = await snapshot("projects");
    const error = expectError(await api("POST", "/v1/projects", body), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(await snapshot("projects")).toEqual(before);
  });

  it("a client_id that does not exist is a 400 naming the field; no row, no event", async () => {
    const before = await snapshot("projects");
    const res = await api("POST", "/v1/projects", { name: "Orphan", client_id: UNKNOWN_CLIENT });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toEqual({
      field: "client_id",
      reason: "not_found",
    });
    expect(await snapshot("projects")).toEqual(before);
    const project = await create("/v1/projects", { name: "Adopted" });
    const changed = await api("PATCH", `/v1/projects/${project.id}`, {
      client_id: UNKNOWN_CLIENT,
      name: "Nope",
    });
    expect(expectError(changed, 400, "VALIDATION_ERROR").details?.field).toBe("client_id");
    expect((await api("GET", `/v1/projects/${project.id}`)).json().data).toEqual(project);
  });

  it.each(["PUT", "PATCH"] as const)("%s with an empty body is a 400", async (method) => {
    const project = await create("/v1/projects", { name: `Empty ${method}` });
    const error = expectError(await api(method, `/v1/projects/${project.id}`, {}), 400, "VALIDATION_ERROR");
    expect(error.details?.reason).toBe("no_fields");
  });

  it("a duplicate name in any case is a 409 on create and rename; no row, no event", async () => {
    await create("/v1/projects", { name: "Website" });
    const other = await create("/v1/projects", { name: "Mobile app" });
    const before = await snapshot("projects");
    const created = await api("POST", "/v1/projects", { name: "WEBSITE" });
    expect(expectError(created, 409, "CONFLICT").details).toEqual({
      reason: "duplicate_name",
      field: "name",
    });
    const renamed = await api("PUT", `/v1/projects/${other.id}`, { name: "website", billable: false });
    expect(expectError(renamed, 409, "CONFLICT").details?.reason).toBe("duplicate_name");
    expect(await snapshot("projects")).toEqual(before);
  });

  it("deleting a project that tasks or time entries refer to is a 409 in_use; nothing changes", async () => {
    const withTask = await create("/v1/projects", { name: "Has a task" });
    const task = await api("POST", "/v1/tasks", { title: "Keep me", project_id: withTask.id });
    expect(task.statusCode, task.body).toBe(201);
    const withTime = await create("/v1/projects", { name: "Has time" });
    await t.db
      .insertInto("time_entries")
      .values({
        id: "te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
        organization_id: owner.orgId,
        user_id: owner.userId,
        project_id: withTime.id,
        task_id: null,
        start_at: new Date("2024-01-01T09:00:00Z"),
        end_at: new Date("2024-01-01T10:00:00Z"),
        hourly_rate: null,
      })
      .execute();
    const before = await snapshot("projects");
    const res1 = await api("DELETE", `/v1/projects/${withTask.id}`);
    expect(expectError(res1, 409, "CONFLICT").details).toEqual({
      reason: "in_use",
      tasks: 1,
      time_entries: 0,
    });
    const res2 = await api("DELETE", `/v1/projects/${withTime.id}`);
    expect(expectError(res2, 409, "CONFLICT").details).toEqual({
      reason: "in_use",
      tasks: 0,
      time_entries: 1,
    });
    expect(await snapshot("projects")).toEqual(before);
  });

  it.each([
    ["GET", undefined],
    ["PUT", { name: "x" }],
    ["PATCH", { name: "x" }],
    ["DELETE", undefined],
  ] as const)("%s of an unknown project is a 404, of a malformed id a 400", async (method, body) => {
    expectError(await api(method, `/v1/projects/${UNKNOWN_ID}`, body), 404, "NOT_FOUND");
    for (const id of ["proj_123abc", UNKNOWN_CLIENT]) {
      const res = await api(method, `/v1/projects/${id}`, body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    }
  });

  it.each([
    ["an unknown filter", "?name=Website", "name", "unknown_field"],
    ["a range the list does not have", "?from=2024-01-01T00:00:00Z", "from", "unknown_field"],
    ["an unknown sort field", "?sort=budget_hours", "sort", "invalid_value"],
    ["billable that is not a boolean", "?billable=maybe", "billable", "invalid_type"],
    ["a malformed client_id", "?client_id=acme", "client_id", "invalid_format"],
    ["a limit of 0", "?limit=0", "limit", "out_of_range"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await api("GET", `/v1/projects${query}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });
});
