import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { hashSecret, newOAuthClientSecret } from "../../platform/auth/secrets.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toOAuthApp } from "./format.js";
import { createOAuthProtocolStore } from "./protocol-store.js";
import { checkRedirectUris } from "./redirect-uris.js";
import type {
  CreateOAuthAppBody,
  ListOAuthAppsQuery,
  OAuthAppWithSecret,
  UpdateOAuthAppBody,
} from "./schemas.js";
import { createOAuthStore, type OAuthStore } from "./store.js";

function newSecret() {
  const secret = newOAuthClientSecret();
  return { secret, stored: { hash: hashSecret(secret), last4: secret.slice(-4) } };
}

/**
 * An organization's OAuth apps (issue 14): registered by its admins (the route scopes
 * `*:oauth-apps` only their roles hold). The client secret is shown once; deleting an app ends
 * every consent and token it had, in every organization that authorized it.
 */
export function createOAuthAppService(deps: { db: Db; authenticator: Authenticator }) {
  const { db, authenticator } = deps;

  async function findOwn(conn: Db, store: OAuthStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row = await store.findApp(ctx, id, { forUpdate });
    return row ?? notFoundOrForeign(conn, ctx, "oauth_apps", "id", id, "OAuth app");
  }

  /** Locks the app and checks If-Match, then `act`s on it, in one transaction. */
  function change<T>(
    ctx: OrgContext,
    id: string,
    act: (store: OAuthStore, trx: Db, row: Awaited<ReturnType<typeof findOwn>>) => Promise<T>,
  ) {
    return db.transaction().execute(async (trx) => {
      const store = createOAuthStore(trx);
      const row = await findOwn(trx, store, ctx, id, true);
      checkPrecondition(ctx, toOAuthApp(row));
      return act(store, trx, row);
    });
  }

  return {
    async create(
      ctx: OrgContext,
      principal: Principal,
      body: CreateOAuthAppBody,
    ): Promise<OAuthAppWithSecret> {
      checkRedirectUris(body.redirect_uris);
      const clientType = body.client_type ?? "confidential";
      const credentials = clientType === "confidential" ? newSecret() : null;
      return db.transaction().execute(async (trx) => {
        const row = await createOAuthStore(trx).insertApp(ctx, {
          id: newId("oauthApp"),
          createdBy: principal.user.id,
          name: body.name,
          clientType,
          redirectUris: body.redirect_uris,
          secret: credentials?.stored ?? null,
        });
        const app = await recordChange(trx, ctx, principal, "oauth_app.created", toOAuthApp(row));
        return { ...app, client_secret: credentials?.secret ?? null };
      });
    },

    async list(ctx: OrgContext, query: ListOAuthAppsQuery) {
      const window = pageWindow(query);
      const { rows, total } = await createOAuthStore(db).listApps(ctx, window);
      return { items: rows.map(toOAuthApp), pagination: paginationBlock(window, total) };
    },

    async get(ctx: OrgContext, id: string) {
      return toOAuthApp(await findOwn(db, createOAuthStore(db), ctx, id));
    },

    async update(ctx: OrgContext, principal: Principal, id: string, body: UpdateOAuthAppBody) {
      if (body.redirect_uris) checkRedirectUris(body.redirect_uris);
      return change(ctx, id, async (store, trx) => {
        const row = await store.updateApp(ctx, id, { name: body.name, redirectUris: body.redirect_uris });
        return recordChange(trx, ctx, principal, "oauth_app.updated", toOAuthApp(row));
      });
    },

    /** A new secret; the old one stops at once (tokens already issued keep working). */
    async rotateSecret(ctx: OrgContext, principal: Principal, id: string): Promise<OAuthAppWithSecret> {
      return change(ctx, id, async (store, trx, row) => {
        if (row.client_type === "public") {
          throw new ConflictError("A public app has no client secret to rotate", "public_client");
        }
        const { secret, stored } = newSecret();
        const app = toOAuthApp(await store.replaceSecret(ctx, id, stored));
        await recordChange(trx, ctx, principal, "oauth_app.secret_rotated", app);
        return { ...app, client_secret: secret };
      });
    },

    /** Its client id stops working, and so does every consent and token it had (within 1 s everywhere). */
    async delete(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await change(ctx, id, async (store, trx, row) => {
        await store.deleteApp(ctx, id);
        await createOAuthProtocolStore(trx).revokeGrantsOfApp(id, "app_deleted");
        await recordChange(trx, ctx, principal, "oauth_app.deleted", toOAuthApp(row));
      });
      authenticator.forget();
    },
  };
}
