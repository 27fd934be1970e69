import { sql } from "kysely";
import type { Clock } from "../../platform/background/clock.js";
import type { BackgroundTask } from "../../platform/background/runner.js";
import type { Db } from "../../platform/db/connection.js";
import type { WorkerDeps } from "../../platform/feature.js";
import { pruneExpiredOAuthRound } from "../oauth/prune.js";
import { LOG_RETENTION_DAYS, USAGE_RETENTION_DAYS } from "./schemas.js";

export const RETENTION_TASK = "retention";
const DAY_MS = 86_400_000;
/** SPEC §6 keeps events and logs 30 days; pruning once an hour keeps the overshoot under an hour. */
const RUN_EVERY_MS = 3_600_000;
/** Looks at the schedule this often; a run is claimed only when an hour has passed. */
const IDLE_MS = 60_000;
/** Rows per DELETE: each statement holds its locks briefly, however large the backlog. */
const BATCH_ROWS = 10_000;

export interface PruneResult {
  events: number;
  logs: number;
  deliveries: number;
  jobs: number;
  usage: number;
  idempotencyKeys: number;
  /** Expired OAuth authorization requests, codes and tokens (features/oauth/prune.ts). */
  oauth: number;
}

/**
 * The retention job: deletes what SPEC §6 keeps for 30 days (events, the request and audit log,
 * finished webhook deliveries with their attempts, finished jobs with their result files) and daily
 * key usage after about 400 days, and idempotency keys once their 24 hours are over. Finished jobs go whole, not only their files: a job is history of
 * the same kind as its events, and a job without its result would only answer "gone" later.
 *
 * It runs once an hour across all processes: the `scheduled_runs` row is claimed with FOR UPDATE
 * SKIP LOCKED and stamped in a short transaction, and the deletes run after it commits, each in
 * its own statement. A process that dies mid-run leaves the rest to the next hour's run.
 *
 * Like the webhook and job workers it works for every organization at once, so it takes no
 * OrgContext: it deletes only by age.
 */
export function createRetention(deps: { db: Db; clock: Clock }, options: { batchRows?: number } = {}) {
  const { db, clock } = deps;
  const batchRows = options.batchRows ?? BATCH_ROWS;

  /** True when this process won this hour's run. */
  async function claim(now: Date): Promise<boolean> {
    await db
      .insertInto("scheduled_runs")
      .values({ name: RETENTION_TASK, last_run_at: new Date(0) })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("scheduled_runs")
        .select("last_run_at")
        .where("name", "=", RETENTION_TASK)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      // Locked: another process is claiming this very moment.
      if (!row) return false;
      const since = now.getTime() - row.last_run_at.getTime();
      if (since >= 0 && since < RUN_EVERY_MS) return false;
      await trx
        .updateTable("scheduled_runs")
        .set({ last_run_at: now })
        .where("name", "=", RETENTION_TASK)
        .execute();
      return true;
    });
  }

  /** Repeats one bounded DELETE until a batch comes back short. */
  async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchRows) return total;
    }
  }

  const affected = (result: { numDeletedRows?: bigint; numAffectedRows?: bigint }) =>
    Number(result.numDeletedRows ?? result.numAffectedRows ?? 0);

  /** Deletes the rows of `table` whose `column` is before `cutoff`, in bounded batches. */
  function pruneOlder(
    table: "events" | "logs" | "webhook_deliveries" | "jobs",
    column: "created_at" | "completed_at" | "finished_at",
    cutoff: Date,
    options: { finishedOnly?: boolean } = {},
  ): Promise<number> {
    const finished = options.finishedOnly ? sql`AND status IN ('succeeded', 'failed')` : sql``;
    return inBatches(async () =>
      affected(
        await sql`
          DELETE FROM ${sql.table(table)} WHERE id IN (
            SELECT id FROM ${sql.table(table)}
            WHERE ${sql.ref(column)} < ${cutoff} ${finished}
            LIMIT ${batchRows})`.execute(db),
      ),
    );
  }

  async function prune(now: Date): Promise<PruneResult> {
    const cutoff = new Date(now.getTime() - LOG_RETENTION_DAYS * DAY_MS);
    const usageCutoff = new Date(now.getTime() - USAGE_RETENTION_DAYS * DAY_MS).toISOString().slice(0, 10);
    const events = await pruneOlder("events", "created_at", cutoff);
    const logs = await pruneOlder("logs", "created_at", cutoff);
    // Pending deliveries are still being retried (for up to about 3 days): only finished ones go.
    // Their attempts follow by ON DELETE CASCADE.
    const deliveries = await pruneOlder("webhook_deliveries", "completed_at", cutoff, { finishedOnly: true });
    const jobs = await pruneOlder("jobs", "finished_at", cutoff, { finishedOnly: true });
    const usage = await inBatches(async () =>
      affected(
        await sql`
          DELETE FROM api_key_usage_daily
          WHERE (api_key_id, day) IN (
            SELECT api_key_id, day FROM api_key_usage_daily WHERE day < ${usageCutoff}::date
            LIMIT ${batchRows})`.execute(db),
      ),
    );
    // Idempotency keys are kept 24 hours (SPEC §8); expired ones are dead weight.
    const idempotencyKeys = await inBatches(async () =>
      affected(
        await sql`
          DELETE FROM idempotency_keys WHERE (organization_id, credential_id, key) IN (
            SELECT organization_id, credential_id, key FROM idempotency_keys WHERE expires_at < ${now}
            LIMIT ${batchRows})`.execute(db),
      ),
    );
    // Expired OAuth requests, codes and tokens (issue 14): nothing refers to them any more.
    const oauth = await inBatches(() => pruneExpiredOAuthRound(db, now, batchRows));
    return { events, logs, deliveries, jobs, usage, idempotencyKeys, oauth };
  }

  /** Prunes if this hour's run is due and this process claims it; null when it is not. */
  async function run(): Promise<PruneResult | null> {
    const now = clock.now();
    if (!(await claim(now))) return null;
    return prune(now);
  }

  const task: BackgroundTask = {
    name: RETENTION_TASK,
    idleMs: IDLE_MS,
    runOnce: async () => {
      await run();
      // A run leaves nothing due until the next hour: sleep rather than loop back to the schedule.
      return 0;
    },
  };

  return { run, task };
}

export type Retention = ReturnType<typeof createRetention>;

/** Once per process (app.ts); the hourly claim makes one process across all do each run. */
export function registerRetention(deps: WorkerDeps): void {
  deps.background.register(createRetention(deps).task);
}
