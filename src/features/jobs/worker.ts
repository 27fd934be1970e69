import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { effectiveScopes, isScope, roleScopes } from "../../platform/auth/scopes.js";
import type { Clock } from "../../platform/background/clock.js";
import type { BackgroundTask } from "../../platform/background/runner.js";
import type { Db } from "../../platform/db/connection.js";
import { ApiError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import type { WorkerDeps } from "../../platform/feature.js";
import { type OrgContext, systemOrgContext } from "../../platform/tenancy.js";
import { runExport } from "./export.js";
import { toJob } from "./format.js";
import { runImport } from "./import.js";
import type { ExportParams, ImportSettings } from "./schemas.js";
import { createJobQueue, createJobStore, type JobRow } from "./store.js";

/** Workers LISTEN here; POST /v1/jobs notifies it in its transaction. */
export const JOBS_CHANNEL = "voltasis_jobs";
export const JOBS_TASK = "jobs";

/** A claim lasts this long and every progress report renews it; a dead worker's job is retried after it. */
export const JOB_LEASE_MS = 2 * 60_000;
/** A job whose worker died this many times (a poison file) fails instead of being tried again. */
export const MAX_JOB_ATTEMPTS = 3;
// Claims run out by the clock, so an idle worker looks again now and then even without a NOTIFY.
const IDLE_MS = 15_000;

/** This attempt no longer holds the job: another worker took it over after the claim ran out. */
class ClaimLost extends Error {}

type Outcome = {
  status: "succeeded" | "failed";
  result: unknown;
  error: { code: string; message: string } | null;
  /** A small file written now as the only piece (an import's report). */
  file?: { text: string; contentType: string };
  /** The type of the pieces the attempt has already written (an export, page by page). */
  contentType?: string;
};

export function createJobWorker(deps: { db: Db; clock: Clock; log: FastifyBaseLogger }): BackgroundTask {
  const { db, clock } = deps;
  const queue = createJobQueue(db);

  /** Writes the outcome and its job.* event in `trx`, if this attempt still holds the job. */
  async function complete(trx: Db, ctx: OrgContext, job: JobRow, attempt: number, outcome: Outcome) {
    const store = createJobStore(trx);
    const { file, ...rest } = outcome;
    if (file) await store.writeChunk(ctx, job.id, attempt, 0, file.text);
    const contentType = file?.contentType ?? outcome.contentType;
    if (!(await store.finish(ctx, job.id, attempt, { ...rest, contentType, at: clock.now() }))) {
      throw new ClaimLost();
    }
    const data = toJob((await store.find(ctx, job.id)) as JobRow);
    await recordEvent(trx, ctx, {
      name: `job.${outcome.status}`,
      resourceType: "job",
      resourceId: job.id,
      actorId: job.created_by,
      data,
    });
  }

  async function run(ctx: OrgContext, job: JobRow, attempt: number) {
    const store = createJobStore(db);
    const progress = async (percent: number) => {
      const lease = new Date(clock.now().getTime() + JOB_LEASE_MS);
      if (!(await store.progress(ctx, job.id, attempt, percent, lease))) throw new ClaimLost();
    };
    const fail = (code: string, message: string) =>
      db
        .transaction()
        .execute((trx) =>
          complete(trx, ctx, job, attempt, { status: "failed", result: null, error: { code, message } }),
        );

    if (attempt > MAX_JOB_ATTEMPTS) {
      return fail("abandoned", `The job stopped unfinished ${MAX_JOB_ATTEMPTS} times; it is not tried again`);
    }
    // The job acts with its creator's rights as they are now: a member who left runs nothing.
    const role = job.created_by ? await store.activeRole(ctx, job.created_by) : undefined;
    if (!job.created_by || !role) {
      return fail("creator_not_member", "The user who created the job is no longer an active member");
    }
    // Never more than the creating credential could do, nor than the creator's role allows now.
    const held = (job.scopes ?? roleScopes(role)).filter(isScope);
    const actor = { userId: job.created_by, role, allowed: effectiveScopes(held, role) };
    if (job.type === "export.time_entries") {
      const outcome = await runExport({
        db,
        ctx,
        actor,
        params: job.params as ExportParams,
        progress,
        save: (trx, seq, data) => createJobStore(trx).writeChunk(ctx, job.id, attempt, seq, data),
      });
      return db
        .transaction()
        .execute((trx) => complete(trx, ctx, job, attempt, { status: "succeeded", error: null, ...outcome }));
    }
    const csv = (await store.input(ctx, job.id)) ?? "";
    return runImport({
      db,
      ctx,
      actor,
      jobId: job.id,
      csv,
      settings: job.params as ImportSettings,
      progress,
      complete: (trx, outcome) => complete(trx, ctx, job, attempt, outcome),
    });
  }

  return {
    name: JOBS_TASK,
    channel: JOBS_CHANNEL,
    idleMs: IDLE_MS,
    async runOnce() {
      const claimed = await queue.claim(clock.now(), JOB_LEASE_MS);
      if (!claimed) return 0;
      const ctx = systemOrgContext(claimed.organization_id);
      const job = await createJobStore(db).find(ctx, claimed.id);
      if (!job) return 1;
      try {
        await run(ctx, job, claimed.attempts);
      } catch (error) {
        if (error instanceof ClaimLost) return 1;
        // A refusal the job can explain (a file that cannot be read, a rule) is shown as it is;
        // anything else is logged, and the job says only that it failed.
        const known = error instanceof ApiError;
        if (!known) deps.log.error({ err: error, job: job.id }, "job failed");
        const code = known ? String(error.details?.reason ?? error.code.toLowerCase()) : "internal_error";
        const message = known ? error.message : "The job failed unexpectedly; quote its id when reporting it";
        await db
          .transaction()
          .execute((trx) =>
            complete(trx, ctx, job, claimed.attempts, {
              status: "failed",
              result: null,
              error: { code, message },
            }),
          )
          .catch((cause) => {
            if (!(cause instanceof ClaimLost)) throw cause;
          });
      }
      return 1;
    },
  };
}

/** Once per process (app.ts): any process may run any organization's queued jobs. */
export function registerJobWorker(app: FastifyInstance, deps: WorkerDeps): void {
  deps.background.register(createJobWorker({ db: deps.db, clock: deps.clock, log: app.log }));
}
