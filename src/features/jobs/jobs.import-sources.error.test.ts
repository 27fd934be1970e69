import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { timeFixtures } from "../time-entries/test-fixtures.js";
import { fixture } from "./sources/test-fixtures.js";
import { entriesByName, importedState, importSummary, jobApi } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let jobs: ReturnType<typeof jobApi>;
let anna = "";
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  jobs = jobApi(t.app);
  anna = (await addMember(t.app, owner.accessToken, { email: "anna@example.com", name: "Anna Schmidt" })).id;
});
afterAll(() => t.close());

const TOGGL_HEADER =
  "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags";
/** A Toggl Track row of 2024-05-`day`, an hour from 09:00, with these names. */
const togglRow = (day: number, cells: { email?: string; client?: string; project?: string; task?: string }) =>
  [
    "Someone",
    cells.email ?? "anna@example.com",
    cells.client ?? "",
    cells.project ?? "",
    cells.task ?? "",
    `Day ${day}`,
    "Yes",
    `2024-05-${String(day).padStart(2, "0")}`,
    "09:00:00",
    `2024-05-${String(day).padStart(2, "0")}`,
    "10:00:00",
    "01:00:00",
    "",
  ].join(",");
const togglFile = (...rows: string[]) => `${TOGGL_HEADER}\n${rows.join("\n")}\n`;

/** `size` characters cycling through `alphabet`: a file of garbage, the same every run. */
const garbage = (size: number, alphabet: string) =>
  alphabet.repeat(Math.ceil(size / alphabet.length)).slice(0, size);
const TEN_MB = 10 * 1024 * 1024;

const post = (params: Record<string, unknown>) =>
  call(t.app, owner.accessToken, {
    method: "POST",
    url: "/v1/jobs",
    payload: { type: "import.time_entries", params },
  });
const jobCount = async () =>
  (await t.db.selectFrom("jobs").select("id").where("organization_id", "=", owner.orgId).execute()).length;

describe("import.time_entries: a file or option that cannot be right is a 400, and no job", () => {
  const clockify = fixture("clockify-detailed-24h-berlin.csv");
  const toggl = fixture("toggl-detailed-berlin.csv");
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      "a Clockify file sent as Toggl's",
      { csv: clockify, source: "toggl" },
      { field: "params.csv", reason: "wrong_product", detected: "clockify" },
    ],
    [
      "a Toggl file sent as Voltasis's (the default source)",
      { csv: toggl },
      { field: "params.csv", reason: "wrong_product", detected: "toggl" },
    ],
    [
      "a Toggl header without End time",
      { csv: `${TOGGL_HEADER.replace(",End time", "")}\n`, source: "toggl" },
      { field: "params.csv", reason: "missing_column", column: "End time" },
    ],
    [
      "a BOM and nothing else",
      { csv: "\uFEFF", source: "harvest" },
      { field: "params.csv", reason: "missing_header" },
    ],
    [
      "an unknown time zone",
      { csv: toggl, source: "toggl", timezone: "Mars/Olympus" },
      { field: "params.timezone", reason: "invalid_timezone" },
    ],
    [
      "an unknown date format",
      { csv: clockify, source: "clockify", date_format: "YYYY/DD/MM" },
      { field: "params.date_format", reason: "invalid_value" },
    ],
    [
      "an unknown source",
      { csv: toggl, source: "excel" },
      { field: "params.source", reason: "invalid_value" },
    ],
    [
      "a time zone for a Voltasis file",
      { csv: "start,end\n", timezone: "Europe/Berlin" },
      { field: "params.timezone", reason: "not_applicable" },
    ],
    [
      "an unknown way with unknown people",
      { csv: toggl, source: "toggl", unknown_people: "skip" },
      { field: "params.unknown_people", reason: "invalid_value" },
    ],
    [
      "dry_run as text",
      { csv: toggl, source: "toggl", dry_run: "yes" },
      { field: "params.dry_run", reason: "invalid_type" },
    ],
    [
      "10 MB of garbage without a line break",
      { csv: garbage(TEN_MB, "abcXYZ019 ;:!?€🎉"), source: "toggl" },
      { field: "params.csv", reason: "invalid_csv" },
    ],
    [
      "10 MB of garbage with line breaks, commas and quotes",
      { csv: garbage(TEN_MB, 'abcxyz",\n '), source: "clockify" },
      { field: "params.csv", reason: "missing_column" },
    ],
  ])("%s", async (_case, params, details) => {
    const before = await jobCount();
    const res = await post(params);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject(details);
    expect(await jobCount()).toBe(before);
  });

  it("names the product a wrong file looks like, and the source to use", async () => {
    const res = await post({ csv: fixture("harvest-detailed-time-us.csv"), source: "toggl" });
    expect(expectError(res, 400, "VALIDATION_ERROR").message).toBe(
      'This file looks like a Harvest export, not a Toggl Track one: import it with source "harvest"',
    );
  });
});

