import { sql } from "kysely";
import type { Db } from "../db/connection.js";
import type { MembershipStatus, Role } from "../db/schema.js";

/**
 * The only data access that runs without an organization context (see tenancy.ts): it turns a
 * credential's hash into the organization and user behind it.
 */
export interface CredentialRecord {
  kind: "api_key" | "user_token" | "oauth_token";
  credentialId: string;
  /** `test` for a sandbox key (`vlt_test_…`); user tokens are `live` (they reach a twin by switching). */
  mode: "live" | "test";
  scopes: string[] | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; email: string; name: string };
  /** The organization the credential belongs to: always a live one. */
  organization: { id: string; name: string; plan: string };
  role: Role;
  membershipStatus: MembershipStatus;
  /** For a test key: the organization's sandbox twin, null until its first use. */
  twin: TwinRecord | null;
}

export interface TwinRecord {
  organization: { id: string; name: string; plan: string };
  /** The user's membership in the twin, which mirrors their live one once they have entered it. */
  memberRole: Role | null;
  memberStatus: MembershipStatus | null;
}

export interface MembershipRecord {
  /** The live organization whose membership counts: the one asked for, or the one a twin belongs to. */
  organization: { id: string; name: string; plan: string };
  role: Role;
  membershipStatus: MembershipStatus;
  /** Set when the organization asked for is a sandbox twin. */
  twin: TwinRecord | null;
}

/** The user, organization and membership behind a credential, selected the same way for every kind. */
const MEMBER_COLUMNS = [
  "u.id as user_id",
  "u.email",
  "u.name as user_name",
  "o.id as org_id",
  "o.name as org_name",
  "o.plan",
  "m.role",
  "m.status",
] as const;

interface MemberRow {
  user_id: string;
  email: string;
  user_name: string;
  org_id: string;
  org_name: string;
  plan: string;
  role: Role;
  status: MembershipStatus;
}

type CredentialPart = Pick<
  CredentialRecord,
  "kind" | "credentialId" | "mode" | "scopes" | "expiresAt" | "revokedAt" | "twin"
>;

function toRecord(row: MemberRow, credential: CredentialPart): CredentialRecord {
  return {
    ...credential,
    user: { id: row.user_id, email: row.email, name: row.user_name },
    organization: { id: row.org_id, name: row.org_name, plan: row.plan },
    role: row.role,
    membershipStatus: row.status,
  };
}

/** The twin columns selected beside a credential or membership (null when there is no twin). */
interface TwinRow {
  twin_id: string | null;
  twin_name: string | null;
  twin_plan: string | null;
  twin_role: Role | null;
  twin_status: MembershipStatus | null;
}

const TWIN_COLUMNS = [
  "tw.id as twin_id",
  "tw.name as twin_name",
  "tw.plan as twin_plan",
  "tm.role as twin_role",
  "tm.status as twin_status",
] as const;

function toTwin(row: TwinRow): TwinRecord | null {
  if (row.twin_id === null) return null;
  return {
    organization: { id: row.twin_id, name: row.twin_name as string, plan: row.twin_plan as string },
    memberRole: row.twin_role,
    memberStatus: row.twin_status,
  };
}

