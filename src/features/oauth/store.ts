import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";
import type { ClientType, GrantStatus } from "./schemas.js";

/** Never the secret hash: what leaves the store can safely reach a formatter. */
const APP_COLUMNS = [
  "id",
  "name",
  "client_type",
  "redirect_uris",
  "secret_last4",
  "created_by",
  "created_at",
  "updated_at",
] as const;

const GRANT_COLUMNS = [
  "g.id",
  "g.app_id",
  "a.name as app_name",
  "g.user_id",
  "g.scopes",
  "g.created_at",
  "g.updated_at",
  "g.revoked_at",
] as const;

export interface NewOAuthApp {
  id: string;
  createdBy: string;
  name: string;
  clientType: ClientType;
  redirectUris: string[];
  secret: { hash: string; last4: string } | null;
}

export interface GrantFilter {
  status?: GrantStatus;
  appId?: string;
  /** Only this person's grants (below an admin, one sees only one's own). */
  userId?: string;
}

/** The organization's apps (as their registrant) and the grants its people gave apps. */
export function createOAuthStore(db: Db) {
  const liveApps = (ctx: OrgContext) =>
    db.selectFrom("oauth_apps").where("organization_id", "=", ctx.orgId).where("deleted_at", "is", null);

  function grants(ctx: OrgContext, filter: GrantFilter) {
    let query = db
      .selectFrom("oauth_grants as g")
      .innerJoin("oauth_apps as a", "a.id", "g.app_id")
      .where("g.organization_id", "=", ctx.orgId);
    if (filter.userId) query = query.where("g.user_id", "=", filter.userId);
    if (filter.appId) query = query.where("g.app_id", "=", filter.appId);
    if (filter.status === "active") query = query.where("g.revoked_at", "is", null);
    if (filter.status === "revoked") query = query.where("g.revoked_at", "is not", null);
    return query;
  }

  return {
    async insertApp(ctx: OrgContext, app: NewOAuthApp) {
      return db
        .insertInto("oauth_apps")
        .values({
          id: app.id,
          organization_id: ctx.orgId,
          name: app.name,
          client_type: app.clientType,
          redirect_uris: app.redirectUris,
          secret_hash: app.secret?.hash ?? null,
          secret_last4: app.secret?.last4 ?? null,
          created_by: app.createdBy,
        })
        .returning(APP_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** `forUpdate` locks the row for the rest of the caller's transaction. */
    async findApp(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = liveApps(ctx).select(APP_COLUMNS).where("id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    /** Newest first; ids sort by creation time. */
    async listApps(ctx: OrgContext, window: PageWindow) {
      const [rows, count] = await Promise.all([
        liveApps(ctx)
          .select(APP_COLUMNS)
          .orderBy("id", "desc")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        liveApps(ctx)
          .select((eb) => eb.fn.countAll<string>().as("total"))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    async updateApp(ctx: OrgContext, id: string, patch: { name?: string; redirectUris?: string[] }) {
      return db
        .updateTable("oauth_apps")
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.redirectUris !== undefined ? { redirect_uris: patch.redirectUris } : {}),
          updated_at: sql`now()`,
        })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(APP_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** The old secret stops at once: an app rotates because the secret may have leaked. */
    async replaceSecret(ctx: OrgContext, id: string, secret: { hash: string; last4: string }) {
      return db
        .updateTable("oauth_apps")
        .set({ secret_hash: secret.hash, secret_last4: secret.last4, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .returning(APP_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** Kept as a row, so the grants it had still name it; its client id stops working. */
    async deleteApp(ctx: OrgContext, id: string) {
      await db
        .updateTable("oauth_apps")
        .set({ deleted_at: sql`now()`, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .execute();
    },

    async findGrant(ctx: OrgContext, id: string, options: { forUpdate?: boolean } = {}) {
      let query = grants(ctx, {}).select(GRANT_COLUMNS).where("g.id", "=", id);
      if (options.forUpdate) query = query.forUpdate("g");
      return query.executeTakeFirst();
    },

    /** Newest first. */
    async listGrants(ctx: OrgContext, filter: GrantFilter, window: PageWindow) {
      const [rows, count] = await Promise.all([
        grants(ctx, filter)
          .select(GRANT_COLUMNS)
          .orderBy("g.id", "desc")
          .limit(window.limit)
          .offset(window.offset)
          .execute(),
        grants(ctx, filter)
          .select((eb) => eb.fn.countAll<string>().as("total"))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    /** The person's active grant to the app here, locked: a consent widens it or starts one. */
    async findActiveGrantForUpdate(ctx: OrgContext, appId: string, userId: string) {
      return grants(ctx, { appId, userId, status: "active" })
        .select(GRANT_COLUMNS)
        .forUpdate("g")
        .executeTakeFirst();
    },

    async insertGrant(
      ctx: OrgContext,
      grant: { id: string; appId: string; userId: string; scopes: string[] },
    ) {
      await db
        .insertInto("oauth_grants")
        .values({
          id: grant.id,
          organization_id: ctx.orgId,
          app_id: grant.appId,
          user_id: grant.userId,
          scopes: grant.scopes,
        })
        .execute();
    },

    async widenGrant(ctx: OrgContext, id: string, scopes: string[]) {
      await db
        .updateTable("oauth_grants")
        .set({ scopes, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .execute();
    },

    async revokeGrant(ctx: OrgContext, id: string, reason: string) {
      await db
        .updateTable("oauth_grants")
        .set({ revoked_at: sql`now()`, revoked_reason: reason, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
    },
  };
}

export type OAuthStore = ReturnType<typeof createOAuthStore>;
export type OAuthAppRow = NonNullable<Awaited<ReturnType<OAuthStore["findApp"]>>>;
export type OAuthGrantRow = NonNullable<Awaited<ReturnType<OAuthStore["findGrant"]>>>;
