import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { TASK_LIST, type TaskStatus } from "./schemas.js";

export interface TaskFields {
  title: string;
  project_id: string;
  description?: string | null;
  status?: TaskStatus;
  assignee_id?: string | null;
  due_date?: string | null;
  estimate_seconds?: number | null;
}

export function createTaskStore(db: Db) {
  const inOrg = (ctx: OrgContext) =>
    db
      .selectFrom("tasks as t")
      .select([
        "t.id",
        "t.title",
        "t.description",
        "t.project_id",
        "t.status",
        "t.assignee_id",
        // postgres.js would turn a date into a JavaScript Date at UTC midnight; the API wants the day.
        sql<string | null>`to_char(t.due_date, 'YYYY-MM-DD')`.as("due_date"),
        "t.estimate_seconds",
        "t.created_at",
        "t.updated_at",
      ])
      .where("t.organization_id", "=", ctx.orgId);

  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: string }> }) =>
    Number((await query.executeTakeFirstOrThrow()).n);

  return {
    list(ctx: OrgContext, query: Record<string, unknown>) {
      return runList(db, ctx, TASK_LIST, inOrg(ctx), query);
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    async find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = inOrg(ctx).where("t.id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    async insert(ctx: OrgContext, id: string, fields: TaskFields) {
      await db
        .insertInto("tasks")
        .values({
          id,
          organization_id: ctx.orgId,
          description: null,
          assignee_id: null,
          due_date: null,
          estimate_seconds: null,
          ...fields,
        })
        .execute();
    },

    async update(ctx: OrgContext, id: string, fields: Partial<TaskFields>) {
      await db
        .updateTable("tasks")
        .set({ ...fields, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .execute();
    },

    async remove(ctx: OrgContext, id: string) {
      await db.deleteFrom("tasks").where("organization_id", "=", ctx.orgId).where("id", "=", id).execute();
    },

    /** The status of this organization's project with the id (locked so it cannot vanish meanwhile). */
    async projectStatus(ctx: OrgContext, projectId: string) {
      const row = await db
        .selectFrom("projects")
        .select("status")
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", projectId)
        .forKeyShare()
        .executeTakeFirst();
      return row?.status;
    },

    /** The member's status in this organization, or undefined for a non-member. */
    async memberStatus(ctx: OrgContext, userId: string) {
      const row = await db
        .selectFrom("memberships")
        .select("status")
        .where("organization_id", "=", ctx.orgId)
        .where("user_id", "=", userId)
        .forKeyShare()
        .executeTakeFirst();
      return row?.status;
    },

    /** Time entries booked on the task: it cannot change project or be deleted while there are any. */
    countTimeEntries(ctx: OrgContext, id: string) {
      return count(
        db
          .selectFrom("time_entries")
          .select(sql<string>`count(*)`.as("n"))
          .where("organization_id", "=", ctx.orgId)
          .where("task_id", "=", id),
      );
    },
  };
}

export type TaskStore = ReturnType<typeof createTaskStore>;
export type TaskRow = NonNullable<Awaited<ReturnType<TaskStore["find"]>>>;
