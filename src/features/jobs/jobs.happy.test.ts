import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { ManualClock } from "../../platform/background/clock.js";
import { at, timeFixtures } from "../time-entries/test-fixtures.js";
import { CSV_COLUMNS } from "./export.js";
import { csvRecords, jobApi } from "./test-fixtures.js";
import { JOB_LEASE_MS, JOBS_CHANNEL } from "./worker.js";

let t: TestApp;
let owner: Account;
let fx: ReturnType<typeof timeFixtures>;
let jobs: ReturnType<typeof jobApi>;
const clock = new ManualClock();
let projectId = "";
let taskId = "";
let tagIds: string[] = [];
const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

beforeAll(async () => {
  t = await createTestApp({}, { clock });
  owner = await registerAccount(t.app);
  fx = timeFixtures(t.app, t.db);
  jobs = jobApi(t.app);
  projectId = await fx.project(owner.orgId, { hourly_rate: 10_000 });
  taskId = await fx.task(owner.orgId, projectId);
  tagIds = [await fx.tag(owner.orgId), await fx.tag(owner.orgId)].sort();
  await fx.entry(owner.accessToken, {
    start: at(1),
    end: at(2),
    project_id: projectId,
    task_id: taskId,
    tag_ids: tagIds,
    description: '=HYPERLINK("http://evil"), "quoted", and\na second line',
  });
  await fx.entry(owner.accessToken, { start: at(3), duration: 1800, billable: false, hourly_rate: 5000 });
  await fx.entry(owner.accessToken, {
    start: at(5),
    duration: 600,
    project_id: projectId,
    description: "Later",
  });
});
afterAll(() => t.close());

