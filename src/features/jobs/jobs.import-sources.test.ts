import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import type { Job } from "./schemas.js";
import { fixture } from "./sources/test-fixtures.js";
import { entriesByName, importedState, importSummary, jobApi } from "./test-fixtures.js";

/**
 * Issue 16 through the API: each product's real export (the phase-A fixtures) imported by one
 * job into one organization, whose people are matched by e-mail or name and whose clients,
 * projects, tasks and tags fill up from file to file.
 */
let t: TestApp;
let owner: Account;
let jobs: ReturnType<typeof jobApi>;
const people: Record<string, string> = {};
const PEOPLE = [
  ["anna@example.com", "Anna Schmidt"],
  ["ben@example.com", "Ben Okafor"],
  ["carla@example.com", "Carla Diaz"],
  ["dieter@example.com", "Dieter Braun"],
  ["frank@example.com", "Frank  Miller"],
  ["esa@example.com", "esa-matti suuronen"],
] as const;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  jobs = jobApi(t.app);
  for (const [email, name] of PEOPLE) {
    people[email] = (await addMember(t.app, owner.accessToken, { email, name })).id;
  }
});
afterAll(() => t.close());

async function importFile(name: string, params: Record<string, unknown>, token = owner.accessToken) {
  const job = await jobs.create(token, "import.time_entries", { csv: fixture(name), ...params });
  return jobs.finished(token, job.id);
}

/** The organization's entries imported from rows with these descriptions. */
const entriesNamed = async (...descriptions: string[]) =>
  (await entriesByName(t.db, owner.orgId)).filter((entry) => descriptions.includes(entry.description));

const eventsSince = async (since: string) =>
  t.db
    .selectFrom("events")
    .select(["name", "actor_id", "data"])
    .where("organization_id", "=", owner.orgId)
    .where("resource_type", "<>", "job")
    .where("id", ">", since)
    .orderBy("id")
    .execute();
const lastEventId = async () =>
  (
    await t.db
      .selectFrom("events")
      .select("id")
      .where("organization_id", "=", owner.orgId)
      .orderBy("id", "desc")
      .executeTakeFirst()
  )?.id ?? "";

