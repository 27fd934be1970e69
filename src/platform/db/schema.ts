import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = "owner" | "admin" | "manager" | "member";
export type MembershipStatus = "active" | "deactivated";

export interface OrganizationsTable {
  id: string;
  name: string;
  plan: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  /** argon2id; null for members added by an admin who have not set a password. */
  password_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: Role;
  status: Generated<MembershipStatus>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One login: the family of access and refresh tokens that rotation produces. */
export interface SessionsTable {
  id: string;
  user_id: string;
  organization_id: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
}

export interface SessionTokensTable {
  /** SHA-256 hex of the token; the token itself is never stored. */
  token_hash: string;
  session_id: string;
  kind: "access" | "refresh";
  expires_at: Timestamp;
  /** Set when a refresh token is spent; presenting it again revokes the session. */
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  created_by: string;
  name: string;
  mode: "live" | "test";
  prefix: string;
  last4: string;
  secret_hash: string;
  /** After a roll the old secret may keep working for a grace period. */
  previous_secret_hash: string | null;
  previous_secret_expires_at: NullableTimestamp;
  scopes: string[];
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  session_tokens: SessionTokensTable;
  api_keys: ApiKeysTable;
}
