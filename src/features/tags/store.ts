import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { TAG_LIST } from "./schemas.js";

const FIELDS = ["id", "name", "created_at", "updated_at"] as const;
const COLUMNS = FIELDS.map((field) => `g.${field}` as const);

export function createTagStore(db: Db) {
  const inOrg = (ctx: OrgContext) =>
    db.selectFrom("tags as g").select(COLUMNS).where("g.organization_id", "=", ctx.orgId);

  return {
    list(ctx: OrgContext, query: Record<string, unknown>) {
      return runList(db, ctx, TAG_LIST, inOrg(ctx), query);
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    async find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = inOrg(ctx).where("g.id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    insert(ctx: OrgContext, id: string, name: string) {
      return db
        .insertInto("tags")
        .values({ id, organization_id: ctx.orgId, name })
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    rename(ctx: OrgContext, id: string, name: string) {
      return db
        .updateTable("tags")
        .set({ name, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(FIELDS)
        .executeTakeFirstOrThrow();
    },

    /** Time entries lose the tag with it (ON DELETE CASCADE on time_entry_tags). */
    async remove(ctx: OrgContext, id: string) {
      await db.deleteFrom("tags").where("organization_id", "=", ctx.orgId).where("id", "=", id).execute();
    },
  };
}

export type TagStore = ReturnType<typeof createTagStore>;
export type TagRow = NonNullable<Awaited<ReturnType<TagStore["find"]>>>;