describe("import.time_entries from Toggl Track", () => {
  let first: Job;
  let before = "";

  it("imports the Detailed report: names become a client, projects, a task and tags; Berlin times UTC across both DST changes", async () => {
    before = await lastEventId();
    first = await importFile("toggl-detailed-berlin.csv", {
      source: "toggl",
      timezone: "Europe/Berlin",
      mode: "valid_rows",
    });
    expect(first.params).toEqual({
      mode: "valid_rows",
      source: "toggl",
      timezone: "Europe/Berlin",
      unknown_people: "report",
      dry_run: false,
    });
    expect(first.status).toBe("succeeded");
    expect(importSummary(first)).toEqual({
      mode: "valid_rows",
      source: "toggl",
      dry_run: false,
      date_format: "YYYY-MM-DD",
      rows_total: 12,
      rows_imported: 8,
      rows_skipped: 0,
      rows_failed: 4,
      created: { clients: 1, projects: 3, tasks: 1, tags: 3 },
      rates_dropped: 0,
      errors: [
        expect.objectContaining({ row: 11, field: "End time", reason: "before_start" }),
        expect.objectContaining({ row: 12, field: "Start date", reason: "invalid_date" }),
        expect.objectContaining({ row: 13, field: "row", reason: "column_count" }),
        expect.objectContaining({ row: 14, field: "Billable", reason: "invalid_boolean" }),
      ],
    });

    const anna = {
      email: "anna@example.com",
      client: "Acme GmbH",
      project: "Website relaunch",
      task: "Design",
      tags: ["client-call", "design"],
      billable: true,
      hourly_rate: null,
    };
    const homepage = {
      ...anna,
      description: 'Homepage, hero "v2" 🎨',
      start: "2024-03-28T08:00:00.000Z",
      end: "2024-03-28T09:30:00.000Z",
      duration_seconds: 5400,
    };
    // Two identical rows are two entries: the same half-day twice, as the file says.
    expect(await entriesNamed('Homepage, hero "v2" 🎨')).toEqual([homepage, homepage]);
    expect(await entriesNamed("Night deploy across the spring change")).toEqual([
      {
        ...anna,
        task: null,
        tags: [],
        description: "Night deploy across the spring change",
        // 01:30 CET to 03:30 CEST: one real hour.
        start: "2024-03-31T00:30:00.000Z",
        end: "2024-03-31T01:30:00.000Z",
        duration_seconds: 3600,
      },
    ]);
    const ben = { email: "ben@example.com", client: null, project: "Internal", task: null, billable: false };
    expect(await entriesNamed("Across the autumn change", "Inside the autumn fold")).toEqual([
      expect.objectContaining({
        ...ben,
        description: "Inside the autumn fold",
        start: "2024-10-27T00:10:00.000Z",
        end: "2024-10-27T00:40:00.000Z",
      }),
      expect.objectContaining({
        ...ben,
        description: "Across the autumn change",
        start: "2024-10-27T00:50:00.000Z",
        end: "2024-10-27T01:10:00.000Z",
        duration_seconds: 1200,
      }),
    ]);
    // BEN@example.com is Ben: e-mails match whatever their case; a two-line cell stays one.
    expect(await entriesNamed("Standup\r\nnotes, two lines")).toMatchObject([ben]);
    // Formula-like cells are data, kept as written.
    expect(await entriesNamed('=HYPERLINK("http://example.invalid","click")')).toMatchObject([
      { email: "anna@example.com", project: "+Ops", client: "Acme GmbH", tags: ["@risk"], billable: false },
    ]);
  });

  it("raises one .created event per new client, project, task and tag, by the importing user", async () => {
    const events = await eventsSince(before);
    expect(events.map((event) => event.name)).toEqual([
      "client.created",
      "project.created",
      "project.created",
      "project.created",
      "task.created",
      "tag.created",
      "tag.created",
      "tag.created",
    ]);
    expect(events.every((event) => event.actor_id === owner.userId)).toBe(true);
    const [client, relaunch] = events.map((event) => event.data as Record<string, unknown>);
    expect(client).toMatchObject({ name: "Acme GmbH", status: "active" });
    expect(relaunch).toMatchObject({ name: "Website relaunch", client_id: client?.id, billable: true });
    expect(events[4]?.data).toMatchObject({ title: "Design", project_id: relaunch?.id });
  });

  it("a second import of the same file creates nothing: every row it had imported is skipped", async () => {
    const state = await importedState(t.db, owner.orgId);
    const again = await importFile("toggl-detailed-berlin.csv", {
      source: "toggl",
      timezone: "Europe/Berlin",
      mode: "valid_rows",
    });
    expect(importSummary(again)).toMatchObject({
      rows_total: 12,
      rows_imported: 0,
      rows_skipped: 8,
      rows_failed: 4,
      created: { clients: 0, projects: 0, tasks: 0, tags: 0 },
    });
    expect(await importedState(t.db, owner.orgId)).toEqual(state);
  });
});

