import type { Authenticator } from "../../platform/auth/authenticator.js";
import { credentialKind, hashSecret } from "../../platform/auth/secrets.js";
import type { Db } from "../../platform/db/connection.js";
import { createOAuthProtocolStore } from "./protocol-store.js";

/**
 * RFC 7009 token revocation for an authenticated app. Either token ends the whole OAuth session
 * (the access token and the refresh chain, RFC 7009 §2.1 allows both); an unknown token, or
 * another app's, changes nothing and is answered the same way, so an app learns nothing from it.
 */
export function createRevocation(deps: { db: Db; authenticator: Authenticator }) {
  const protocol = createOAuthProtocolStore(deps.db);
  return {
    async revoke(token: string, appId: string): Promise<void> {
      const kind = credentialKind(token);
      if (kind !== "oauth_access_token" && kind !== "oauth_refresh_token") return;
      const found = await protocol.findToken(hashSecret(token));
      if (!found || found.revoked_at) return;
      const grant = await protocol.findGrantContext(found.grant_id);
      if (grant?.app_id !== appId) return;
      // This process at once; the others' credential caches within 1 s (SPEC §1), as for keys.
      if (await protocol.endSession(found.session_id, "revoked_by_app")) deps.authenticator.forget();
    },
  };
}
