import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { at, timeFixtures } from "../time-entries/test-fixtures.js";
import { csvRecords, jobApi } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let jobs: ReturnType<typeof jobApi>;
let fx: ReturnType<typeof timeFixtures>;
let member: Awaited<ReturnType<typeof memberWithToken>>;
let ownerJobId = "";
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  jobs = jobApi(t.app);
  fx = timeFixtures(t.app, t.db);
  member = await memberWithToken(t.app, owner.accessToken, "member");
  await fx.entry(owner.accessToken, { start: at(1), duration: 600, description: "Owner's secret work" });
  await fx.entry(member.accessToken, { start: at(2), duration: 600, description: "Member's work" });
  ownerJobId = (await jobs.create(owner.accessToken, "export.time_entries", { format: "csv" })).id;
  await jobs.finished(owner.accessToken, ownerJobId);
});
afterAll(() => t.close());

const EXPORT = { type: "export.time_entries", params: { format: "csv" } };
const IMPORT = { type: "import.time_entries", params: { csv: `start,end\n${at(50)},${at(51)}\n` } };

describe("jobs: credentials and scopes", () => {
  it("every route needs a credential", async () => {
    for (const [method, url] of [
      ["POST", "/v1/jobs"],
      ["GET", "/v1/jobs"],
      ["GET", `/v1/jobs/${ownerJobId}`],
      ["GET", `/v1/jobs/${ownerJobId}/result`],
    ] as const) {
      const res = await call(t.app, null, { method, url, payload: method === "POST" ? EXPORT : undefined });
      expectError(res, 401, "UNAUTHORIZED");
    }
  });

  it("creating needs write:jobs, reading read:jobs, and an export's file the right to read time entries", async () => {
    const reader = await createKey(t.app, owner.accessToken, { scopes: ["read:jobs"] });
    const res = await call(t.app, reader.secret, { method: "POST", url: "/v1/jobs", payload: EXPORT });
    expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
      reason: "insufficient_scope",
      required_scope: "write:jobs",
    });
    expect((await jobs.get(reader.secret, ownerJobId)).statusCode).toBe(200);
    const file = await jobs.result(reader.secret, ownerJobId);
    expect(expectError(file, 403, "FORBIDDEN").details).toEqual({
      reason: "insufficient_scope",
      required_scope: "read:time-entries",
    });
    expect(file.body).not.toContain("secret work");
    const entriesReader = await createKey(t.app, owner.accessToken, {
      scopes: ["read:jobs", "read:time-entries"],
    });
    expect((await jobs.result(entriesReader.secret, ownerJobId)).statusCode).toBe(200);

    const writer = await createKey(t.app, owner.accessToken, { scopes: ["write:jobs"] });
    const read = await jobs.get(writer.secret, ownerJobId);
    expect(expectError(read, 403, "FORBIDDEN").details).toMatchObject({ required_scope: "read:jobs" });
  });

  it("an export needs read:time-entries and an import write:time-entries, beside write:jobs", async () => {
    const jobsOnly = await createKey(t.app, owner.accessToken, { scopes: ["write:jobs", "read:jobs"] });
    const before = await t.db.selectFrom("jobs").select("id").execute();
    for (const [payload, scope] of [
      [EXPORT, "read:time-entries"],
      [IMPORT, "write:time-entries"],
    ] as const) {
      const res = await call(t.app, jobsOnly.secret, { method: "POST", url: "/v1/jobs", payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    expect(await t.db.selectFrom("jobs").select("id").execute()).toEqual(before);
    const both = await createKey(t.app, owner.accessToken, {
      scopes: ["write:jobs", "read:time-entries", "write:time-entries"],
    });
    for (const payload of [EXPORT, IMPORT]) {
      expect((await call(t.app, both.secret, { method: "POST", url: "/v1/jobs", payload })).statusCode).toBe(
        202,
      );
    }
  });

  it("an export carries e-mails only for a credential that may read users", async () => {
    const exportWith = async (scopes: string[]) => {
      const key = await createKey(t.app, owner.accessToken, {
        scopes: ["write:jobs", "read:jobs", ...scopes],
      });
      const job = await jobs.create(key.secret, "export.time_entries", { format: "csv" });
      expect((await jobs.finished(key.secret, job.id)).status).toBe("succeeded");
      return csvRecords((await jobs.result(key.secret, job.id)).body);
    };
    const without = await exportWith(["read:time-entries"]);
    expect(without.length).toBeGreaterThan(0);
    expect(without.every((row) => row.user_email === "")).toBe(true);
    const withUsers = await exportWith(["read:time-entries", "read:users"]);
    expect(withUsers.map((row) => row.user_email)).toContain(owner.email);
  });
});

describe("jobs: members act on their own", () => {
  it("a member's export holds only their own entries", async () => {
    const job = await jobs.create(member.accessToken, "export.time_entries", {
      format: "csv",
      user_id: owner.userId,
    });
    expect((await jobs.finished(member.accessToken, job.id)).result).toEqual({
      format: "csv",
      rows_exported: 0,
    });
    const all = await jobs.create(member.accessToken, "export.time_entries", { format: "csv" });
    await jobs.finished(member.accessToken, all.id);
    const body = (await jobs.result(member.accessToken, all.id)).body;
    expect(csvRecords(body).map((row) => row.description)).toEqual(["Member's work"]);
    expect(body).not.toContain("Owner's secret work");
  });

  it("a member sees only their own jobs: another's is a 403 not_owner, and not listed", async () => {
    for (const res of [
      await jobs.get(member.accessToken, ownerJobId),
      await jobs.result(member.accessToken, ownerJobId),
    ]) {
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "not_owner" });
      expect(res.body).not.toContain("Owner's secret work");
    }
    const listed = (await call(t.app, member.accessToken, { method: "GET", url: "/v1/jobs" })).json().data;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((job: { created_by: string }) => job.created_by === member.id)).toBe(true);
    const everyone = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/jobs" })).json().data;
    expect(everyone.some((job: { created_by: string }) => job.created_by === member.id)).toBe(true);
  });

  it("a member's import refuses rows of another user; their own rows go in", async () => {
    const csv = [
      "user_id,start,end,description",
      `${owner.userId},${at(60)},${at(61)},for the owner`,
      `,${at(62)},${at(63)},mine`,
      `${member.id},${at(64)},${at(65)},mine too`,
    ].join("\n");
    const job = await jobs.create(member.accessToken, "import.time_entries", { csv, mode: "valid_rows" });
    const done = await jobs.finished(member.accessToken, job.id);
    expect(done.result).toMatchObject({
      rows_imported: 2,
      rows_failed: 1,
      errors: [{ row: 2, field: "user_id", reason: "not_owner", message: expect.any(String) }],
    });
    const mine = await t.db
      .selectFrom("time_entries")
      .select(["user_id", "description"])
      .where("description", "in", ["for the owner", "mine", "mine too"])
      .orderBy("start_at")
      .execute();
    expect(mine).toEqual([
      { user_id: member.id, description: "mine" },
      { user_id: member.id, description: "mine too" },
    ]);
  });
});

