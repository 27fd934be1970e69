import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";
import type { ApiKeyMode, ApiKeyStatus } from "./schemas.js";

/** Never the secret hashes: what leaves the store can safely reach a formatter. */
const PUBLIC_COLUMNS = [
  "id",
  "name",
  "mode",
  "prefix",
  "last4",
  "scopes",
  "created_by",
  "created_at",
  "last_used_at",
  "expires_at",
  "revoked_at",
] as const;

export interface ApiKeyFilter {
  status?: ApiKeyStatus;
  mode?: ApiKeyMode;
  /** Only keys this user created (members and managers see no others). */
  createdBy?: string;
}

export interface NewApiKey {
  id: string;
  createdBy: string;
  name: string;
  mode: ApiKeyMode;
  prefix: string;
  last4: string;
  secretHash: string;
  scopes: string[];
  expiresAt: Date | null;
}

export interface RolledSecret {
  prefix: string;
  last4: string;
  secretHash: string;
  /** Seconds the old secret keeps working; 0 forgets it at once. */
  graceSeconds: number;
}

export function createApiKeyStore(db: Db) {
  function filtered(ctx: OrgContext, filter: ApiKeyFilter) {
    let query = db.selectFrom("api_keys").where("organization_id", "=", ctx.orgId);
    if (filter.createdBy) query = query.where("created_by", "=", filter.createdBy);
    if (filter.mode) query = query.where("mode", "=", filter.mode);
    if (filter.status === "revoked") query = query.where("revoked_at", "is not", null);
    if (filter.status === "expired") {
      query = query.where("revoked_at", "is", null).where("expires_at", "<=", sql<Date>`now()`);
    }
    if (filter.status === "active") {
      query = query
        .where("revoked_at", "is", null)
        .where((w) => w.or([w("expires_at", "is", null), w("expires_at", ">", sql<Date>`now()`)]));
    }
    return query;
  }

  return {
    async insert(ctx: OrgContext, key: NewApiKey) {
      return db
        .insertInto("api_keys")
        .values({
          id: key.id,
          organization_id: ctx.orgId,
          created_by: key.createdBy,
          name: key.name,
          mode: key.mode,
          prefix: key.prefix,
          last4: key.last4,
          secret_hash: key.secretHash,
          scopes: key.scopes,
          expires_at: key.expiresAt,
        })
        .returning(PUBLIC_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    async find(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = db
        .selectFrom("api_keys")
        .select(PUBLIC_COLUMNS)
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    /** Newest first; ids sort by creation time. */
    async list(ctx: OrgContext, filter: ApiKeyFilter, window: PageWindow) {
      const [rows, count] = await Promise.all([
        filtered(ctx, filter)
          .select(PUBLIC_COLUMNS)
          .orderBy("id", "desc")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        filtered(ctx, filter)
          .select((eb) => eb.fn.countAll<string>().as("total"))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    /** The revoked key; undefined if it was revoked already (it keeps its first `revoked_at`). */
    async revoke(ctx: OrgContext, id: string) {
      return db
        .updateTable("api_keys")
        .set({ revoked_at: sql`now()`, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .returning(PUBLIC_COLUMNS)
        .executeTakeFirst();
    },

    /** The current hash becomes the previous one (PostgreSQL reads old values on the right of SET). */
    async rollSecret(ctx: OrgContext, id: string, next: RolledSecret) {
      const keepOld = next.graceSeconds > 0;
      return db
        .updateTable("api_keys")
        .set({
          previous_secret_hash: keepOld ? sql<string>`secret_hash` : null,
          previous_secret_expires_at: keepOld
            ? sql<Date>`now() + make_interval(secs => ${next.graceSeconds}::double precision)`
            : null,
          secret_hash: next.secretHash,
          prefix: next.prefix,
          last4: next.last4,
          updated_at: sql`now()`,
        })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(PUBLIC_COLUMNS)
        .executeTakeFirstOrThrow();
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
export type ApiKeyRow = NonNullable<Awaited<ReturnType<ApiKeyStore["find"]>>>;
