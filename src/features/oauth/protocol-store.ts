import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";

/**
 * The OAuth protocol's data, reached before any organization is known (like
 * platform/auth/identity-store.ts): a `client_id` names an app whatever the caller's organization,
 * an authorization request belongs to no organization until a person approves it in one, and a
 * code or token is found by its hash. Each function reads or writes one OAuth row by its own key;
 * what an organization lists or manages goes through store.ts with its context.
 */
export function createOAuthProtocolStore(db: Db) {
  return {
    /** A registered, undeleted app by its client id, with what client authentication needs. */
    findClient(appId: string) {
      return db
        .selectFrom("oauth_apps")
        .select(["id", "organization_id", "name", "client_type", "redirect_uris", "secret_hash"])
        .where("id", "=", appId)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
    },

    async insertAuthorizationRequest(request: {
      id: string;
      appId: string;
      redirectUri: string;
      scopes: string[];
      state: string;
      codeChallenge: string;
      expiresAt: Date;
    }) {
      await db
        .insertInto("oauth_authorization_requests")
        .values({
          id: request.id,
          app_id: request.appId,
          redirect_uri: request.redirectUri,
          scopes: request.scopes,
          state: request.state,
          code_challenge: request.codeChallenge,
          expires_at: request.expiresAt,
        })
        .execute();
    },

    /** An undecided, unexpired request of an app that still exists. */
    findOpenAuthorizationRequest(id: string) {
      return db
        .selectFrom("oauth_authorization_requests as r")
        .innerJoin("oauth_apps as a", "a.id", "r.app_id")
        .select([
          "r.id",
          "r.app_id",
          "a.name as app_name",
          "a.client_type",
          "r.redirect_uri",
          "r.scopes",
          "r.state",
          "r.code_challenge",
          "r.expires_at",
        ])
        .where("r.id", "=", id)
        .where("r.decided_at", "is", null)
        .where("r.expires_at", ">", sql<Date>`now()`)
        .where("a.deleted_at", "is", null)
        .executeTakeFirst();
    },

    /** Marks the request decided; false when it was decided already (two clicks, two tabs). */
    async decideAuthorizationRequest(id: string): Promise<boolean> {
      const row = await db
        .updateTable("oauth_authorization_requests")
        .set({ decided_at: sql`now()` })
        .where("id", "=", id)
        .where("decided_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      return row !== undefined;
    },

    /** The live organizations the person is an active member of: those they may authorize an app for. */
    activeMemberships(userId: string) {
      return db
        .selectFrom("memberships as m")
        .innerJoin("organizations as o", "o.id", "m.organization_id")
        .select(["o.id", "o.name", "m.role"])
        .where("m.user_id", "=", userId)
        .where("m.status", "=", "active")
        .where("o.sandbox_of", "is", null)
        .orderBy("o.name")
        .orderBy("o.id")
        .execute();
    },

    /** The person's active consents to the app, by organization. */
    activeGrantsOf(userId: string, appId: string) {
      return db
        .selectFrom("oauth_grants")
        .select(["organization_id", "scopes"])
        .where("user_id", "=", userId)
        .where("app_id", "=", appId)
        .where("revoked_at", "is", null)
        .execute();
    },

    /**
     * Who a code or refresh token acts for, now: the grant's person, organization and app, the
     * person's current role there, and whether any of them has ended.
     */
    findGrantContext(grantId: string) {
      return db
        .selectFrom("oauth_grants as g")
        .innerJoin("oauth_apps as a", "a.id", "g.app_id")
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "g.organization_id").onRef("m.user_id", "=", "g.user_id"),
        )
        .select([
          "g.id",
          "g.organization_id",
          "g.user_id",
          "g.app_id",
          "m.role",
          sql<boolean>`g.revoked_at IS NULL AND a.deleted_at IS NULL AND m.status = 'active'`.as("active"),
        ])
        .where("g.id", "=", grantId)
        .executeTakeFirst();
    },

    async insertCode(code: {
      hash: string;
      grantId: string;
      redirectUri: string;
      scopes: string[];
      codeChallenge: string;
      expiresAt: Date;
    }) {
      await db
        .insertInto("oauth_authorization_codes")
        .values({
          code_hash: code.hash,
          grant_id: code.grantId,
          redirect_uri: code.redirectUri,
          scopes: code.scopes,
          code_challenge: code.codeChallenge,
          expires_at: code.expiresAt,
        })
        .execute();
    },

    findCode(hash: string) {
      return db
        .selectFrom("oauth_authorization_codes")
        .select(["grant_id", "redirect_uri", "scopes", "code_challenge", "expires_at", "used_at"])
        .where("code_hash", "=", hash)
        .executeTakeFirst();
    },

    /** Spends the code; false when it was spent already (the second of two racing exchanges). */
    async spendCode(hash: string): Promise<boolean> {
      const row = await db
        .updateTable("oauth_authorization_codes")
        .set({ used_at: sql`now()` })
        .where("code_hash", "=", hash)
        .where("used_at", "is", null)
        .returning("code_hash")
        .executeTakeFirst();
      return row !== undefined;
    },

    async insertSession(session: { id: string; grantId: string; codeHash: string }) {
      await db
        .insertInto("oauth_sessions")
        .values({ id: session.id, grant_id: session.grantId, code_hash: session.codeHash })
        .execute();
    },

    async insertTokens(
      sessionId: string,
      tokens: Array<{ hash: string; kind: "access" | "refresh"; scopes: string[]; expiresAt: Date }>,
    ) {
      await db
        .insertInto("oauth_tokens")
        .values(
          tokens.map((t) => ({
            token_hash: t.hash,
            session_id: sessionId,
            kind: t.kind,
            scopes: t.scopes,
            expires_at: t.expiresAt,
          })),
        )
        .execute();
    },

    /** A token of either kind with its session: what refresh and revocation need. */
    findToken(hash: string) {
      return db
        .selectFrom("oauth_tokens as t")
        .innerJoin("oauth_sessions as s", "s.id", "t.session_id")
        .select([
          "t.kind",
          "t.scopes",
          "t.expires_at",
          "t.used_at",
          "s.id as session_id",
          "s.grant_id",
          "s.revoked_at",
        ])
        .where("t.token_hash", "=", hash)
        .executeTakeFirst();
    },

    /** Spends a refresh token; false when it was spent already. */
    async spendRefreshToken(hash: string): Promise<boolean> {
      const row = await db
        .updateTable("oauth_tokens")
        .set({ used_at: sql`now()` })
        .where("token_hash", "=", hash)
        .where("kind", "=", "refresh")
        .where("used_at", "is", null)
        .returning("token_hash")
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Ends a session: its access and refresh tokens stop. True when it was still running. */
    async endSession(id: string, reason: string): Promise<boolean> {
      const row = await db
        .updateTable("oauth_sessions")
        .set({ revoked_at: sql`now()`, revoked_reason: reason })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      return row !== undefined;
    },

    /** RFC 6749 §4.1.2: a code presented twice ends what its first exchange issued. */
    async endSessionOfCode(codeHash: string, reason: string): Promise<void> {
      await db
        .updateTable("oauth_sessions")
        .set({ revoked_at: sql`now()`, revoked_reason: reason })
        .where("code_hash", "=", codeHash)
        .where("revoked_at", "is", null)
        .execute();
    },

    /**
     * A deleted app's consents end in every organization that gave one: the app belongs to its
     * registrant, and its deletion is theirs to make, wherever it was authorized.
     */
    async revokeGrantsOfApp(appId: string, reason: string): Promise<void> {
      await db
        .updateTable("oauth_grants")
        .set({ revoked_at: sql`now()`, revoked_reason: reason, updated_at: sql`now()` })
        .where("app_id", "=", appId)
        .where("revoked_at", "is", null)
        .execute();
    },
  };
}

export type OAuthProtocolStore = ReturnType<typeof createOAuthProtocolStore>;
