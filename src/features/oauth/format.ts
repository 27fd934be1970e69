import type { Scope } from "../../platform/auth/scopes.js";
import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import type { OAuthApp, OAuthGrant } from "./schemas.js";
import type { OAuthAppRow, OAuthGrantRow } from "./store.js";

/** The one place an app row becomes a response: by name, so a secret hash can never slip in. */
export function toOAuthApp(row: OAuthAppRow): OAuthApp {
  return {
    id: row.id,
    client_id: row.id,
    name: row.name,
    client_type: row.client_type,
    redirect_uris: row.redirect_uris,
    secret_last4: row.secret_last4,
    created_by: row.created_by,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}

export function toOAuthGrant(row: OAuthGrantRow): OAuthGrant {
  return {
    id: row.id,
    app: { id: row.app_id, name: row.app_name },
    user_id: row.user_id,
    scopes: row.scopes as Scope[],
    status: row.revoked_at ? "revoked" : "active",
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
    revoked_at: rfc3339OrNull(row.revoked_at),
  };
}
