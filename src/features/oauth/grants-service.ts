import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { ForbiddenError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toOAuthGrant } from "./format.js";
import type { ListOAuthGrantsQuery } from "./schemas.js";
import { createOAuthStore, type OAuthStore } from "./store.js";

/** SPEC §3 roles, as for API keys: owners and admins see and revoke every grant, others their own. */
const seesAllGrants = (principal: Principal) => principal.role === "owner" || principal.role === "admin";

/** The apps people of the organization authorized: each person's own, and all of them for admins. */
export function createOAuthGrantService(deps: { db: Db; authenticator: Authenticator }) {
  const { db, authenticator } = deps;

  async function findVisible(
    conn: Db,
    store: OAuthStore,
    ctx: OrgContext,
    principal: Principal,
    id: string,
    options: { forUpdate?: boolean } = {},
  ) {
    const row = await store.findGrant(ctx, id, options);
    if (!row) return notFoundOrForeign(conn, ctx, "oauth_grants", "id", id, "OAuth grant");
    if (row.user_id !== principal.user.id && !seesAllGrants(principal)) {
      throw new ForbiddenError("You can only see and revoke the apps you authorized", {
        reason: "not_owner",
      });
    }
    return row;
  }

  return {
    async list(ctx: OrgContext, principal: Principal, query: ListOAuthGrantsQuery) {
      const window = pageWindow(query);
      const filter = {
        status: query.status,
        appId: query.app_id,
        userId: seesAllGrants(principal) ? undefined : principal.user.id,
      };
      const { rows, total } = await createOAuthStore(db).listGrants(ctx, filter, window);
      return { items: rows.map(toOAuthGrant), pagination: paginationBlock(window, total) };
    },

    async get(ctx: OrgContext, principal: Principal, id: string) {
      return toOAuthGrant(await findVisible(db, createOAuthStore(db), ctx, principal, id));
    },

    /** Idempotent; the app's tokens stop here at once and on every process within 1 s. */
    async revoke(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      const revoked = await db.transaction().execute(async (trx) => {
        const store = createOAuthStore(trx);
        const row = await findVisible(trx, store, ctx, principal, id, { forUpdate: true });
        checkPrecondition(ctx, toOAuthGrant(row));
        if (row.revoked_at) return false;
        const reason = row.user_id === principal.user.id ? "revoked_by_user" : "revoked_by_admin";
        await store.revokeGrant(ctx, id, reason);
        const after = await store.findGrant(ctx, id);
        if (after) await recordChange(trx, ctx, principal, "oauth_grant.revoked", toOAuthGrant(after));
        return true;
      });
      if (revoked) authenticator.forget();
    },
  };
}
