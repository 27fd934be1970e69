import { sql } from "kysely";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { Background } from "../../platform/background/runner.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, ForbiddenError, ValidationError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { seesEveryone } from "../time-entries/writes.js";
import { toJob } from "./format.js";
import { checkHeader } from "./import.js";
import type { CreateJobBody, ExportParams, ImportParams, Job } from "./schemas.js";
import { createJobStore, type JobRow } from "./store.js";
import { JOBS_CHANNEL, JOBS_TASK } from "./worker.js";

/** What the job needs beside its params, checked now so that a mistake is a 400 rather than a failed job. */
function prepare(principal: Principal, body: CreateJobBody): { params: object; input: string | null } {
  if (body.type === "export.time_entries") {
    const params = body.params as ExportParams;
    if (
      typeof params.from === "string" &&
      typeof params.to === "string" &&
      Date.parse(params.from) > Date.parse(params.to)
    ) {
      throw new ValidationError("params.to", "to must not be before from", "invalid_range");
    }
    return { params, input: null };
  }
  // An import writes time entries: it takes the right to write them besides write:jobs.
  if (!principal.allowed.has("write:time-entries")) {
    throw new ForbiddenError("Importing time entries needs the scope write:time-entries", {
      reason: "insufficient_scope",
      required_scope: "write:time-entries",
    });
  }
  const { csv, mode } = body.params as ImportParams;
  checkHeader(csv);
  // The file waits in jobs.input until the job has run; params keep only what the API shows.
  return { params: { mode: mode ?? "all_or_nothing" }, input: csv };
}

export function createJobService(deps: { db: Db; background: Background }) {
  const { db } = deps;

  /** The job if the caller may see it: 403 for another organization's, or another member's. */
  async function findVisible(ctx: OrgContext, principal: Principal, id: string): Promise<JobRow> {
    const row = await createJobStore(db).find(ctx, id);
    if (!row) return notFoundOrForeign(db, ctx, "jobs", "id", id, "job");
    if (row.created_by !== principal.user.id && !seesEveryone(principal)) {
      throw new ForbiddenError("Members can only see their own jobs", { reason: "not_owner" });
    }
    return row;
  }

  return {
    async create(ctx: OrgContext, principal: Principal, body: CreateJobBody): Promise<Job> {
      const { params, input } = prepare(principal, body);
      const job = await db.transaction().execute(async (trx) => {
        const store = createJobStore(trx);
        const id = newId("job");
        await store.insert(ctx, { id, type: body.type, params, input, createdBy: principal.user.id });
        const created = toJob((await store.find(ctx, id)) as JobRow);
        await recordEvent(trx, ctx, {
          name: "job.created",
          resourceType: "job",
          resourceId: id,
          actorId: principal.user.id,
          data: created,
        });
        // Reaches every process's worker once this commits, so any of them may take the job.
        await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(trx);
        return created;
      });
      deps.background.wake(JOBS_TASK);
      return job;
    },

    async list(ctx: OrgContext, principal: Principal, query: Record<string, unknown>) {
      const onlyUserId = seesEveryone(principal) ? undefined : principal.user.id;
      const { rows, pagination } = await createJobStore(db).list(ctx, query, onlyUserId);
      return { items: rows.map(toJob), pagination };
    },

    async get(ctx: OrgContext, principal: Principal, id: string): Promise<Job> {
      return toJob(await findVisible(ctx, principal, id));
    },

    /** The export's file, or an import's full report; 409 until there is one. */
    async result(ctx: OrgContext, principal: Principal, id: string) {
      const job = await findVisible(ctx, principal, id);
      if (job.status === "queued" || job.status === "running") {
        throw new ConflictError(
          `The job is ${job.status}: its result is ready once it has succeeded`,
          "job_not_finished",
          {
            status: job.status,
          },
        );
      }
      const file = await createJobStore(db).resultFile(ctx, id);
      if (!file?.result_file || !file.result_content_type) {
        throw new ConflictError("The job failed and has no result; its error says why", "job_failed", {
          status: job.status,
        });
      }
      const extension = file.result_content_type.startsWith("text/csv") ? "csv" : "json";
      const name = job.type === "export.time_entries" ? "time-entries" : "import-report";
      return {
        body: file.result_file,
        contentType: file.result_content_type,
        filename: `${name}-${job.id}.${extension}`,
      };
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