describe("import.time_entries: files that fail when read", () => {
  it("dates that read both ways fail the job until date_format says which", async () => {
    const params = {
      csv: fixture("clockify-detailed-ambiguous-dates.csv"),
      source: "clockify",
      timezone: "UTC",
    };
    const job = await jobs.create(owner.accessToken, "import.time_entries", { ...params, dry_run: true });
    expect(await jobs.finished(owner.accessToken, job.id)).toMatchObject({
      status: "failed",
      result: null,
      error: {
        code: "ambiguous_date_format",
        message:
          "The dates (such as 03/04/2024) read as MM/DD/YYYY or DD/MM/YYYY: say which with date_format",
      },
    });
    const told = await jobs.create(owner.accessToken, "import.time_entries", {
      ...params,
      date_format: "DD/MM/YYYY",
      unknown_people: "import_as_me",
      dry_run: true,
    });
    expect(importSummary(await jobs.finished(owner.accessToken, told.id))).toMatchObject({
      date_format: "DD/MM/YYYY",
      rows_imported: 2,
    });
  });

  it("10 MB of garbage under a real header fails as too many rows, and imports nothing", async () => {
    const state = await importedState(t.db, owner.orgId);
    const lines = garbage(TEN_MB, `${"abcdefghijklmnopqrstuvwxyz".repeat(2)} ,;:-.\t\n`);
    const job = await jobs.create(owner.accessToken, "import.time_entries", {
      csv: `${TOGGL_HEADER}\n${lines}`,
      source: "toggl",
    });
    expect(await jobs.finished(owner.accessToken, job.id, 60_000)).toMatchObject({
      status: "failed",
      error: { code: "too_many_rows", message: expect.stringContaining("at most 100000") },
    });
    expect(await importedState(t.db, owner.orgId)).toEqual(state);
  }, 60_000);

  it("a megabyte of garbage rows is an error per row, listed in full in the report, and nothing imported", async () => {
    const state = await importedState(t.db, owner.orgId);
    const lines = garbage(1024 * 1024, `${"abcdefghijklmnopqrstuvwxyz".repeat(2)} ,;:-.\t\n`);
    const job = await jobs.create(owner.accessToken, "import.time_entries", {
      csv: `${TOGGL_HEADER}\n${togglRow(1, { project: "Garbage-free" })}\n${lines}`,
      source: "toggl",
    });
    const done = await jobs.finished(owner.accessToken, job.id);
    const summary = importSummary(done);
    expect(done).toMatchObject({ status: "failed", error: { code: "rows_invalid" } });
    expect(summary).toMatchObject({
      rows_imported: 0,
      created: { clients: 0, projects: 0, tasks: 0, tags: 0 },
    });
    expect(summary.rows_failed).toBe(summary.rows_total - 1);
    expect(summary.errors).toHaveLength(100);
    expect(summary.errors[0]).toMatchObject({ row: 3, field: "row", reason: "column_count" });
    const report = (await jobs.result(owner.accessToken, job.id)).json();
    expect(report.errors).toHaveLength(summary.rows_failed);
    expect(await importedState(t.db, owner.orgId)).toEqual(state);
  });
});

