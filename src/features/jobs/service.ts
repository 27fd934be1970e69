import { Readable } from "node:stream";
import { sql } from "kysely";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { FineScope } from "../../platform/auth/scopes.js";
import type { Background } from "../../platform/background/runner.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, ForbiddenError, ValidationError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { seesEveryone } from "../time-entries/writes.js";
import { toJob } from "./format.js";
import {
  type CreateJobBody,
  type ExportParams,
  type ImportParams,
  type ImportSettings,
  type Job,
  MAX_UNFINISHED_PER_CREDENTIAL,
} from "./schemas.js";
import { checkFile } from "./sources/index.js";
import { createJobStore, type JobRow } from "./store.js";
import { JOBS_CHANNEL, JOBS_TASK } from "./worker.js";

/** SPEC §3: a job reads or writes data, so it takes the scopes of that data besides `write:jobs`. */
function requireScope(principal: Pick<Principal, "allowed">, scope: FineScope, what: string) {
  if (principal.allowed.has(scope)) return;
  throw new ForbiddenError(`${what} needs the scope ${scope}`, {
    reason: "insufficient_scope",
    required_scope: scope,
  });
}

/** Options that only foreign exports take: Voltasis's own CSV has offsets and ISO dates. */
const FOREIGN_ONLY = ["timezone", "date_format"] as const;

/**
 * An import's file and options, checked now so that a wrong header, time zone or option is a
 * 400 at once; the rows are read when the job runs. The time zone defaults to the organization's.
 */
async function prepareImport(db: Db, ctx: OrgContext, params: ImportParams): Promise<ImportSettings> {
  const source = params.source ?? "voltasis";
  if (source === "voltasis") {
    const given = FOREIGN_ONLY.find((name) => params[name] !== undefined);
    if (given) {
      throw new ValidationError(
        `params.${given}`,
        `${given} is for other products' exports; a Voltasis file's times carry their offset`,
        "not_applicable",
      );
    }
  }
  const timeZone =
    source === "voltasis" ? "UTC" : (params.timezone ?? (await createJobStore(db).timezone(ctx)));
  const checked = checkFile(source, params.csv, { timeZone, dateFormat: params.date_format });
  return {
    mode: params.mode ?? "all_or_nothing",
    source,
    unknown_people: params.unknown_people ?? "report",
    dry_run: params.dry_run ?? false,
    ...(source !== "voltasis" && { timezone: checked.timeZone }),
    ...(checked.dateFormat && { date_format: checked.dateFormat }),
  };
}

/** What the job needs beside its params, checked now so that a mistake is a 400 rather than a failed job. */
async function prepare(
  db: Db,
  ctx: OrgContext,
  principal: Principal,
  body: CreateJobBody,
): Promise<{ params: object; input: string | null }> {
  if (body.type === "export.time_entries") {
    requireScope(principal, "read:time-entries", "Exporting time entries");
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
  requireScope(principal, "write:time-entries", "Importing time entries");
  const params = body.params as ImportParams;
  // The file waits in jobs.input until the job has run; params keep only what the API shows.
  return { params: await prepareImport(db, ctx, params), input: params.csv };
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
      const { params, input } = await prepare(db, ctx, principal, body);
      const job = await db.transaction().execute(async (trx) => {
        const store = createJobStore(trx);
        // Concurrent creations by one credential serialize here, so the cap below holds exactly.
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`jobs:${principal.credentialId}`}))`.execute(trx);
        if ((await store.countUnfinished(ctx, principal.credentialId)) >= MAX_UNFINISHED_PER_CREDENTIAL) {
          throw new ConflictError(
            `This credential already has ${MAX_UNFINISHED_PER_CREDENTIAL} queued or running jobs; ` +
              "wait for some to finish",
            "too_many_jobs",
            { limit: MAX_UNFINISHED_PER_CREDENTIAL },
          );
        }
        const id = newId("job");
        await store.insert(ctx, {
          id,
          type: body.type,
          params,
          input,
          createdBy: principal.user.id,
          credentialId: principal.credentialId,
          // The job runs later, without this request: it keeps what this credential may do.
          scopes: [...principal.allowed],
        });
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

    /**
     * The export's file, or an import's full report, as a stream of its stored pieces; 409 until
     * there is one. An export is time-entry data: downloading it needs `read:time-entries` too.
     */
    async result(ctx: OrgContext, principal: Principal, id: string) {
      const job = await findVisible(ctx, principal, id);
      if (job.type === "export.time_entries") {
        requireScope(principal, "read:time-entries", "Downloading an export of time entries");
      }
      if (job.status === "queued" || job.status === "running") {
        throw new ConflictError(
          `The job is ${job.status}: its result is ready once it has succeeded`,
          "job_not_finished",
          {
            status: job.status,
          },
        );
      }
      const store = createJobStore(db);
      const contentType = await store.resultContentType(ctx, id);
      if (!contentType) {
        throw new ConflictError("The job failed and has no result; its error says why", "job_failed", {
          status: job.status,
        });
      }
      const extension = contentType.startsWith("text/csv") ? "csv" : "json";
      const name = job.type === "export.time_entries" ? "time-entries" : "import-report";
      async function* pieces() {
        for (let seq = 0; ; seq++) {
          const data = await store.resultChunk(ctx, id, seq);
          if (data === undefined) return;
          yield data;
        }
      }
      return { body: Readable.from(pieces()), contentType, filename: `${name}-${job.id}.${extension}` };
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
