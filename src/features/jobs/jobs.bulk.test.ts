import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { epochMillis, sqlId } from "../../platform/db/sql-id.js";
import { timeFixtures } from "../time-entries/test-fixtures.js";
import { CSV_COLUMNS } from "./export.js";
import { csvRecords, jobApi } from "./test-fixtures.js";

/** SPEC issue 6: a 50,000-row export and import, each well within a test's time. */
const ROWS = 50_000;
const BASE = Date.UTC(2023, 0, 2);
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

let t: TestApp;
let jobs: ReturnType<typeof jobApi>;
beforeAll(async () => {
  t = await createTestApp();
  jobs = jobApi(t.app);
});
afterAll(() => t.close());

const countEntries = async (orgId: string) =>
  Number(
    (
      await t.db
        .selectFrom("time_entries")
        .select(sql<string>`count(*)`.as("n"))
        .where("organization_id", "=", orgId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("jobs: a 50,000-row export", () => {
  let owner: Account;
  let projectId = "";
  beforeAll(async () => {
    owner = await registerAccount(t.app);
    projectId = await timeFixtures(t.app, t.db).project(owner.orgId, { hourly_rate: 9000 });
    const tagId = await timeFixtures(t.app, t.db).tag(owner.orgId);
    // One INSERT … SELECT, as bench/bulk-entries.ts seeds: an entry a minute, 30 minutes long.
    await sql`
      INSERT INTO time_entries (id, organization_id, user_id, project_id, description, start_at, end_at,
        billable, billable_rate, created_at, updated_at)
      SELECT ${sqlId("timeEntry", epochMillis(sql`g.start_at`))}, ${owner.orgId}, ${owner.userId},
        CASE WHEN g.n % 2 = 0 THEN ${projectId} END, 'Entry ' || g.n, g.start_at,
        g.start_at + interval '30 minutes', g.n % 3 <> 0, 9000, now(), now()
      FROM (SELECT n, ${new Date(BASE)}::timestamptz + make_interval(mins => n) AS start_at
            FROM generate_series(0, ${ROWS - 1}) n OFFSET 0) g`.execute(t.db);
    await sql`INSERT INTO time_entry_tags (organization_id, time_entry_id, tag_id)
      SELECT organization_id, id, ${tagId} FROM time_entries
      WHERE organization_id = ${owner.orgId} AND description LIKE '%7'`.execute(t.db);
  }, 60_000);

  it("CSV: every row once, oldest first, under the header, each as the API shows it", async () => {
    const job = await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" });
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 100,
      result: { format: "csv", rows_exported: ROWS },
    });
    const res = await jobs.result(owner.accessToken, job.id);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.body.slice(0, res.body.indexOf("\n"))).toBe(CSV_COLUMNS.join(","));
    const rows = csvRecords(res.body);
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((row) => row.id)).size).toBe(ROWS);
    expect(rows[0]?.start).toBe(iso(BASE));
    expect(rows[ROWS - 1]?.start).toBe(iso(BASE + (ROWS - 1) * 60_000));
    const sample = rows[17] as Record<string, string>;
    const shown = (
      await call(t.app, owner.accessToken, { method: "GET", url: `/v1/time-entries/${sample.id}` })
    ).json().data;
    expect(sample).toEqual({
      id: shown.id,
      user_id: owner.userId,
      user_email: owner.email,
      project_id: "",
      task_id: "",
      description: "Entry 17",
      start: shown.start,
      end: shown.end,
      duration: "1800",
      billable: "true",
      hourly_rate: "",
      billable_rate: "9000",
      billable_amount: "4500",
      currency: "USD",
      tag_ids: shown.tag_ids[0],
      created_at: shown.created_at,
      updated_at: shown.updated_at,
    });
  }, 60_000);

  it("JSON with a filter: the matching entries, each exactly as GET /v1/time-entries/{id}", async () => {
    const job = await jobs.create(owner.accessToken, "export.time_entries", {
      format: "json",
      project_id: projectId,
    });
    expect((await jobs.finished(owner.accessToken, job.id)).result).toEqual({
      format: "json",
      rows_exported: ROWS / 2,
    });
    const entries = (await jobs.result(owner.accessToken, job.id)).json() as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(ROWS / 2);
    expect(entries.every((entry) => entry.project_id === projectId)).toBe(true);
    const sample = entries[1234] as { id: string };
    const shown = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/time-entries/${sample.id}`,
    });
    expect(sample).toEqual(shown.json().data);
  }, 60_000);
});

describe("jobs: a 50,000-row import", () => {
  let owner: Account;
  let projectId = "";
  let csv = "";
  const UNKNOWN_PROJECT = "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
  // Row numbers as a spreadsheet shows them: the header is row 1.
  const BAD: Record<number, { field: string; reason: string }> = {
    2: { field: "project_id", reason: "not_found" },
    1000: { field: "end", reason: "before_start" },
    25001: { field: "start", reason: "invalid_format" },
    50001: { field: "project_id", reason: "not_found" },
  };
  beforeAll(async () => {
    owner = await registerAccount(t.app);
    projectId = await timeFixtures(t.app, t.db).project(owner.orgId);
    const lines = ["start,end,project_id,description,billable"];
    for (let i = 0; i < ROWS; i++) {
      const row = i + 2;
      const start = BASE + i * 60_000;
      let cells = [iso(start), iso(start + 1_800_000), projectId, `Imported ${i}`, "true"];
      if (BAD[row]?.reason === "not_found") cells[2] = UNKNOWN_PROJECT;
      if (BAD[row]?.reason === "before_start") cells[1] = iso(start - 60_000);
      if (BAD[row]?.reason === "invalid_format") cells = ["yesterday", ...cells.slice(1)];
      lines.push(cells.join(","));
    }
    csv = `${lines.join("\n")}\n`;
  });

  const expectedErrors = () =>
    Object.entries(BAD).map(([row, error]) => ({
      row: Number(row),
      ...error,
      message: expect.any(String),
    }));

  it("all_or_nothing: reports each bad row by number and imports nothing", async () => {
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv, mode: "all_or_nothing" });
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "failed",
      error: { code: "rows_invalid", message: expect.stringContaining("nothing was imported") },
      result: { mode: "all_or_nothing", rows_total: ROWS, rows_imported: 0, rows_failed: 4 },
    });
    expect(done.result && "errors" in done.result ? done.result.errors : []).toEqual(expectedErrors());
    expect(await countEntries(owner.orgId)).toBe(0);
    const report = (await jobs.result(owner.accessToken, job.id)).json();
    expect(report.errors).toEqual(expectedErrors());
  }, 60_000);

  it("valid_rows: imports exactly the good rows, in one go, and reports the rest", async () => {
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv, mode: "valid_rows" });
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 100,
      error: null,
      result: { mode: "valid_rows", rows_total: ROWS, rows_imported: ROWS - 4, rows_failed: 4 },
    });
    expect(done.result && "errors" in done.result ? done.result.errors : []).toEqual(expectedErrors());
    expect(await countEntries(owner.orgId)).toBe(ROWS - 4);
    const imported = await t.db
      .selectFrom("time_entries")
      .select(["description", "project_id", "billable_rate"])
      .where("organization_id", "=", owner.orgId)
      .where("description", "in", ["Imported 0", "Imported 1", "Imported 998", "Imported 999"])
      .orderBy("start_at")
      .execute();
    expect(imported.map((entry) => entry.description)).toEqual(["Imported 1", "Imported 999"]);
  }, 60_000);
});
