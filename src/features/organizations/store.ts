import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";

const COLUMNS = ["o.id", "o.name", "o.plan", "o.sandbox_of", "o.created_at", "o.updated_at"] as const;

export function createOrganizationStore(db: Db) {
  /**
   * The active memberships of a user who is an active member of `ctx`'s organization. Listing
   * them crosses organizations by nature; the EXISTS keeps it anchored to the caller's tenancy,
   * so a user id from elsewhere yields nothing. Sandbox twins are left out: a membership there
   * mirrors one in a live organization (GET /v1/sandbox names the twin).
   */
  function membershipsOf(ctx: OrgContext, userId: string) {
    return db
      .selectFrom("memberships as m")
      .innerJoin("organizations as o", "o.id", "m.organization_id")
      .where("m.user_id", "=", userId)
      .where("m.status", "=", "active")
      .where("o.sandbox_of", "is", null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("memberships as own")
            .select(sql<number>`1`.as("one"))
            .where("own.organization_id", "=", ctx.orgId)
            .where("own.user_id", "=", userId)
            .where("own.status", "=", "active"),
        ),
      );
  }

  return {
    find(ctx: OrgContext, options: { forUpdate?: boolean } = {}) {
      let query = db.selectFrom("organizations as o").select(COLUMNS).where("o.id", "=", ctx.orgId);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    update(ctx: OrgContext, patch: { name?: string; plan?: string }) {
      return db
        .updateTable("organizations")
        .set({ ...patch, updated_at: sql`now()` })
        .where("id", "=", ctx.orgId)
        .returning(["id", "name", "plan", "sandbox_of", "created_at", "updated_at"])
        .executeTakeFirst();
    },

    async listForUser(ctx: OrgContext, userId: string, window: PageWindow) {
      const [rows, count] = await Promise.all([
        membershipsOf(ctx, userId)
          .select([...COLUMNS, "m.role"])
          .orderBy("m.created_at")
          .orderBy("o.id")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        membershipsOf(ctx, userId).select(sql<string>`count(*)`.as("total")).executeTakeFirstOrThrow(),
      ]);
      return { rows: rows as Array<(typeof rows)[number] & { role: Role }>, total: Number(count.total) };
    },
  };
}

export type OrganizationStore = ReturnType<typeof createOrganizationStore>;
