import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { isUniqueViolation } from "../../platform/db/errors.js";
import type { Role } from "../../platform/db/schema.js";
import type { OrganizationRow } from "../organizations/format.js";

/**
 * Sign-up, login and token refresh: like `identity-store.ts`, this runs before any organization
 * is known, so it is the other data access that takes no organization context.
 */
export function createAccountStore(db: Db) {
  const organizationColumns = [
    "o.id",
    "o.name",
    "o.plan",
    "o.sandbox_of",
    "o.created_at",
    "o.updated_at",
  ] as const;

  return {
    /** Returns null when the e-mail is taken. */
    async createAccount(input: {
      user: { id: string; email: string; name: string; passwordHash: string };
      organization: { id: string; name: string; plan: string };
    }) {
      try {
        const user = await db
          .insertInto("users")
          .values({
            id: input.user.id,
            email: input.user.email,
            name: input.user.name,
            password_hash: input.user.passwordHash,
          })
          .returning(["id", "email", "name", "created_at"])
          .executeTakeFirstOrThrow();
        const organization = await db
          .insertInto("organizations")
          .values(input.organization)
          .returning(["id", "name", "plan", "sandbox_of", "created_at", "updated_at"])
          .executeTakeFirstOrThrow();
        await db
          .insertInto("memberships")
          .values({ organization_id: organization.id, user_id: user.id, role: "owner" })
          .execute();
        return { user, organization };
      } catch (error) {
        if (isUniqueViolation(error, "users_email_key")) return null;
        throw error;
      }
    },

    /** Returns null when the e-mail is taken. */
    async createUser(user: { id: string; email: string; name: string; passwordHash: string }) {
      const row = await db
        .insertInto("users")
        .values({ id: user.id, email: user.email, name: user.name, password_hash: user.passwordHash })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .returning(["id", "email", "name", "created_at"])
        .executeTakeFirst();
      return row ?? null;
    },

    /** A person's own profile; false when the new e-mail belongs to another account. */
    async updateUser(userId: string, patch: { name?: string; email?: string; passwordHash?: string }) {
      try {
        await db
          .updateTable("users")
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.email !== undefined ? { email: patch.email } : {}),
            ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
            updated_at: sql`now()`,
          })
          .where("id", "=", userId)
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error, "users_email_key")) return false;
        throw error;
      }
    },

    /** Ends every session of the user but `keepSessionId` (after a password change). */
    async revokeOtherSessions(userId: string, keepSessionId: string, reason: string) {
      await db
        .updateTable("sessions")
        .set({ revoked_at: sql`now()`, revoked_reason: reason })
        .where("user_id", "=", userId)
        .where("id", "<>", keepSessionId)
        .where("revoked_at", "is", null)
        .execute();
    },

    findUserByEmail(email: string) {
      return db
        .selectFrom("users")
        .select(["id", "email", "name", "password_hash", "created_at"])
        .where(sql`lower(email)`, "=", email.toLowerCase())
        .executeTakeFirst();
    },

    findUser(userId: string) {
      return db
        .selectFrom("users")
        .select(["id", "email", "name", "created_at"])
        .where("id", "=", userId)
        .executeTakeFirst();
    },

    /**
     * The named organization, or the first the user joined; only active memberships count, and
     * only in live organizations: a sandbox is reached from its live organization (SPEC §8), so no
     * session ever belongs to one.
     */
    findActiveMembership(userId: string, orgId?: string) {
      let query = db
        .selectFrom("memberships as m")
        .innerJoin("organizations as o", "o.id", "m.organization_id")
        .select([...organizationColumns, "m.role"])
        .where("m.user_id", "=", userId)
        .where("m.status", "=", "active")
        .where("o.sandbox_of", "is", null);
      if (orgId) query = query.where("m.organization_id", "=", orgId);
      return query.orderBy("m.created_at").orderBy("o.id").limit(1).executeTakeFirst() as Promise<
        (OrganizationRow & { role: Role }) | undefined
      >;
    },

    async createSession(session: { id: string; userId: string; orgId: string }) {
      await db
        .insertInto("sessions")
        .values({ id: session.id, user_id: session.userId, organization_id: session.orgId })
        .execute();
    },

    async addTokens(
      sessionId: string,
      tokens: Array<{ hash: string; kind: "access" | "refresh"; expiresAt: Date }>,
    ) {
      await db
        .insertInto("session_tokens")
        .values(
          tokens.map((t) => ({
            token_hash: t.hash,
            session_id: sessionId,
            kind: t.kind,
            expires_at: t.expiresAt,
          })),
        )
        .execute();
    },

    /** Locks the token row so two concurrent refreshes cannot both spend it. */
    findRefreshTokenForUpdate(hash: string) {
      return db
        .selectFrom("session_tokens as t")
        .innerJoin("sessions as s", "s.id", "t.session_id")
        .select([
          "t.token_hash",
          "t.expires_at",
          "t.used_at",
          "s.id as session_id",
          "s.user_id",
          "s.organization_id",
          "s.revoked_at",
        ])
        .where("t.token_hash", "=", hash)
        .where("t.kind", "=", "refresh")
        .forUpdate("t")
        .executeTakeFirst();
    },

    async markRefreshTokenUsed(hash: string) {
      await db
        .updateTable("session_tokens")
        .set({ used_at: sql`now()` })
        .where("token_hash", "=", hash)
        .execute();
    },

    async revokeSession(sessionId: string, reason: string) {
      await db
        .updateTable("sessions")
        .set({ revoked_at: sql`now()`, revoked_reason: reason })
        .where("id", "=", sessionId)
        .where("revoked_at", "is", null)
        .execute();
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
