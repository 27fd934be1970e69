import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { at, timeFixtures } from "../time-entries/test-fixtures.js";
import { importSummary, jobApi } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let jobs: ReturnType<typeof jobApi>;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  jobs = jobApi(t.app);
  fx = timeFixtures(t.app, t.db);
});
afterAll(() => t.close());

const post = (payload: unknown) =>
  call(t.app, owner.accessToken, { method: "POST", url: "/v1/jobs", payload: payload as object });
const jobCount = async () =>
  (await t.db.selectFrom("jobs").select("id").where("organization_id", "=", owner.orgId).execute()).length;

describe("jobs: invalid requests are a 400 and create nothing", () => {
  const CSV = "start,end\n2024-01-01T09:00:00Z,2024-01-01T10:00:00Z\n";
  it.each([
    ["no type", { params: { format: "csv" } }, "type", "required"],
    ["an unknown type", { type: "export.projects", params: {} }, "type", "invalid_value"],
    ["no params", { type: "export.time_entries" }, "params", "required"],
    [
      "an unknown body field",
      { type: "export.time_entries", params: { format: "csv" }, x: 1 },
      "x",
      "unknown_field",
    ],
    ["an export without format", { type: "export.time_entries", params: {} }, "params.format", "required"],
    [
      "an unknown format",
      { type: "export.time_entries", params: { format: "xlsx" } },
      "params.format",
      "invalid_value",
    ],
    [
      "an unknown filter",
      { type: "export.time_entries", params: { format: "csv", client_id: "cli_x" } },
      "params.client_id",
      "unknown_field",
    ],
    [
      "a paging parameter",
      { type: "export.time_entries", params: { format: "csv", limit: 10 } },
      "params.limit",
      "unknown_field",
    ],
    [
      "a malformed project_id",
      {
        type: "export.time_entries",
        params: { format: "csv", project_id: "tsk_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
      },
      "params.project_id",
      "invalid_format",
    ],
    [
      "billable as text",
      { type: "export.time_entries", params: { format: "csv", billable: "yes" } },
      "params.billable",
      "invalid_type",
    ],
    [
      "a date without time",
      { type: "export.time_entries", params: { format: "csv", from: "2024-01-01" } },
      "params.from",
      "invalid_format",
    ],
    [
      "to before from",
      { type: "export.time_entries", params: { format: "csv", from: at(5), to: at(1) } },
      "params.to",
      "invalid_range",
    ],
    [
      "an import without csv",
      { type: "import.time_entries", params: { mode: "valid_rows" } },
      "params.csv",
      "required",
    ],
    ["an empty csv", { type: "import.time_entries", params: { csv: "" } }, "params.csv", "invalid_length"],
    [
      "an unknown mode",
      { type: "import.time_entries", params: { csv: CSV, mode: "best_effort" } },
      "params.mode",
      "invalid_value",
    ],
    [
      "export params on an import",
      { type: "import.time_entries", params: { format: "csv" } },
      "params.csv",
      "required",
    ],
    [
      "an unknown column",
      { type: "import.time_entries", params: { csv: "start,hours\n" } },
      "params.csv",
      "unknown_column",
    ],
    [
      "no start column",
      { type: "import.time_entries", params: { csv: "end,description\n" } },
      "params.csv",
      "missing_column",
    ],
    [
      "a column twice",
      { type: "import.time_entries", params: { csv: "start,Start\n" } },
      "params.csv",
      "duplicate_column",
    ],
    [
      "a broken header",
      { type: "import.time_entries", params: { csv: '"start,end\n' } },
      "params.csv",
      "invalid_csv",
    ],
  ])("%s", async (_case, body, field, reason) => {
    const before = await jobCount();
    const res = await post(body);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
    expect(await jobCount()).toBe(before);
  });

  it("an unknown job is a 404, a malformed id a 400", async () => {
    const unknown = "job_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
    expectError(await jobs.get(owner.accessToken, unknown), 404, "NOT_FOUND");
    expectError(await jobs.result(owner.accessToken, unknown), 404, "NOT_FOUND");
    const res = await jobs.get(owner.accessToken, "job_1");
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
  });

  it.each([
    ["?status=done", "status", "invalid_value"],
    ["?type=export", "type", "invalid_value"],
    ["?kind=export.time_entries", "kind", "unknown_field"],
    ["?sort=status", "sort", "invalid_value"],
  ])("listing with %s is a 400", async (query, field, reason) => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/jobs${query}` });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });
});

describe("jobs: results before they exist", () => {
  it("a queued job's result is a 409 job_not_finished; a job that failed without a file, 409 job_failed", async () => {
    // Workers off: the jobs wait in the queue until a second process with workers on starts.
    const idle = await createTestApp({ VOLTASIS_WORKERS: "off" });
    try {
      const account = await registerAccount(idle.app);
      const member = await memberWithToken(idle.app, account.accessToken, "member");
      const queued = jobApi(idle.app);
      const job = await queued.create(member.accessToken, "export.time_entries", { format: "csv" });
      const early = await queued.result(member.accessToken, job.id);
      expect(expectError(early, 409, "CONFLICT").details).toEqual({
        reason: "job_not_finished",
        status: "queued",
      });

      // The creator leaves before the job runs: it acts with their rights as they are then, so it runs nothing.
      await idle.db
        .updateTable("memberships")
        .set({ status: "deactivated" })
        .where("user_id", "=", member.id)
        .execute();
      await idle.anotherProcess({ VOLTASIS_WORKERS: "on" });
      const done = await queued.finished(account.accessToken, job.id);
      expect(done).toMatchObject({
        status: "failed",
        result: null,
        error: { code: "creator_not_member", message: expect.any(String) },
      });
      const late = await queued.result(account.accessToken, job.id);
      expect(expectError(late, 409, "CONFLICT").details).toEqual({ reason: "job_failed", status: "failed" });
    } finally {
      await idle.close();
    }
  });
});

describe("jobs: import rows break the same rules as POST /v1/time-entries", () => {
  it("each refused row is reported with its row number, field and reason; all_or_nothing imports none", async () => {
    const projectId = await fx.project(owner.orgId);
    const otherProject = await fx.project(owner.orgId);
    const archived = await fx.project(owner.orgId);
    await t.db.updateTable("projects").set({ status: "archived" }).where("id", "=", archived).execute();
    const taskOfOther = await fx.task(owner.orgId, otherProject);
    const tagId = await fx.tag(owner.orgId);
    await fx.settings(owner.accessToken, { lock_date: "2023-06-01", prevent_overlaps: true });
    const header = "start,end,project_id,task_id,tag_ids,billable,hourly_rate,user_email,description";
    const lines = [
      header,
      `${at(1)},${at(2)},${projectId},,${tagId},true,,,good`, // 2
      `${at(3)},${at(2)},,,,,,,end before start`, // 3
      "2024-13-01T00:00:00Z,,,,,,,,bad date", // 4
      `${at(4)},${at(5)},${archived},,,,,,archived`, // 5
      `${at(6)},${at(7)},${projectId},${taskOfOther},,,,,task elsewhere`, // 6
      `${at(8)},${at(9)},,,tag_01JD6V7W9Q3E4R5T6Y7V8K9M0P,,,,unknown tag`, // 7
      `${at(10)},${at(11)},,,,maybe,,,bad billable`, // 8
      `${at(12)},${at(13)},,,,,-5,,negative rate`, // 9
      "2023-05-01T09:00:00Z,2023-05-01T10:00:00Z,,,,,,,locked", // 10
      `${at(1)},${at(3)},,,,,,,overlaps row 2`, // 11
      `${at(20)},${at(21)},,,,,,nobody@example.com,unknown e-mail`, // 12
      `${at(22)},${at(23)}`, // 13: too few cells
      "", // 14: blank, skipped
      `${at(30)},,,,,,,,running`, // 15
      `${at(40)},,,,,,,,a second running timer`, // 16
    ];
    const before = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("organization_id", "=", owner.orgId)
      .execute();
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv: lines.join("\n") });
    const done = await jobs.finished(owner.accessToken, job.id);
    const rows = (errors: Array<{ row: number; field: string; reason: string }>) =>
      errors.map(({ row, field, reason }) => ({ row, field, reason }));
    const expected = [
      { row: 3, field: "end", reason: "before_start" },
      { row: 4, field: "start", reason: "invalid_format" },
      { row: 5, field: "project_id", reason: "project_archived" },
      { row: 6, field: "task_id", reason: "task_not_in_project" },
      { row: 7, field: "tag_ids.0", reason: "not_found" },
      { row: 8, field: "billable", reason: "invalid_type" },
      { row: 9, field: "hourly_rate", reason: "out_of_range" },
      { row: 10, field: "start", reason: "locked" },
      { row: 11, field: "start", reason: "overlap" },
      { row: 12, field: "user_email", reason: "not_found" },
      { row: 13, field: "row", reason: "column_count" },
      { row: 16, field: "end", reason: "timer_running" },
    ];
    expect(done.status).toBe("failed");
    const result = importSummary(done);
    expect(rows(result.errors)).toEqual(expected);
    expect(result).toMatchObject({ rows_total: 14, rows_failed: 12, rows_imported: 0 });
    const events = await t.db
      .selectFrom("events")
      .select(["name", "data"])
      .where("resource_id", "=", job.id)
      .orderBy("id")
      .execute();
    expect(events).toEqual([
      { name: "job.created", data: job },
      { name: "job.failed", data: done },
    ]);
    const after = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("organization_id", "=", owner.orgId)
      .execute();
    expect(after).toEqual(before);

    const again = await jobs.create(owner.accessToken, "import.time_entries", {
      csv: lines.join("\n"),
      mode: "valid_rows",
    });
    const imported = await jobs.finished(owner.accessToken, again.id);
    expect(imported.status).toBe("succeeded");
    expect(rows(importSummary(imported).errors)).toEqual(expected);
    const entries = await t.db
      .selectFrom("time_entries")
      .select("description")
      .where("organization_id", "=", owner.orgId)
      .orderBy("start_at")
      .execute();
    expect(entries.map((entry) => entry.description)).toEqual(["good", "running"]);
  });
});
