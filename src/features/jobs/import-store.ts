import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { OrgContext } from "../../platform/tenancy.js";

/**
 * What an import of another product's export looks up by name, and the fingerprints of rows
 * already imported. Names are compared as PostgreSQL's lower() sees them, the same function the
 * unique name indexes use, so a name matched here is the name the index would call a duplicate.
 */
export function createImportStore(db: Db) {
  return {
    /** Each text with PostgreSQL's lower() of it; not organization data, so no tenancy. */
    async lowerCase(texts: string[]): Promise<Map<string, string>> {
      if (texts.length === 0) return new Map();
      const result = await sql<{ text: string; key: string }>`
        SELECT t AS text, lower(t) AS key FROM unnest(${texts}::text[]) AS t`.execute(db);
      return new Map(result.rows.map((row) => [row.text, row.key]));
    },

    /** Every member, active or not, with lower-cased e-mail and name (spaces collapsed). */
    async members(ctx: OrgContext) {
      return db
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select([
          "u.id",
          sql<string>`lower(u.email)`.as("email"),
          sql<string>`lower(regexp_replace(btrim(u.name), '\\s+', ' ', 'g'))`.as("name"),
          sql<boolean>`m.status = 'active'`.as("active"),
        ])
        .where("m.organization_id", "=", ctx.orgId)
        .execute();
    },

    async clients(ctx: OrgContext, keys: string[]) {
      if (keys.length === 0) return [];
      return db
        .selectFrom("clients")
        .select(["id", "name", sql<string>`lower(name)`.as("key")])
        .where("organization_id", "=", ctx.orgId)
        .where(sql<boolean>`lower(name) = ANY(${keys}::text[])`)
        .execute();
    },

    /** The projects of these names, with their client's name (lower-cased as `client_key`). */
    async projects(ctx: OrgContext, keys: string[]) {
      if (keys.length === 0) return [];
      return db
        .selectFrom("projects as p")
        .leftJoin("clients as c", (join) =>
          join.onRef("c.organization_id", "=", "p.organization_id").onRef("c.id", "=", "p.client_id"),
        )
        .select([
          "p.id",
          "p.name",
          "p.client_id",
          sql<string>`lower(p.name)`.as("key"),
          "c.name as client_name",
          sql<string | null>`lower(c.name)`.as("client_key"),
        ])
        .where("p.organization_id", "=", ctx.orgId)
        .where(sql<boolean>`lower(p.name) = ANY(${keys}::text[])`)
        .execute();
    },

    /** Tasks of these titles in these projects, oldest first (the first of a title is the one used). */
    async tasks(ctx: OrgContext, projectIds: string[], keys: string[]) {
      if (projectIds.length === 0 || keys.length === 0) return [];
      return db
        .selectFrom("tasks")
        .select(["id", "title", "project_id", sql<string>`lower(title)`.as("key")])
        .where("organization_id", "=", ctx.orgId)
        .where("project_id", "in", projectIds)
        .where(sql<boolean>`lower(title) = ANY(${keys}::text[])`)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },

    async tags(ctx: OrgContext, keys: string[]) {
      if (keys.length === 0) return [];
      return db
        .selectFrom("tags")
        .select(["id", "name", sql<string>`lower(name)`.as("key")])
        .where("organization_id", "=", ctx.orgId)
        .where(sql<boolean>`lower(name) = ANY(${keys}::text[])`)
        .execute();
    },

    /** Which of these fingerprints the organization already has: rows imported before. */
    async knownFingerprints(ctx: OrgContext, fingerprints: string[]): Promise<Set<string>> {
      if (fingerprints.length === 0) return new Set();
      const result = await sql<{ fingerprint: string }>`
        SELECT fingerprint FROM import_fingerprints
        WHERE organization_id = ${ctx.orgId} AND fingerprint = ANY(${fingerprints}::text[])`.execute(db);
      return new Set(result.rows.map((row) => row.fingerprint));
    },

    /**
     * Records the rows an import wrote; returns how many were new. Fewer than given means that
     * another import wrote some of the same rows meanwhile (it committed between our check and now).
     */
    async addFingerprints(
      ctx: OrgContext,
      jobId: string,
      rows: Array<{ fingerprint: string; entryId: string }>,
    ) {
      if (rows.length === 0) return 0;
      const result = await sql`
        INSERT INTO import_fingerprints (organization_id, fingerprint, time_entry_id, job_id)
        SELECT ${ctx.orgId}, f, e, ${jobId}
        FROM unnest(${rows.map((row) => row.fingerprint)}::text[], ${rows.map((row) => row.entryId)}::text[]) AS u(f, e)
        ON CONFLICT DO NOTHING`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}

export type ImportStore = ReturnType<typeof createImportStore>;
