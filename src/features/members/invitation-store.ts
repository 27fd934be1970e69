import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";

const INVITATION_COLUMNS = [
  "id",
  "organization_id",
  "email",
  "role",
  "hourly_rate",
  "invited_by",
  "expires_at",
  "accepted_at",
  "accepted_by",
  "revoked_at",
  "created_at",
  "updated_at",
] as const;

export type InvitationStatus = "invited" | "accepted" | "revoked" | "expired";

/** `expired` is a matter of the clock, so it is worked out when read, never stored. */
const statusOf = sql<InvitationStatus>`CASE
  WHEN accepted_at IS NOT NULL THEN 'accepted'
  WHEN revoked_at IS NOT NULL THEN 'revoked'
  WHEN expires_at <= now() THEN 'expired'
  ELSE 'invited' END`;

export function createInvitationStore(db: Db) {
  const invitations = (ctx: OrgContext) =>
    db
      .selectFrom("invitations")
      .select([...INVITATION_COLUMNS, statusOf.as("status")])
      .where("organization_id", "=", ctx.orgId);

  return {
    async insert(
      ctx: OrgContext,
      invitation: {
        id: string;
        email: string;
        role: Role;
        hourlyRate: number | null;
        tokenHash: string;
        invitedBy: string;
        expiresAt: Date;
      },
    ) {
      return db
        .insertInto("invitations")
        .values({
          id: invitation.id,
          organization_id: ctx.orgId,
          email: invitation.email,
          role: invitation.role,
          hourly_rate: invitation.hourlyRate,
          token_hash: invitation.tokenHash,
          invited_by: invitation.invitedBy,
          expires_at: invitation.expiresAt,
        })
        .onConflict((oc) =>
          oc
            .expression(sql`organization_id, lower(email)`)
            .where("accepted_at", "is", null)
            .where("revoked_at", "is", null)
            .doNothing(),
        )
        .returning([...INVITATION_COLUMNS, statusOf.as("status")])
        .executeTakeFirst();
    },

    find(ctx: OrgContext, id: string) {
      return invitations(ctx).where("id", "=", id).executeTakeFirst();
    },

    /** The open invitation for this e-mail in this organization, if any (an expired one is closed first). */
    async openFor(ctx: OrgContext, email: string) {
      // An expired invitation no longer blocks a new one: it is closed as revoked.
      await db
        .updateTable("invitations")
        .set({ revoked_at: sql`now()`, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where(sql`lower(email)`, "=", email.toLowerCase())
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", "<=", sql<Date>`now()`)
        .execute();
      return invitations(ctx)
        .where(sql`lower(email)`, "=", email.toLowerCase())
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
    },

    async list(ctx: OrgContext, filter: { status?: InvitationStatus }, window: PageWindow) {
      let query = invitations(ctx);
      if (filter.status) query = query.where(statusOf, "=", filter.status);
      const [rows, count] = await Promise.all([
        query
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        query.clearSelect().select(sql<string>`count(*)`.as("total")).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    /** Whether a user with this e-mail is a member here already: the organization's own business. */
    async memberByEmail(ctx: OrgContext, email: string) {
      return db
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select(["u.id", "m.status"])
        .where("m.organization_id", "=", ctx.orgId)
        .where(sql`lower(u.email)`, "=", email.toLowerCase())
        .executeTakeFirst();
    },

    async revoke(ctx: OrgContext, id: string) {
      return db
        .updateTable("invitations")
        .set({ revoked_at: sql`now()`, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .returning([...INVITATION_COLUMNS, statusOf.as("status")])
        .executeTakeFirst();
    },

    async markAccepted(ctx: OrgContext, id: string, userId: string) {
      return db
        .updateTable("invitations")
        .set({ accepted_at: sql`now()`, accepted_by: userId, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning([...INVITATION_COLUMNS, statusOf.as("status")])
        .executeTakeFirstOrThrow();
    },
  };
}

/**
 * The invitee holds only the token and no organization is known yet: like identity-store.ts,
 * this lookup runs without an organization context. It locks the row, so two acceptances of
 * one token cannot both succeed.
 */
export function findInvitationByTokenForUpdate(db: Db, tokenHash: string) {
  return db
    .selectFrom("invitations")
    .select([...INVITATION_COLUMNS, statusOf.as("status")])
    .where("token_hash", "=", tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export type InvitationStore = ReturnType<typeof createInvitationStore>;
export type InvitationRow = NonNullable<Awaited<ReturnType<InvitationStore["find"]>>>;
