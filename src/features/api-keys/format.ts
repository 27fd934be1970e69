import type { Scope } from "../../platform/auth/scopes.js";
import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import type { ApiKey, ApiKeyStatus } from "./schemas.js";
import type { ApiKeyRow } from "./store.js";

export function apiKeyStatus(
  row: Pick<ApiKeyRow, "revoked_at" | "expires_at">,
  now = Date.now(),
): ApiKeyStatus {
  if (row.revoked_at) return "revoked";
  if (row.expires_at && row.expires_at.getTime() <= now) return "expired";
  return "active";
}

/**
 * The one place a key row becomes a response: it picks public columns by name, so a secret hash
 * can never reach a client even if a query selects it.
 */
export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    prefix: row.prefix,
    last4: row.last4,
    scopes: row.scopes as Scope[],
    status: apiKeyStatus(row),
    created_by: row.created_by,
    created_at: rfc3339(row.created_at),
    last_used_at: rfc3339OrNull(row.last_used_at),
    expires_at: rfc3339OrNull(row.expires_at),
    revoked_at: rfc3339OrNull(row.revoked_at),
  };
}
