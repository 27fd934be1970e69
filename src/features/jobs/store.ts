import { type SelectQueryBuilder, sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { claimWithFreshPlan } from "../../platform/db/queue-claim.js";
import type { Database, Role } from "../../platform/db/schema.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { JOB_LIST, MAX_RUNNING_PER_CREDENTIAL } from "./schemas.js";

/** Every column but the bulky ones: the uploaded file and the result file are read on their own. */
const JOB_COLUMNS = [
  "j.id",
  "j.organization_id",
  "j.type",
  "j.params",
  "j.status",
  "j.progress",
  "j.result",
  "j.error",
  "j.attempts",
  "j.created_by",
  "j.scopes",
  "j.created_at",
  "j.started_at",
  "j.finished_at",
] as const;

/** As text, cast by PostgreSQL: postgres.js would encode a string bound to jsonb a second time. */
const jsonb = (value: unknown) => sql<string>`${JSON.stringify(value)}::text::jsonb`;
const jsonbOrNull = (value: unknown) => (value === null ? null : jsonb(value));

export function createJobStore(db: Db) {
  const jobs = (ctx: OrgContext) =>
    db.selectFrom("jobs as j").select(JOB_COLUMNS).where("j.organization_id", "=", ctx.orgId);

  return {
    async insert(
      ctx: OrgContext,
      job: {
        id: string;
        type: string;
        params: unknown;
        input: string | null;
        createdBy: string;
        credentialId: string;
        scopes: string[];
      },
    ) {
      await db
        .insertInto("jobs")
        .values({
          id: job.id,
          organization_id: ctx.orgId,
          type: job.type,
          params: jsonb(job.params),
          input: job.input,
          created_by: job.createdBy,
          credential_id: job.credentialId,
          scopes: job.scopes,
        })
        .execute();
    },

    /** Queued and running jobs of one credential (API key or session), for the cap on them. */
    async countUnfinished(ctx: OrgContext, credentialId: string) {
      const row = await db
        .selectFrom("jobs")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("organization_id", "=", ctx.orgId)
        .where("credential_id", "=", credentialId)
        .where("status", "in", ["queued", "running"])
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async find(ctx: OrgContext, id: string) {
      return jobs(ctx).where("j.id", "=", id).executeTakeFirst();
    },

    /** `onlyUserId` narrows the list to one user's jobs (members see only their own). */
    async list(ctx: OrgContext, query: Record<string, unknown>, onlyUserId?: string) {
      let base = jobs(ctx);
      if (onlyUserId) base = base.where("j.created_by", "=", onlyUserId);
      type Row = typeof base extends SelectQueryBuilder<never, never, infer O> ? O : never;
      return runList(db, ctx, JOB_LIST, base as unknown as SelectQueryBuilder<Database, never, Row>, query);
    },

    /** One piece of what an attempt produced; the pieces in `seq` order are the file. */
    async writeChunk(ctx: OrgContext, id: string, attempt: number, seq: number, data: string) {
      await db
        .insertInto("job_result_chunks")
        .values({ job_id: id, organization_id: ctx.orgId, attempt, seq, data })
        .execute();
    },

    /** Piece `seq` of the file of the job's final attempt; undefined past the last one. */
    async resultChunk(ctx: OrgContext, id: string, seq: number) {
      const row = await db
        .selectFrom("job_result_chunks as c")
        .innerJoin("jobs as j", (join) =>
          join.onRef("j.id", "=", "c.job_id").onRef("j.attempts", "=", "c.attempt"),
        )
        .select("c.data")
        .where("c.organization_id", "=", ctx.orgId)
        .where("c.job_id", "=", id)
        .where("c.seq", "=", seq)
        .executeTakeFirst();
      return row?.data;
    },

    async resultContentType(ctx: OrgContext, id: string) {
      const row = await db
        .selectFrom("jobs")
        .select("result_content_type")
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      return row?.result_content_type ?? null;
    },

    /** The uploaded file of an import; null once the job has finished. */
    async input(ctx: OrgContext, id: string) {
      const row = await db
        .selectFrom("jobs")
        .select("input")
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      return row?.input ?? null;
    },

    /** Renews the claim while reporting progress; false when another worker took the job over. */
    async progress(ctx: OrgContext, id: string, attempt: number, progress: number, leaseUntil: Date) {
      const result = await db
        .updateTable("jobs")
        .set({ progress, locked_until: leaseUntil })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .where("status", "=", "running")
        .where("attempts", "=", attempt)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Ends the job, if this attempt still holds it (a worker whose claim ran out and was taken over
     * must not overwrite the new attempt's work). Returns whether it did.
     */
    async finish(
      ctx: OrgContext,
      id: string,
      attempt: number,
      outcome: {
        status: "succeeded" | "failed";
        result: unknown;
        error: unknown;
        /** The content type of the chunks this attempt wrote, if it produced a file. */
        contentType?: string;
        at: Date;
      },
    ) {
      const result = await db
        .updateTable("jobs")
        .set({
          status: outcome.status,
          progress: outcome.status === "succeeded" ? 100 : sql<number>`progress`,
          result: jsonbOrNull(outcome.result),
          error: jsonbOrNull(outcome.error),
          result_content_type: outcome.contentType ?? null,
          input: null,
          locked_until: null,
          finished_at: outcome.at,
        })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .where("status", "=", "running")
        .where("attempts", "=", attempt)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      // What earlier attempts (whose workers died) wrote is not the result.
      await db
        .deleteFrom("job_result_chunks")
        .where("organization_id", "=", ctx.orgId)
        .where("job_id", "=", id)
        .where("attempt", "<>", attempt)
        .execute();
      return true;
    },

    /** The user's role in the organization now, if still an active member (jobs act with it). */
    async activeRole(ctx: OrgContext, userId: string): Promise<Role | undefined> {
      const row = await db
        .selectFrom("memberships")
        .select("role")
        .where("organization_id", "=", ctx.orgId)
        .where("user_id", "=", userId)
        .where("status", "=", "active")
        .executeTakeFirst();
      return row?.role;
    },

    /** The organization's time zone setting: an import's default for local times. */
    async timezone(ctx: OrgContext) {
      const row = await db
        .selectFrom("organization_settings")
        .select("timezone")
        .where("organization_id", "=", ctx.orgId)
        .executeTakeFirstOrThrow();
      return row.timezone;
    },

    /** user id → e-mail for the organization's members (the export's user_email column). */
    async memberEmails(ctx: OrgContext) {
      const rows = await db
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select(["u.id", "u.email"])
        .where("m.organization_id", "=", ctx.orgId)
        .execute();
      return new Map(rows.map((row) => [row.id, row.email]));
    },
  };
}

/**
 * The queue side, across organizations: a worker claims whichever job is due, whoever owns it.
 * Kept apart from the store above, whose every function is bound to one organization.
 */
export function createJobQueue(db: Db) {
  return {
    /**
     * Claims a job for `leaseMs`: a queued one, or a running one whose claim ran out (its worker
     * died). Fair across organizations: each organization's oldest claimable job is a candidate, and
     * the organization whose last job started longest ago (or never) goes first, so one
     * organization's hundred queued jobs do not keep another's single export waiting. A credential
     * runs at most MAX_RUNNING_PER_CREDENTIAL jobs at once; its others wait. SKIP LOCKED lets several
     * processes claim side by side: one that finds the first candidate taken moves to the next.
     */
    async claim(now: Date, leaseMs: number) {
      const claimed = await claimWithFreshPlan(
        db,
        sql<{ id: string; organization_id: string; attempts: number }>`
        UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ${now},
          locked_until = ${new Date(now.getTime() + leaseMs)}
        WHERE id = (
          SELECT j.id FROM jobs j
          WHERE j.id IN (
            SELECT DISTINCT ON (c.organization_id) c.id FROM jobs c
            WHERE (c.status = 'queued' OR (c.status = 'running' AND c.locked_until < ${now}))
              AND (c.credential_id IS NULL OR (
                SELECT count(*) FROM jobs r
                WHERE r.credential_id = c.credential_id AND r.status = 'running'
                  AND r.locked_until >= ${now}) < ${MAX_RUNNING_PER_CREDENTIAL})
            ORDER BY c.organization_id, c.created_at, c.id)
          ORDER BY (SELECT max(s.started_at) FROM jobs s WHERE s.organization_id = j.organization_id)
            NULLS FIRST, j.created_at, j.id
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING id, organization_id, attempts`,
      );
      return claimed[0];
    },
  };
}

export type JobStore = ReturnType<typeof createJobStore>;
export type JobRow = NonNullable<Awaited<ReturnType<JobStore["find"]>>>;