describe("jobs: other organizations", () => {
  it("another organization's job is a 403 on read and result, and never listed", async () => {
    const other = await registerAccount(t.app);
    for (const res of [
      await jobs.get(other.accessToken, ownerJobId),
      await jobs.result(other.accessToken, ownerJobId),
    ]) {
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
      expect(res.body).not.toContain(owner.orgId);
      expect(res.body).not.toContain("secret");
    }
    const listed = await call(t.app, other.accessToken, { method: "GET", url: "/v1/jobs" });
    expect(listed.json().data).toEqual([]);
  });

  it("an import cannot reach another organization's projects or users", async () => {
    const other = await registerAccount(t.app);
    const foreignProject = await fx.project(owner.orgId);
    const csv = [
      "user_id,project_id,start,end",
      `,${foreignProject},${at(70)},${at(71)}`,
      `${owner.userId},,${at(72)},${at(73)}`,
    ].join("\n");
    const job = await jobs.create(other.accessToken, "import.time_entries", { csv, mode: "valid_rows" });
    const done = await jobs.finished(other.accessToken, job.id);
    expect(done.result).toMatchObject({
      rows_imported: 0,
      errors: [
        { row: 2, field: "project_id", reason: "not_found" },
        { row: 3, field: "user_id", reason: "not_found" },
      ],
    });
    // An export of theirs holds none of this organization's entries.
    const exported = await jobs.create(other.accessToken, "export.time_entries", { format: "json" });
    await jobs.finished(other.accessToken, exported.id);
    expect((await jobs.result(other.accessToken, exported.id)).json()).toEqual([]);
  });
});
