import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { MembershipStatus, Role } from "../../platform/db/schema.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";

const MEMBER_COLUMNS = [
  "u.id",
  "u.email",
  "u.name",
  "m.role",
  "m.status",
  "m.created_at",
  "m.updated_at",
] as const;

export interface MemberFilter {
  status?: MembershipStatus;
  role?: Role;
}

export function createMemberStore(db: Db) {
  function members(ctx: OrgContext, filter: MemberFilter = {}) {
    let query = db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .where("m.organization_id", "=", ctx.orgId);
    if (filter.status) query = query.where("m.status", "=", filter.status);
    if (filter.role) query = query.where("m.role", "=", filter.role);
    return query;
  }

  return {
    async list(ctx: OrgContext, filter: MemberFilter, window: PageWindow) {
      const [rows, count] = await Promise.all([
        members(ctx, filter)
          .select(MEMBER_COLUMNS)
          .orderBy("m.created_at")
          .orderBy("u.id")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        members(ctx, filter).select(sql<string>`count(*)`.as("total")).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    find(ctx: OrgContext, userId: string) {
      return members(ctx).select(MEMBER_COLUMNS).where("m.user_id", "=", userId).executeTakeFirst();
    },

    /**
     * Serializes changes to roles and statuses within one organization (by locking its row), so
     * two owners demoting each other at once cannot leave it without an owner.
     */
    async lockMemberships(ctx: OrgContext) {
      await db.selectFrom("organizations").select("id").where("id", "=", ctx.orgId).forUpdate().execute();
    },

    async countActiveOwners(ctx: OrgContext) {
      const row = await members(ctx, { status: "active", role: "owner" })
        .select(sql<string>`count(*)`.as("total"))
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },

    /** False when the user already has a membership here (active or not). */
    async addMembership(ctx: OrgContext, userId: string, role: Role, hourlyRate: number | null = null) {
      const row = await db
        .insertInto("memberships")
        .values({ organization_id: ctx.orgId, user_id: userId, role, hourly_rate: hourlyRate })
        .onConflict((oc) => oc.columns(["organization_id", "user_id"]).doNothing())
        .returning("user_id")
        .executeTakeFirst();
      return row !== undefined;
    },

    async updateMembership(
      ctx: OrgContext,
      userId: string,
      patch: { role?: Role; status?: MembershipStatus },
    ) {
      await db
        .updateTable("memberships")
        .set({ ...patch, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("user_id", "=", userId)
        .execute();
    },

    /** Ends the member's sessions in this organization; their sessions elsewhere are not ours to end. */
    async revokeSessions(ctx: OrgContext, userId: string, reason: string) {
      await db
        .updateTable("sessions")
        .set({ revoked_at: sql`now()`, revoked_reason: reason })
        .where("organization_id", "=", ctx.orgId)
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .execute();
    },
  };
}

export type MemberStore = ReturnType<typeof createMemberStore>;