describe("import.time_entries from Clockify", () => {
  it("reads 12-hour times in New York; a USD rate becomes the entry's hourly_rate", async () => {
    const done = await importFile("clockify-detailed-12h-new-york.csv", {
      source: "clockify",
      timezone: "America/New_York",
      mode: "valid_rows",
    });
    expect(importSummary(done)).toMatchObject({
      date_format: "MM/DD/YYYY",
      rows_imported: 5,
      rows_failed: 1,
      created: { clients: 1, projects: 1, tasks: 2, tags: 2 },
      rates_dropped: 0,
      errors: [{ row: 6, field: "Start Time", reason: "invalid_time" }],
    });
    expect(
      await entriesNamed("Release night across the spring change", "Lunch review", "After midnight"),
    ).toEqual([
      {
        email: "carla@example.com",
        client: "Globex",
        project: "Mobile app",
        task: "Development",
        tags: ["on-call", "release"],
        description: "Release night across the spring change",
        // 11:30 PM EST to 3:30 AM EDT: three hours, as exported.
        start: "2024-03-10T04:30:00.000Z",
        end: "2024-03-10T07:30:00.000Z",
        duration_seconds: 10_800,
        billable: true,
        hourly_rate: 8500,
      },
      expect.objectContaining({
        description: "After midnight",
        project: "Internal",
        billable: false,
        hourly_rate: null,
      }),
      expect.objectContaining({ description: "Lunch review", task: "Review", hourly_rate: 125_000 }),
    ]);
    // "After midnight" went onto the Toggl file's "Internal": names match existing projects.
    const internal = await t.db
      .selectFrom("projects")
      .select("id")
      .where("organization_id", "=", owner.orgId)
      .where("name", "=", "Internal")
      .execute();
    expect(internal).toHaveLength(1);
  });

  it("reads the organization's time zone by default, and imports a EUR rate in a USD organization without it", async () => {
    const settings = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { timezone: "Europe/Berlin" },
    });
    expect(settings.statusCode).toBe(200);
    const done = await importFile("clockify-detailed-24h-berlin.csv", {
      source: "clockify",
      mode: "valid_rows",
    });
    expect(done.params).toMatchObject({ timezone: "Europe/Berlin" });
    expect(importSummary(done)).toMatchObject({
      date_format: "DD.MM.YYYY",
      rows_imported: 2,
      rows_failed: 1,
      // "Acme GmbH" is the Toggl file's client.
      created: { clients: 0, projects: 1, tasks: 2, tags: 1 },
      rates_dropped: 2,
    });
    expect(await entriesNamed("Night deploy", "Workshop")).toEqual([
      expect.objectContaining({
        email: "dieter@example.com",
        client: "Acme GmbH",
        project: "Relaunch",
        start: "2024-03-31T00:30:00.000Z",
        end: "2024-03-31T01:30:00.000Z",
        hourly_rate: null,
      }),
      expect.objectContaining({ start: "2024-04-15T11:05:00.000Z", end: "2024-04-15T12:35:30.000Z" }),
    ]);
  });
});

describe("import.time_entries from Harvest", () => {
  it("matches people by first and last name, and stacks a day's hours from 09:00 local", async () => {
    const done = await importFile("harvest-detailed-time-us.csv", {
      source: "harvest",
      timezone: "America/New_York",
      mode: "valid_rows",
    });
    expect(importSummary(done)).toMatchObject({
      rows_imported: 4,
      rows_failed: 1,
      // Globex, Mobile app, Development and Review came with the Clockify file; Internal with Toggl's.
      created: { clients: 0, projects: 0, tasks: 1, tags: 0 },
      errors: [{ row: 6, field: "Hours", reason: "invalid_duration" }],
    });
    const carla = { email: "carla@example.com", client: "Globex", project: "Mobile app", tags: [] };
    expect(
      await entriesNamed(
        "Sunday of the spring change",
        "Second entry that day",
        "",
        "Another person the same day",
      ),
    ).toEqual([
      {
        ...carla,
        task: "Development",
        description: "Sunday of the spring change",
        // 09:00 EDT, the day clocks went forward.
        start: "2024-03-10T13:00:00.000Z",
        end: "2024-03-10T15:30:00.000Z",
        duration_seconds: 9000,
        billable: true,
        hourly_rate: 15_000,
      },
      expect.objectContaining({
        ...carla,
        task: "Review",
        start: "2024-03-10T15:30:00.000Z",
        hourly_rate: 15_000,
      }),
      expect.objectContaining({
        email: "carla@example.com",
        project: "Internal",
        task: "Admin",
        start: "2024-03-10T16:15:00.000Z",
        end: "2024-03-10T16:30:00.000Z",
        billable: false,
        hourly_rate: null,
      }),
      expect.objectContaining({
        // "Frank  Miller" with two spaces is the file's "Frank Miller".
        email: "frank@example.com",
        start: "2024-03-11T13:00:00.000Z",
        hourly_rate: 12_000,
      }),
    ]);
  });

  it("reads decimal commas, BOM and CRLF; hours across the autumn change in Helsinki", async () => {
    const done = await importFile("harvest-detailed-time-decimal-comma.csv", {
      source: "harvest",
      timezone: "Europe/Helsinki",
      mode: "valid_rows",
    });
    expect(importSummary(done)).toMatchObject({
      date_format: "DD.MM.YYYY",
      rows_imported: 2,
      rows_failed: 1,
      created: { clients: 1, projects: 1, tasks: 1, tags: 0 },
      rates_dropped: 2,
    });
    expect(await entriesNamed("ajax notifikaatio", "Sunday of the autumn change")).toEqual([
      expect.objectContaining({
        email: "esa@example.com",
        client: "Tuotekehitys",
        project: "Viestintä 2024",
        start: "2024-10-26T06:00:00.000Z",
        end: "2024-10-26T13:30:00.000Z",
      }),
      expect.objectContaining({
        start: "2024-10-27T07:00:00.000Z",
        end: "2024-10-28T03:00:00.000Z",
        duration_seconds: 72_000,
      }),
    ]);
  });
});

