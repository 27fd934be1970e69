import { sql } from "kysely";
import type { Db } from "../db/connection.js";
import type { MembershipStatus, Role } from "../db/schema.js";

/**
 * The only data access that runs without an organization context (see tenancy.ts): it turns a
 * credential's hash into the organization and user behind it.
 */
export interface CredentialRecord {
  kind: "api_key" | "user_token";
  credentialId: string;
  scopes: string[] | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; email: string; name: string };
  organization: { id: string; name: string; plan: string };
  role: Role;
  membershipStatus: MembershipStatus;
}

export interface MembershipRecord {
  organization: { id: string; name: string; plan: string };
  role: Role;
  membershipStatus: MembershipStatus;
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

type CredentialPart = Pick<CredentialRecord, "kind" | "credentialId" | "scopes" | "expiresAt" | "revokedAt">;

function toRecord(row: MemberRow, credential: CredentialPart): CredentialRecord {
  return {
    ...credential,
    user: { id: row.user_id, email: row.email, name: row.user_name },
    organization: { id: row.org_id, name: row.org_name, plan: row.plan },
    role: row.role,
    membershipStatus: row.status,
  };
}

export function createIdentityStore(db: Db) {
  return {
    async findApiKey(secretHash: string): Promise<CredentialRecord | null> {
      const row = await db
        .selectFrom("api_keys as k")
        .innerJoin("memberships as m", (j) =>
          j.onRef("m.organization_id", "=", "k.organization_id").onRef("m.user_id", "=", "k.created_by"),
        )
        .innerJoin("users as u", "u.id", "k.created_by")
        .innerJoin("organizations as o", "o.id", "k.organization_id")
        .select([
          "k.id",
          "k.scopes",
          // Matched on the secret a roll replaced: it also ends when its grace period does.
          sql<Date | null>`CASE WHEN k.secret_hash = ${secretHash} THEN k.expires_at
            ELSE LEAST(k.expires_at, k.previous_secret_expires_at) END`.as("expires_at"),
          "k.revoked_at",
          ...MEMBER_COLUMNS,
        ])
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
            scopes: row.scopes,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
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
        .executeTakeFirst();
      return row
        ? toRecord(row, {
            kind: "user_token",
            credentialId: row.id,
            scopes: null,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
          })
        : null;
    },

    /** For `X-Organization-ID`: the user's membership in another organization, if any. */
    async findMembership(userId: string, orgId: string): Promise<MembershipRecord | null> {
      const row = await db
        .selectFrom("memberships as m")
        .innerJoin("organizations as o", "o.id", "m.organization_id")
        .select(["o.id", "o.name", "o.plan", "m.role", "m.status"])
        .where("m.user_id", "=", userId)
        .where("m.organization_id", "=", orgId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        organization: { id: row.id, name: row.name, plan: row.plan },
        role: row.role,
        membershipStatus: row.status,
      };
    },

    /** For a platform admin's `X-Organization-ID`: any organization, member or not. */
    async findOrganization(orgId: string): Promise<MembershipRecord["organization"] | null> {
      const row = await db
        .selectFrom("organizations")
        .select(["id", "name", "plan"])
        .where("id", "=", orgId)
        .executeTakeFirst();
      return row ?? null;
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