export function createIdentityStore(db: Db) {
  /** The organization `orgId` names as `o`, or the live one it is the twin of, with the twin's columns. */
  function withTwin(userId: string, orgId: string) {
    return db
      .selectFrom("organizations as asked")
      .innerJoin("organizations as o", (j) => j.on(sql<boolean>`o.id = coalesce(asked.sandbox_of, asked.id)`))
      .leftJoin("organizations as tw", (j) =>
        j.onRef("tw.id", "=", "asked.id").on("asked.sandbox_of", "is not", null),
      )
      .leftJoin("memberships as tm", (j) =>
        j.onRef("tm.organization_id", "=", "tw.id").on("tm.user_id", "=", userId),
      )
      .select(["o.id", "o.name", "o.plan", ...TWIN_COLUMNS])
      .where("asked.id", "=", orgId);
  }

  return {
    async findApiKey(secretHash: string): Promise<CredentialRecord | null> {
      const row = await db
        .selectFrom("api_keys as k")
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "k.organization_id").onRef("m.user_id", "=", "k.created_by"),
        )
        .innerJoin("users as u", "u.id", "k.created_by")
        .innerJoin("organizations as o", "o.id", "k.organization_id")
        // A test key acts on the twin: found here when it exists, with the creator's place in it.
        .leftJoin("organizations as tw", (j) =>
          j.onRef("tw.sandbox_of", "=", "k.organization_id").on("k.mode", "=", "test"),
        )
        .leftJoin("memberships as tm", (j) =>
          j.onRef("tm.organization_id", "=", "tw.id").onRef("tm.user_id", "=", "k.created_by"),
        )
        .select([
          "k.id",
          "k.mode",
          "k.scopes",
          // Matched on the secret a roll replaced: it also ends when its grace period does.
          sql<Date | null>`CASE WHEN k.secret_hash = ${secretHash} THEN k.expires_at
            ELSE LEAST(k.expires_at, k.previous_secret_expires_at) END`.as("expires_at"),
          "k.revoked_at",
          ...MEMBER_COLUMNS,
          ...TWIN_COLUMNS,
        ])
        // Credentials belong to live organizations only; a twin is reached through one (SPEC §8).
        .where("o.sandbox_of", "is", null)
        .where((w) =>
          w.or([
            w("k.secret_hash", "=", secretHash),
            w.and([
              w("k.previous_secret_hash", "=", secretHash),
              w("k.previous_secret_expires_at", ">", sql<Date>`now()`),
            ]),
          ]),
        )
        .executeTakeFirst();
      return row
        ? toRecord(row, {
            kind: "api_key",
            credentialId: row.id,
            mode: row.mode,
            scopes: row.scopes,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
            twin: toTwin(row),
          })
        : null;
    },

    async findAccessToken(tokenHash: string): Promise<CredentialRecord | null> {
      const row = await db
        .selectFrom("session_tokens as t")
        .innerJoin("sessions as s", "s.id", "t.session_id")
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "s.organization_id").onRef("m.user_id", "=", "s.user_id"),
        )
        .innerJoin("users as u", "u.id", "s.user_id")
        .innerJoin("organizations as o", "o.id", "s.organization_id")
        .select(["s.id", "t.expires_at", "s.revoked_at", ...MEMBER_COLUMNS])
        .where("t.token_hash", "=", tokenHash)
        .where("t.kind", "=", "access")
        .where("o.sandbox_of", "is", null)
        .executeTakeFirst();
      return row
        ? toRecord(row, {
            kind: "user_token",
            credentialId: row.id,
            mode: "live",
            scopes: null,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
            twin: null,
          })
        : null;
    },

    /**
     * An access token a third-party app holds (features/oauth): it acts for the user who consented,
     * in the organization of the consent, with the scopes granted. It stops when its session, its
     * grant or its app ends; the credential id is the session's, so that a refresh keeps counting
     * against the same rate limit, as a user session's does.
     */
    async findOAuthAccessToken(tokenHash: string): Promise<CredentialRecord | null> {
      const row = await db
        .selectFrom("oauth_tokens as t")
        .innerJoin("oauth_sessions as s", "s.id", "t.session_id")
        .innerJoin("oauth_grants as g", "g.id", "s.grant_id")
        .innerJoin("oauth_apps as a", "a.id", "g.app_id")
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "g.organization_id").onRef("m.user_id", "=", "g.user_id"),
        )
        .innerJoin("users as u", "u.id", "g.user_id")
        .innerJoin("organizations as o", "o.id", "g.organization_id")
        .select([
          "s.id",
          "t.expires_at",
          "t.scopes",
          sql<Date | null>`COALESCE(s.revoked_at, g.revoked_at, a.deleted_at)`.as("revoked_at"),
          ...MEMBER_COLUMNS,
        ])
        .where("t.token_hash", "=", tokenHash)
        .where("t.kind", "=", "access")
        .where("o.sandbox_of", "is", null)
        .executeTakeFirst();
      return row
        ? toRecord(row, {
            kind: "oauth_token",
            credentialId: row.id,
            // Live only (SPEC §8): a consent names a live organization, never its sandbox.
            mode: "live",
            scopes: row.scopes,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
            twin: null,
          })
        : null;
    },

    /**
     * For `X-Organization-ID`: the user's membership in another organization, if any. A sandbox
     * twin has no members of its own to decide this: the membership in its live organization does.
     */
    async findMembership(userId: string, orgId: string): Promise<MembershipRecord | null> {
      const row = await withTwin(userId, orgId)
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "o.id").on("m.user_id", "=", userId),
        )
        .select(["m.role", "m.status"])
        .executeTakeFirst();
      if (!row) return null;
      return {
        organization: { id: row.id, name: row.name, plan: row.plan },
        role: row.role,
        membershipStatus: row.status,
        twin: toTwin(row),
      };
    },

    /** For a platform admin's `X-Organization-ID`: any organization (its live one, for a twin), member or not. */
    async findOrganization(
      userId: string,
      orgId: string,
    ): Promise<Omit<MembershipRecord, "role" | "membershipStatus"> | null> {
      const row = await withTwin(userId, orgId).executeTakeFirst();
      return row ? { organization: { id: row.id, name: row.name, plan: row.plan }, twin: toTwin(row) } : null;
    },

    /** Batched `last_used_at`: one statement for many keys instead of a write per request. */
    async touchApiKeys(usage: Array<{ keyId: string; usedAt: Date }>): Promise<void> {
      if (usage.length === 0) return;
      const values = sql.join(usage.map((u) => sql`(${u.keyId}, ${u.usedAt.toISOString()}::timestamptz)`));
      await sql`
        UPDATE api_keys AS k SET last_used_at = GREATEST(k.last_used_at, v.used_at)
        FROM (VALUES ${values}) AS v(id, used_at)
        WHERE k.id = v.id`.execute(db);
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