describe("import.time_entries dry run", () => {
  it("says what the import would create, writes nothing, and the real run then does exactly that", async () => {
    const params = { source: "harvest", timezone: "Europe/Berlin", mode: "valid_rows" };
    const csv = fixture("harvest-with-timestamps.csv").replace(/Relaunch,AC-1,Ops/g, "Relaunch 2,AC-2,Ops");
    const state = await importedState(t.db, owner.orgId);
    const dry = await jobs.create(owner.accessToken, "import.time_entries", {
      csv,
      ...params,
      dry_run: true,
    });
    const predicted = await jobs.finished(owner.accessToken, dry.id);
    expect(predicted.status).toBe("succeeded");
    expect(importSummary(predicted)).toMatchObject({
      dry_run: true,
      rows_imported: 3,
      rows_skipped: 0,
      rows_failed: 0,
      created: { clients: 0, projects: 1, tasks: 1, tags: 0 },
    });
    expect(await importedState(t.db, owner.orgId)).toEqual(state);

    const real = await jobs.create(owner.accessToken, "import.time_entries", { csv, ...params });
    const done = await jobs.finished(owner.accessToken, real.id);
    expect({ ...importSummary(done), dry_run: true }).toEqual(importSummary(predicted));
    const imported = (await entriesByName(t.db, owner.orgId)).filter(
      (entry) => entry.project === "Relaunch 2",
    );
    expect(imported).toMatchObject([
      { email: "anna@example.com", project: "Relaunch 2", task: "Ops", start: "2024-10-27T00:10:00.000Z" },
      { start: "2024-10-28T12:15:00.000Z", end: "2024-10-28T13:30:00.000Z" },
      { start: "2024-10-28T15:00:00.000Z", end: "2024-10-28T15:30:00.000Z" },
    ]);
  });
});

describe("import.time_entries of Voltasis's own CSV", () => {
  const importCsv = async (csv: string) => {
    const job = await jobs.create(owner.accessToken, "import.time_entries", { csv });
    return importSummary(await jobs.finished(owner.accessToken, job.id));
  };

  it("is fingerprinted too: by content, two identical rows being two entries", async () => {
    const row = "2024-08-01T09:00:00Z,2024-08-01T10:00:00Z,Own file";
    const csv = `start,end,description\n${row}\n${row}\n`;
    expect(await importCsv(csv)).toMatchObject({ source: "voltasis", rows_imported: 2, rows_skipped: 0 });
    expect(await importCsv(csv)).toMatchObject({ rows_imported: 0, rows_skipped: 2 });
    expect(await entriesNamed("Own file")).toHaveLength(2);
  });

  it("by the id column when the file has one (an export read back), whatever else changed", async () => {
    const id = "te_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
    const csv = (description: string) =>
      `id,start,end,description\n${id},2024-08-02T09:00:00Z,2024-08-02T10:00:00Z,${description}\n`;
    expect(await importCsv(csv("Exported"))).toMatchObject({ rows_imported: 1 });
    expect(await importCsv(csv("Edited in a spreadsheet"))).toMatchObject({
      rows_imported: 0,
      rows_skipped: 1,
    });
  });
});