const listEntries = async (query = "") =>
  (
    await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/time-entries?sort=start&order=asc${query}`,
    })
  ).json().data as Array<Record<string, unknown>>;

describe("jobs: export.time_entries", () => {
  it("answers 202 with the queued job, then runs it to succeeded with progress 100", async () => {
    const created = await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" });
    expect(created).toEqual({
      id: expect.stringMatching(/^job_[0-9A-Z]{26}$/),
      type: "export.time_entries",
      status: "queued",
      progress: 0,
      params: { format: "csv" },
      result: null,
      error: null,
      created_by: owner.userId,
      created_at: TIMESTAMP,
      started_at: null,
      finished_at: null,
    });
    const done = await jobs.finished(owner.accessToken, created.id);
    expect(done).toEqual({
      ...created,
      status: "succeeded",
      progress: 100,
      result: { format: "csv", rows_exported: 3 },
      started_at: TIMESTAMP,
      finished_at: TIMESTAMP,
    });
  });

  it("downloads the CSV: header, one row per entry oldest first, formulas defused", async () => {
    const job = await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" });
    await jobs.finished(owner.accessToken, job.id);
    const res = await jobs.result(owner.accessToken, job.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="time-entries-${job.id}.csv"`);
    expect(res.body.split("\n")[0]).toBe(CSV_COLUMNS.join(","));
    const rows = csvRecords(res.body);
    const entries = await listEntries();
    expect(rows.map((row) => row.id)).toEqual(entries.map((entry) => entry.id));
    const first = entries[0] as Record<string, unknown>;
    expect(rows[0]).toEqual({
      id: first.id,
      user_id: owner.userId,
      user_email: owner.email,
      project_id: projectId,
      task_id: taskId,
      description: `'${first.description}`,
      start: at(1),
      end: at(2),
      duration: "3600",
      billable: "true",
      hourly_rate: "",
      billable_rate: "10000",
      billable_amount: "10000",
      currency: "USD",
      tag_ids: tagIds.join(";"),
      created_at: first.created_at,
      updated_at: first.updated_at,
    });
    expect(rows[1]).toMatchObject({ project_id: "", billable: "false", hourly_rate: "5000", tag_ids: "" });
  });

  it("exports JSON exactly as the list endpoint shows the entries, with the list's filters", async () => {
    const job = await jobs.create(owner.accessToken, "export.time_entries", {
      format: "json",
      project_id: projectId,
      billable: true,
    });
    expect((await jobs.finished(owner.accessToken, job.id)).result).toEqual({
      format: "json",
      rows_exported: 2,
    });
    const res = await jobs.result(owner.accessToken, job.id);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="time-entries-${job.id}.json"`);
    expect(res.json()).toEqual(await listEntries(`&project_id=${projectId}&billable=true`));

    const ranged = await jobs.create(owner.accessToken, "export.time_entries", {
      format: "json",
      from: at(3),
      to: at(5),
    });
    await jobs.finished(owner.accessToken, ranged.id);
    expect((await jobs.result(owner.accessToken, ranged.id)).json()).toEqual(
      await listEntries(`&from=${at(3)}&to=${at(5)}`),
    );
  });

  it("an export that matches nothing is an empty file, not a failure", async () => {
    for (const format of ["csv", "json"]) {
      const job = await jobs.create(owner.accessToken, "export.time_entries", {
        format,
        from: "2030-01-01T00:00:00Z",
      });
      expect((await jobs.finished(owner.accessToken, job.id)).result).toMatchObject({ rows_exported: 0 });
      const body = (await jobs.result(owner.accessToken, job.id)).body;
      expect(format === "csv" ? csvRecords(body) : JSON.parse(body)).toEqual([]);
    }
  });
});

describe("jobs: import.time_entries", () => {
  it("export → import round-trips: the imported entries equal the exported ones but for ids and times of writing", async () => {
    const exported = await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" });
    await jobs.finished(owner.accessToken, exported.id);
    const csv = (await jobs.result(owner.accessToken, exported.id)).body;
    const before = await listEntries();

    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv, mode: "valid_rows" });
    expect(job.params).toEqual({
      mode: "valid_rows",
      source: "voltasis",
      unknown_people: "report",
      dry_run: false,
    });
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 100,
      error: null,
      result: { mode: "valid_rows", rows_total: 3, rows_imported: 3, rows_failed: 0, errors: [] },
    });
    const nothingElse = { clients: 0, projects: 0, tasks: 0, tags: 0 };
    const after = await listEntries();
    const strip = ({ id, created_at, updated_at, ...rest }: Record<string, unknown>) => rest;
    const imported = after.filter((entry) => !before.some((old) => old.id === entry.id));
    expect(imported.map(strip).sort((a, b) => String(a.start).localeCompare(String(b.start)))).toEqual(
      before.map(strip),
    );
    // The file is not kept once the job has run.
    const row = await t.db
      .selectFrom("jobs")
      .select("input")
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    expect(row.input).toBeNull();
    const report = await jobs.result(owner.accessToken, job.id);
    expect(report.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(report.headers["content-disposition"]).toBe(`attachment; filename="import-report-${job.id}.json"`);
    expect(report.json()).toEqual({
      mode: "valid_rows",
      source: "voltasis",
      dry_run: false,
      date_format: null,
      rows_total: 3,
      rows_imported: 3,
      rows_skipped: 0,
      rows_failed: 0,
      created: nothingElse,
      rates_dropped: 0,
      errors: [],
    });
    // Clean up for the tests below.
    await t.db
      .deleteFrom("time_entries")
      .where(
        "id",
        "in",
        imported.map((entry) => entry.id as string),
      )
      .execute();
  });

  it("takes a hand-written file with only some columns: defaults as POST /v1/time-entries gives them", async () => {
    const csv = [
      "start,end,description,task_id,billable",
      `${at(10)},${at(11)},Plain,,`,
      `2024-01-01T12:00:00+01:00,${at(12)},With offset,${taskId},false`,
      "",
    ].join("\n");
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv });
    expect(job.params).toMatchObject({ mode: "all_or_nothing", source: "voltasis" });
    expect((await jobs.finished(owner.accessToken, job.id)).result).toMatchObject({ rows_imported: 2 });
    const entries = await listEntries(`&from=${at(10)}`);
    expect(entries).toMatchObject([
      { start: at(10), description: "Plain", user_id: owner.userId, project_id: null, billable: true },
      { start: at(11), description: "With offset", task_id: taskId, project_id: projectId, billable: false },
    ]);
  });
});

describe("jobs: list, events, recovery", () => {
  it("lists jobs newest first with type and status filters", async () => {
    const all = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/jobs" })).json();
    expect(all.data.length).toBeGreaterThanOrEqual(7);
    const times = all.data.map((job: { created_at: string }) => job.created_at);
    expect(times).toEqual([...times].sort().reverse());
    const imports = (
      await call(t.app, owner.accessToken, {
        method: "GET",
        url: "/v1/jobs?type=import.time_entries&status=succeeded",
      })
    ).json();
    expect(imports.data).toHaveLength(2);
    expect(imports.pagination).toMatchObject({ total: 2, has_more: false });
    const paged = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/jobs?limit=2" })).json();
    expect(paged.data).toEqual(all.data.slice(0, 2));
  });

  it("records job.created and job.succeeded with the job as the API shows it", async () => {
    const job = await jobs.create(owner.accessToken, "export.time_entries", { format: "json" });
    const done = await jobs.finished(owner.accessToken, job.id);
    const events = await t.db
      .selectFrom("events")
      .select(["name", "resource_type", "actor_id", "data"])
      .where("resource_id", "=", job.id)
      .orderBy("id")
      .execute();
    expect(events).toEqual([
      { name: "job.created", resource_type: "job", actor_id: owner.userId, data: job },
      { name: "job.succeeded", resource_type: "job", actor_id: owner.userId, data: done },
    ]);
  });

  it("a job whose worker died is taken up again once its claim runs out", async () => {
    // As if a process claimed it and was killed: running, with a claim that has not run out yet.
    const job = await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" });
    await jobs.finished(owner.accessToken, job.id);
    await t.db
      .updateTable("jobs")
      .set({
        status: "running",
        progress: 40,
        result: null,
        result_content_type: null,
        finished_at: null,
        attempts: 1,
        locked_until: new Date(clock.now().getTime() + JOB_LEASE_MS),
      })
      .where("id", "=", job.id)
      .execute();
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(t.db);
    expect((await jobs.get(owner.accessToken, job.id)).json().data.status).toBe("running");

    clock.advance(JOB_LEASE_MS + 1_000);
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(t.db);
    const done = await jobs.finished(owner.accessToken, job.id);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 100,
      result: { rows_exported: expect.any(Number) },
    });
    const row = await t.db
      .selectFrom("jobs")
      .select("attempts")
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
  });
});
