import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { PROJECT_LIST, type ProjectStatus } from "./schemas.js";

const COLUMNS = [
  "p.id",
  "p.name",
  "p.description",
  "p.client_id",
  "p.status",
  "p.billable",
  "p.hourly_rate",
  "p.color",
  "p.budget_hours",
  "p.created_at",
  "p.updated_at",
  "s.currency",
] as const;

export interface ProjectFields {
  name: string;
  description?: string | null;
  client_id?: string | null;
  status?: ProjectStatus;
  billable?: boolean;
  hourly_rate?: number | null;
  color?: string | null;
  budget_hours?: number | null;
}

const count = (n: string | number | bigint) => Number(n);

export function createProjectStore(db: Db) {
  // The currency is the organization's: every project reads it from the settings row.
  const inOrg = (ctx: OrgContext) =>
    db
      .selectFrom("projects as p")
      .innerJoin("organization_settings as s", "s.organization_id", "p.organization_id")
      .select(COLUMNS)
      .where("p.organization_id", "=", ctx.orgId);

  return {
    list(ctx: OrgContext, query: Record<string, unknown>) {
      return runList(db, ctx, PROJECT_LIST, inOrg(ctx), query);
    },

    /** `forUpdate` locks the project row (not the settings) for the caller's transaction. */
    async find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = inOrg(ctx).where("p.id", "=", id);
      if (options.forUpdate) query = query.forUpdate("p");
      return query.executeTakeFirst();
    },

    async insert(ctx: OrgContext, id: string, fields: ProjectFields) {
      await db
        .insertInto("projects")
        .values({
          id,
          organization_id: ctx.orgId,
          description: null,
          client_id: null,
          hourly_rate: null,
          color: null,
          budget_hours: null,
          ...fields,
        })
        .execute();
    },

    async update(ctx: OrgContext, id: string, fields: Partial<ProjectFields>) {
      await db
        .updateTable("projects")
        .set({ ...fields, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .execute();
    },

    async remove(ctx: OrgContext, id: string) {
      await db.deleteFrom("projects").where("organization_id", "=", ctx.orgId).where("id", "=", id).execute();
    },

    /** Whether a client of this organization has the id (locked so it cannot vanish meanwhile). */
    async clientExists(ctx: OrgContext, clientId: string) {
      const row = await db
        .selectFrom("clients")
        .select("id")
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", clientId)
        .forKeyShare()
        .executeTakeFirst();
      return row !== undefined;
    },

    /** What still refers to the project: it cannot be deleted while anything does. */
    async references(ctx: OrgContext, id: string) {
      const row = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom("tasks")
            .select(sql<string>`count(*)`.as("n"))
            .where("organization_id", "=", ctx.orgId)
            .where("project_id", "=", id)
            .as("tasks"),
          eb
            .selectFrom("time_entries")
            .select(sql<string>`count(*)`.as("n"))
            .where("organization_id", "=", ctx.orgId)
            .where("project_id", "=", id)
            .as("time_entries"),
        ])
        .executeTakeFirstOrThrow();
      return { tasks: count(row.tasks ?? 0), time_entries: count(row.time_entries ?? 0) };
    },
  };
}

export type ProjectStore = ReturnType<typeof createProjectStore>;
export type ProjectRow = NonNullable<Awaited<ReturnType<ProjectStore["find"]>>>;
