import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { entriesByName, importedState, importSummary, jobApi } from "./test-fixtures.js";

/** Names in a file are not a way around scopes, roles or organizations. */
let t: TestApp;
let owner: Account;
let jobs: ReturnType<typeof jobApi>;
let member: Awaited<ReturnType<typeof addMember>>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  jobs = jobApi(t.app);
  member = await addMember(t.app, owner.accessToken, { email: "mia@example.com", name: "Mia Member" });
  await addMember(t.app, owner.accessToken, { email: "olga@example.com", name: "Olga Other" });
  for (const [url, name] of [
    ["/v1/clients", "Known client"],
    ["/v1/projects", "Known project"],
    ["/v1/tags", "known tag"],
  ]) {
    const res = await call(t.app, owner.accessToken, { method: "POST", url, payload: { name } });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(() => t.close());

const CLOCKIFY_HEADER =
  "Project,Client,Description,Task,User,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Billable Rate (USD)";
/** A Clockify row of 2024-07-`day`, 09:00 to 10:00. */
function clockifyRow(day: number, cells: { email: string; project?: string; tags?: string; rate?: string }) {
  const date = `2024-07-${String(day).padStart(2, "0")}`;
  return [
    cells.project ?? "",
    "",
    `Work ${day}`,
    "",
    "",
    cells.email,
    cells.tags ?? "",
    "Yes",
    date,
    "09:00",
    date,
    "10:00",
    cells.rate ?? "",
  ].join(",");
}
const clockifyFile = (...rows: string[]) => `${CLOCKIFY_HEADER}\n${rows.join("\n")}\n`;

async function importAs(token: string, csv: string, extra: Record<string, unknown> = {}) {
  const job = await jobs.create(token, "import.time_entries", {
    csv,
    source: "clockify",
    timezone: "UTC",
    mode: "valid_rows",
    ...extra,
  });
  return importSummary(await jobs.finished(token, job.id));
}

describe("import.time_entries: creating names needs their scopes", () => {
  it("a key without write:projects and write:tags imports onto known names; rows naming new ones are errors", async () => {
    const key = await createKey(t.app, owner.accessToken, {
      scopes: ["write:jobs", "read:jobs", "write:time-entries", "write:clients", "write:tasks"],
    });
    const state = await importedState(t.db, owner.orgId);
    const summary = await importAs(
      key.secret,
      clockifyFile(
        clockifyRow(1, { email: "mia@example.com", project: "KNOWN PROJECT", tags: "Known Tag" }),
        clockifyRow(2, { email: "mia@example.com", project: "Unheard-of project" }),
        clockifyRow(3, { email: "mia@example.com", tags: '"known tag, fresh tag"' }),
      ),
    );
    expect(summary).toMatchObject({
      rows_imported: 1,
      created: { clients: 0, projects: 0, tasks: 0, tags: 0 },
      errors: [
        {
          row: 3,
          field: "project",
          reason: "insufficient_scope",
          message:
            'Project "Unheard-of project" does not exist here, and creating it needs the scope write:projects, ' +
            "which the job's credential lacks",
        },
        {
          row: 4,
          field: "tags",
          reason: "insufficient_scope",
          message: expect.stringContaining("write:tags"),
        },
      ],
    });
    const after = await importedState(t.db, owner.orgId);
    expect({ ...after, time_entries: [], fingerprints: [] }).toEqual({
      ...state,
      time_entries: [],
      fingerprints: [],
    });
    expect(after.time_entries).toHaveLength(state.time_entries.length + 1);
  });
});

describe("import.time_entries by a member", () => {
  it("imports their own rows; another member's, new names and rates are refused; unknown people become theirs", async () => {
    const summary = await importAs(
      member.accessToken,
      clockifyFile(
        clockifyRow(10, { email: "MIA@example.com", project: "Known project" }),
        clockifyRow(11, { email: "olga@example.com" }),
        clockifyRow(12, { email: "mia@example.com", project: "Members cannot make this" }),
        clockifyRow(13, { email: "mia@example.com", rate: "90.00" }),
        clockifyRow(14, { email: "stranger@example.com" }),
      ),
      { unknown_people: "import_as_me" },
    );
    expect(summary).toMatchObject({
      rows_imported: 2,
      errors: [
        { row: 3, field: "person", reason: "not_owner" },
        {
          row: 4,
          field: "project",
          reason: "insufficient_scope",
          message: expect.stringContaining("write:projects"),
        },
        { row: 5, field: "hourly_rate", reason: "rates_not_allowed" },
      ],
    });
    const mine = (await entriesByName(t.db, owner.orgId)).filter((e) => /^Work 1\d$/.test(e.description));
    expect(mine).toMatchObject([
      { description: "Work 10", email: "mia@example.com", project: "Known project" },
      { description: "Work 14", email: "mia@example.com", project: null },
    ]);
  });
});

describe("import.time_entries in another organization", () => {
  it("never matches this organization's names or people", async () => {
    const other = await registerAccount(t.app);
    const summary = await importAs(
      other.accessToken,
      clockifyFile(
        clockifyRow(20, { email: other.email, project: "Known project", tags: "known tag" }),
        clockifyRow(21, { email: "mia@example.com" }),
      ),
    );
    // Their own "Known project" and tag, made anew: this organization's are invisible to them.
    expect(summary).toMatchObject({
      rows_imported: 1,
      created: { clients: 0, projects: 1, tasks: 0, tags: 1 },
      errors: [{ row: 3, field: "person", reason: "not_found" }],
    });
    const theirs = await entriesByName(t.db, other.orgId);
    const project = await t.db
      .selectFrom("time_entries as te")
      .innerJoin("projects as p", "p.id", "te.project_id")
      .select("p.organization_id")
      .where("te.organization_id", "=", other.orgId)
      .execute();
    expect(theirs).toMatchObject([{ description: "Work 20", project: "Known project", tags: ["known tag"] }]);
    expect(project).toEqual([{ organization_id: other.orgId }]);
    expect((await entriesByName(t.db, owner.orgId)).some((e) => e.description === "Work 21")).toBe(false);
  });
});
