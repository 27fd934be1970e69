import { parse } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { expect, vi } from "vitest";
import { call } from "../../../test/helpers/fixtures.js";
import type { Db } from "../../platform/db/connection.js";
import type { Job } from "./schemas.js";

/** Requests about jobs on behalf of one token, and a bounded wait for a job to finish. */
export function jobApi(app: FastifyInstance) {
  return {
    async create(token: string, type: string, params: Record<string, unknown>) {
      const res = await call(app, token, { method: "POST", url: "/v1/jobs", payload: { type, params } });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().data as Job;
    },

    get: (token: string, id: string) => call(app, token, { method: "GET", url: `/v1/jobs/${id}` }),
    result: (token: string, id: string) => call(app, token, { method: "GET", url: `/v1/jobs/${id}/result` }),

    /** Polls GET /v1/jobs/{id} until the job has succeeded or failed (at most `timeoutMs`). */
    async finished(token: string, id: string, timeoutMs = 30_000): Promise<Job> {
      return vi.waitFor(
        async () => {
          const res = await call(app, token, { method: "GET", url: `/v1/jobs/${id}` });
          const job = res.json().data as Job;
          if (job.status !== "succeeded" && job.status !== "failed") throw new Error(`job is ${job.status}`);
          return job;
        },
        { timeout: timeoutMs, interval: 50 },
      );
    },
  };
}

/** A CSV text as records of named cells. */
export const csvRecords = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

/** An import's result summary (fails the test for any other kind of job). */
export function importSummary(job: Job) {
  const result = job.result;
  if (!result || !("errors" in result)) throw new Error(`not an import result: ${JSON.stringify(result)}`);
  return result;
}

/** Everything an import may write in an organization, to show that a run wrote nothing. */
export async function importedState(db: Db, orgId: string) {
  const ids = async (table: "clients" | "projects" | "tasks" | "tags" | "time_entries") =>
    (
      await db.selectFrom(table).select("id").where("organization_id", "=", orgId).orderBy("id").execute()
    ).map((row) => row.id);
  const fingerprints = await db
    .selectFrom("import_fingerprints")
    .select("fingerprint")
    .where("organization_id", "=", orgId)
    .orderBy("fingerprint")
    .execute();
  // Jobs raise their own events whatever they do; the import's are about what it created.
  const events = await db
    .selectFrom("events")
    .select("id")
    .where("organization_id", "=", orgId)
    .where("resource_type", "<>", "job")
    .orderBy("id")
    .execute();
  return {
    clients: await ids("clients"),
    projects: await ids("projects"),
    tasks: await ids("tasks"),
    tags: await ids("tags"),
    time_entries: await ids("time_entries"),
    fingerprints: fingerprints.map((row) => row.fingerprint),
    events: events.map((row) => row.id),
  };
}

/** An organization's entries with names instead of ids, oldest first, for assertions on imports. */
export async function entriesByName(db: Db, orgId: string) {
  const rows = await db
    .selectFrom("time_entries as te")
    .innerJoin("users as u", "u.id", "te.user_id")
    .leftJoin("projects as p", "p.id", "te.project_id")
    .leftJoin("clients as c", "c.id", "p.client_id")
    .leftJoin("tasks as k", "k.id", "te.task_id")
    .select([
      "te.description",
      "te.start_at",
      "te.end_at",
      "te.duration_seconds",
      "te.billable",
      "te.hourly_rate",
      "u.email",
      "p.name as project",
      "c.name as client",
      "k.title as task",
      sql<string[]>`array(SELECT g.name FROM time_entry_tags tt JOIN tags g ON g.id = tt.tag_id
        WHERE tt.time_entry_id = te.id ORDER BY g.name)`.as("tags"),
    ])
    .where("te.organization_id", "=", orgId)
    .orderBy("te.start_at")
    .orderBy("te.description")
    .execute();
  return rows.map(({ start_at, end_at, ...row }) => ({
    ...row,
    start: start_at.toISOString(),
    end: end_at?.toISOString() ?? null,
  }));
}
