import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { CLIENT_LIST, type ClientStatus } from "./schemas.js";

const FIELDS = ["id", "name", "email", "notes", "status", "created_at", "updated_at"] as const;
const COLUMNS = FIELDS.map((field) => `c.${field}` as const);

export interface ClientFields {
  name: string;
  email?: string | null;
  notes?: string | null;
  status?: ClientStatus;
}

export function createClientStore(db: Db) {
  const inOrg = (ctx: OrgContext) =>
    db.selectFrom("clients as c").select(COLUMNS).where("c.organization_id", "=", ctx.orgId);

  return {
    list(ctx: OrgContext, query: Record<string, unknown>) {
      return runList(db, ctx, CLIENT_LIST, inOrg(ctx), query);
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    async find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = inOrg(ctx).where("c.id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    insert(ctx: OrgContext, id: string, fields: ClientFields) {
      return db
        .insertInto("clients")
        .values({ id, organization_id: ctx.orgId, email: null, notes: null, ...fields })
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    update(ctx: OrgContext, id: string, fields: Partial<ClientFields>) {
      return db
        .updateTable("clients")
        .set({ ...fields, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    async remove(ctx: OrgContext, id: string) {
      await db.deleteFrom("clients").where("organization_id", "=", ctx.orgId).where("id", "=", id).execute();
    },

    /** How many projects name this client: a referenced client cannot be deleted. */
    async countProjects(ctx: OrgContext, id: string) {
      const row = await db
        .selectFrom("projects")
        .select(sql<string>`count(*)`.as("n"))
        .where("organization_id", "=", ctx.orgId)
        .where("client_id", "=", id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type ClientStore = ReturnType<typeof createClientStore>;
export type ClientRow = NonNullable<Awaited<ReturnType<ClientStore["find"]>>>;
