/**
 * `voltasis export` and `voltasis import`: a file exported from one organization and imported into
 * another gives the same entries; dry runs, other products' files and refused rows; the progress
 * bar only at a terminal.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Job, Project, TimeEntry } from "@voltasis/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { type Account, cliSuite, hasScript, newAccount, voltasis } from "./harness.js";

const t = cliSuite({ homeFor: "file", login: true });
let grace: Account;
const run = (args: string[], options: { terminal?: boolean } = {}) => voltasis(t.home, args, options);
const file = (name: string) => path.join(t.home.dir, name);

beforeAll(async () => {
  grace = await newAccount(t.server.baseUrl, "grace");
  // Ada is a member of Grace's organization too: her CLI acts there with --org.
  const invitation = await grace.client.users.invite({ email: t.ada.email, role: "member" });
  await t.ada.client.invitations.accept({ token: invitation.token });
  for (const [day, description, billable] of [
    ["01", "Planning, with a comma", true],
    ["02", "=SUM(A1:A2) looks like a formula", false],
    ["03", "Review\nover two lines", true],
  ] as const) {
    await t.ada.client.timeEntries.create({
      start: `2024-05-${day}T09:00:00Z`,
      duration: 5400,
      description,
      billable,
    });
  }
});

/** What makes two entries the same time, whichever organization holds them. */
const essence = (entries: TimeEntry[]) =>
  entries
    .map(({ user_id, start, end, duration, description, billable, project_id, tag_ids }) => ({
      user_id,
      start,
      end,
      duration,
      description,
      billable,
      project_id,
      tag_ids,
    }))
    .sort((a, b) => a.start.localeCompare(b.start));

describe("export, then import into another organization", () => {
  it("gives the same entries; importing the file again skips every row", async () => {
    const exported = await run(["export", "--output", file("entries.csv")]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe("");
    expect(exported.stderr).toContain(`Exported 3 time entries to ${file("entries.csv")}`);
    expect(exported.stderr).not.toContain("Exporting"); // no progress bar outside a terminal
    expect(readFileSync(file("entries.csv"), "utf8").split("\n")[0]).toMatch(/^id,user_id,user_email,/);

    const imported = await run(["--org", grace.orgId, "import", file("entries.csv")]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^job\tjob_\w+\nstatus\tsucceeded\n/);
    expect(imported.stdout).toContain("\nimported\t3\n");
    expect(imported.stdout).toContain("\nfailed\t0\n");

    const mine = (await run(["entries", "list", "--json"])).json<TimeEntry[]>();
    const theirs = (await run(["--org", grace.orgId, "entries", "list", "--json"])).json<TimeEntry[]>();
    expect(mine).toHaveLength(3);
    expect(essence(theirs)).toEqual(essence(mine));
    expect(theirs.map((e) => e.id).filter((id) => mine.some((m) => m.id === id))).toEqual([]);

    const again = await run(["--org", grace.orgId, "import", file("entries.csv"), "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<Job>().result).toMatchObject({ rows_imported: 0, rows_skipped: 3 });
    expect((await run(["--org", grace.orgId, "entries", "list", "--json"])).json()).toHaveLength(3);
  });

  it("exports JSON to stdout: the entries as the API shows them", async () => {
    const result = await run(["export", "--format", "json", "--from", "2024-05-02T00:00:00Z"]);
    expect(result.code, result.stderr).toBe(0);
    const entries = result.json<TimeEntry[]>();
    expect(entries.map((e) => e.description)).toEqual([
      "=SUM(A1:A2) looks like a formula",
      "Review\nover two lines",
    ]);
  });

  it("--json with --output: the finished job on stdout, the file on disk", async () => {
    const result = await run(["export", "--json", "--output", file("again.csv")]);
    expect(result.json<Job>()).toMatchObject({
      status: "succeeded",
      result: { format: "csv", rows_exported: 3 },
    });
    expect(readFileSync(file("again.csv"), "utf8").trim().split("\n").length).toBeGreaterThan(3);
  });
});

describe("import", () => {
  it("--dry-run --source toggl: what would be created, and nothing is", async () => {
    writeFileSync(
      file("toggl.csv"),
      [
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags",
        `Ada,${t.ada.email},Northwind,Brand refresh,Logo,Sketches,Yes,2025-03-28,09:00:00,2025-03-28,11:30:00,02:30:00,design`,
        `Ada,${t.ada.email},,Internal admin,,Expenses,No,2025-03-31,16:00:00,2025-03-31,16:45:00,00:45:00,`,
      ].join("\n"),
    );
    const result = await run([
      "import",
      file("toggl.csv"),
      "--source",
      "toggl",
      "--timezone",
      "Europe/Berlin",
      "--dry-run",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("\ndry run\tyes\n");
    expect(result.stdout).toContain("\nwould import\t2\n");
    expect(result.stdout).toContain("\nwould create\t1 clients, 2 projects, 1 tasks, 1 tags\n");
    expect((await run(["projects", "list", "--json"])).json<Project[]>()).toEqual([]);
  });

  it("refused rows (all or nothing): the report and every row error, then exit 1 with the job's error", async () => {
    writeFileSync(
      file("bad.csv"),
      "start,end,description\n2025-03-03T09:00:00Z,2025-03-03T10:00:00Z,Fine\n2025-03-03T11:00:00Z,2025-03-03T10:00:00Z,Backwards\n",
    );
    const result = await run(["import", file("bad.csv")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("\nstatus\tfailed\n");
    expect(result.stdout).toContain("\n3\tend\tbefore_start\tend must not be before start\n");
    expect(result.stderr).toMatch(
      /^Error: 1 of 2 rows failed; nothing was imported.* \(rows_invalid, job_\w+\)\n$/,
    );
  });

  it("a file that cannot be read: exit 1 before any job", async () => {
    const result = await run(["import", file("missing.csv")]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(`Error: Cannot read ${file("missing.csv")}: ENOENT\n`);
  });
});

describe.skipIf(!hasScript)("at a terminal (util-linux script)", () => {
  it("export draws a progress bar on stderr, to 100 %", async () => {
    const result = await run(["export", "--output", file("tty.csv")], { terminal: true });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/Exporting [░█]+ 0% \| queued/);
    expect(result.stdout).toMatch(/Exporting █+ 100% \| succeeded/);
  });

  it("no bar with --json", async () => {
    const result = await run(["export", "--json", "--output", file("tty.json")], { terminal: true });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).not.toContain("Exporting");
    // stderr's line comes first: a terminal shows both streams as one.
    expect(result.stdout).toMatch(/^\S* Exported 3 time entries/);
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf("{")))).toMatchObject({
      status: "succeeded",
    });
  });
});
