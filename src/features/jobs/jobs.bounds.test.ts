import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { at } from "../time-entries/test-fixtures.js";
import { MAX_RUNNING_PER_CREDENTIAL, MAX_UNFINISHED_PER_CREDENTIAL } from "./schemas.js";
import { jobApi } from "./test-fixtures.js";
import { JOBS_CHANNEL } from "./worker.js";

/**
 * Bounded work (the hardening issue): a cap on one credential's unfinished jobs, fairness across
 * organizations, a cap on one credential's running jobs, and row caps. This app runs no workers,
 * so jobs stay queued until a test starts a worker process (`anotherProcess`).
 */
let t: TestApp;
let a: Account;
let b: Account;
let jobs: ReturnType<typeof jobApi>;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
  a = await registerAccount(t.app);
  b = await registerAccount(t.app);
  jobs = jobApi(t.app);
});
afterAll(() => t.close());

const EXPORT = { type: "export.time_entries", params: { format: "csv" } };
const statusOf = async (id: string) =>
  (await t.db.selectFrom("jobs").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;

describe("jobs: bounds", () => {
  it(`one credential has at most ${MAX_UNFINISHED_PER_CREDENTIAL} unfinished jobs; others of the organization are not held back`, async () => {
    const key = await createKey(t.app, a.accessToken, { scopes: ["admin"] });
    const created = await Promise.all(
      Array.from({ length: MAX_UNFINISHED_PER_CREDENTIAL + 5 }, () =>
        call(t.app, key.secret, { method: "POST", url: "/v1/jobs", payload: EXPORT }),
      ),
    );
    const statuses = created.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 202)).toHaveLength(MAX_UNFINISHED_PER_CREDENTIAL);
    const refused = created.filter((res) => res.statusCode !== 202);
    expect(refused).toHaveLength(5);
    for (const res of refused) {
      expect(expectError(res, 409, "CONFLICT").details).toEqual({
        reason: "too_many_jobs",
        limit: MAX_UNFINISHED_PER_CREDENTIAL,
      });
    }
    const count = await t.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("credential_id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(MAX_UNFINISHED_PER_CREDENTIAL);
    // The owner's session is another credential: not affected.
    expect(
      (await call(t.app, a.accessToken, { method: "POST", url: "/v1/jobs", payload: EXPORT })).statusCode,
    ).toBe(202);
  });

  it("fair across organizations: one organization's queue does not hold another's export", async () => {
    // Organization A's hundred queued jobs (previous test) came first; B's single export comes last.
    const bJob = await jobs.create(b.accessToken, "export.time_entries", { format: "csv" });
    const worker = await t.anotherProcess({ VOLTASIS_WORKERS: "on" });
    await vi.waitFor(async () => expect(await statusOf(bJob.id)).toBe("succeeded"), { timeout: 30_000 });
    const aLeft = await t.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("organization_id", "=", a.orgId)
      .where("status", "=", "queued")
      .executeTakeFirstOrThrow();
    // B was served second or third, not after A's hundred.
    expect(Number(aLeft.n)).toBeGreaterThan(90);
    await worker.close();
  });

  it(`a credential runs at most ${MAX_RUNNING_PER_CREDENTIAL} jobs at once; its next waits while others run`, async () => {
    const org = await registerAccount(t.app);
    const busy = await createKey(t.app, org.accessToken, { scopes: ["admin"] });
    const other = await createKey(t.app, org.accessToken, { scopes: ["admin"] });
    const running = [];
    for (let i = 0; i < MAX_RUNNING_PER_CREDENTIAL; i++) {
      running.push((await jobs.create(busy.secret, "export.time_entries", { format: "csv" })).id);
    }
    const waiting = (await jobs.create(busy.secret, "export.time_entries", { format: "csv" })).id;
    const next = (await jobs.create(other.secret, "export.time_entries", { format: "csv" })).id;
    // As if two workers held the busy key's first jobs right now.
    await t.db
      .updateTable("jobs")
      .set({ status: "running", attempts: 1, locked_until: new Date(Date.now() + 60_000) })
      .where("id", "in", running)
      .execute();
    // Everything else of the earlier tests is out of the way, so only these two can be claimed.
    await t.db
      .updateTable("jobs")
      .set({ status: "failed" })
      .where("organization_id", "<>", org.orgId)
      .execute();
    const worker = await t.anotherProcess({ VOLTASIS_WORKERS: "on" });
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(t.db);
    await vi.waitFor(async () => expect(await statusOf(next)).toBe("succeeded"), { timeout: 30_000 });
    expect(await statusOf(waiting)).toBe("queued");
    await t.db.updateTable("jobs").set({ status: "failed" }).where("id", "in", running).execute();
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(t.db);
    await vi.waitFor(async () => expect(await statusOf(waiting)).toBe("succeeded"), { timeout: 30_000 });
    await worker.close();
  });
});

describe("jobs: row caps", () => {
  it("an import of more rows than one job takes fails and imports nothing", async () => {
    const org = await registerAccount(t.app);
    const rows = Array.from({ length: 100_001 }, () => `${at(1)},${at(2)}`).join("\n");
    const job = await jobs.create(org.accessToken, "import.time_entries", { csv: `start,end\n${rows}\n` });
    const worker = await t.anotherProcess({ VOLTASIS_WORKERS: "on" });
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(t.db);
    const done = await jobs.finished(org.accessToken, job.id, 60_000);
    expect(done.status).toBe("failed");
    expect(done.error).toEqual({
      code: "too_many_rows",
      message: expect.stringContaining("at most 100000"),
    });
    const entries = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("organization_id", "=", org.orgId)
      .execute();
    expect(entries).toEqual([]);
    await worker.close();
  });
});