describe("import.time_entries: rows the organization cannot take", () => {
  it("rows of people who are not members are errors, or the importer's own with import_as_me", async () => {
    const csv = togglFile(
      togglRow(1, {}),
      togglRow(2, { email: "stranger@example.com" }),
      "Nobody,,,,,Day 3,Yes,2024-05-03,09:00:00,2024-05-03,10:00:00,01:00:00,",
    );
    const reported = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      source: "toggl",
      timezone: "UTC",
      dry_run: true,
    });
    expect(importSummary(await jobs.finished(owner.accessToken, reported.id))).toMatchObject({
      rows_imported: 0,
      rows_failed: 2,
      errors: [
        {
          row: 3,
          field: "person",
          reason: "not_found",
          message:
            'No active member with e-mail stranger@example.com: invite them first, or import with unknown_people "import_as_me" to make the time yours',
        },
        { row: 4, field: "person", reason: "not_found", message: expect.stringContaining('named "Nobody"') },
      ],
    });

    const asMe = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      source: "toggl",
      timezone: "UTC",
      unknown_people: "import_as_me",
    });
    expect(importSummary(await jobs.finished(owner.accessToken, asMe.id))).toMatchObject({
      rows_imported: 3,
      rows_failed: 0,
    });
    const owners = await t.db
      .selectFrom("time_entries")
      .select(["description", "user_id"])
      .where("organization_id", "=", owner.orgId)
      .where("description", "in", ["Day 1", "Day 2", "Day 3"])
      .orderBy("start_at")
      .execute();
    expect(owners).toEqual([
      { description: "Day 1", user_id: anna },
      { description: "Day 2", user_id: owner.userId },
      { description: "Day 3", user_id: owner.userId },
    ]);
  });

  it("a name two active members share is ambiguous; a deactivated member is no one", async () => {
    for (const email of ["sam1@example.com", "sam2@example.com"]) {
      await addMember(t.app, owner.accessToken, { email, name: "Sam Lee" });
    }
    const gone = await addMember(t.app, owner.accessToken, {
      email: "gone@example.com",
      name: "Gone Person",
    });
    await t.db
      .updateTable("memberships")
      .set({ status: "deactivated" })
      .where("user_id", "=", gone.id)
      .execute();
    const csv = [
      "Date,Project,Notes,Hours,First Name,Last Name",
      "2024-06-03,,Which Sam?,1.0,Sam,Lee",
      "2024-06-03,,Left already,1.0,Gone,Person",
    ].join("\n");
    const job = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      source: "harvest",
      timezone: "UTC",
      mode: "valid_rows",
    });
    expect(importSummary(await jobs.finished(owner.accessToken, job.id)).errors).toMatchObject([
      {
        row: 2,
        field: "person",
        reason: "ambiguous",
        message: expect.stringContaining('2 active members are named "Sam Lee"'),
      },
      { row: 3, field: "person", reason: "not_found" },
    ]);
  });

  it("names that cannot be: a project of another client, a task without project, a name too long", async () => {
    const fx = timeFixtures(t.app, t.db);
    const projectId = await fx.project(owner.orgId);
    const clientId = (
      await call(t.app, owner.accessToken, {
        method: "POST",
        url: "/v1/clients",
        payload: { name: "Initech" },
      })
    ).json().data.id;
    await t.db
      .updateTable("projects")
      .set({ client_id: clientId, name: "Website" })
      .where("id", "=", projectId)
      .execute();
    const csv = togglFile(
      togglRow(6, { client: "INITECH", project: "website" }),
      togglRow(7, { client: "Globex", project: "Website" }),
      togglRow(8, { task: "Orphan task" }),
      togglRow(9, { project: "x".repeat(201) }),
    );
    const job = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      source: "toggl",
      timezone: "UTC",
      mode: "valid_rows",
    });
    const summary = importSummary(await jobs.finished(owner.accessToken, job.id));
    expect(summary).toMatchObject({
      rows_imported: 1,
      created: { clients: 0, projects: 0, tasks: 0, tags: 0 },
      errors: [
        {
          row: 3,
          field: "client",
          reason: "client_mismatch",
          message: 'Project "Website" belongs to client "Initech" here, not to "Globex"',
        },
        { row: 4, field: "task", reason: "task_without_project" },
        { row: 5, field: "project", reason: "too_long" },
      ],
    });
    // Matched whatever the case: the row went onto the existing project, under its client.
    expect((await entriesByName(t.db, owner.orgId)).filter((e) => e.description === "Day 6")).toMatchObject([
      { project: "Website", client: "Initech" },
    ]);
  });

  it("all_or_nothing: one bad row and nothing is created, neither entries nor names", async () => {
    const state = await importedState(t.db, owner.orgId);
    const csv = togglFile(
      togglRow(10, { client: "Brand new client", project: "Brand new project", task: "Brand new task" }),
      togglRow(11, { email: "stranger@example.com" }),
    );
    const job = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      source: "toggl",
      timezone: "UTC",
    });
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "failed",
      error: {
        code: "rows_invalid",
        message: "1 of 2 rows failed; nothing was imported (mode all_or_nothing)",
      },
    });
    expect(importSummary(done)).toMatchObject({
      rows_imported: 0,
      rows_failed: 1,
      created: { clients: 0, projects: 0, tasks: 0, tags: 0 },
    });
    expect(await importedState(t.db, owner.orgId)).toEqual(state);
  });
});
