import OAuth2Server, {
  type AuthorizationCode,
  type AuthorizationCodeModel,
  type Client,
  type RefreshToken,
  type RefreshTokenModel,
  type Token,
} from "@node-oauth/oauth2-server";
import type { Authenticator } from "../../platform/auth/authenticator.js";
import { isScope, scopesBeyondRole } from "../../platform/auth/scopes.js";
import {
  hashSecret,
  newOAuthAccessToken,
  newOAuthAuthorizationCode,
  newOAuthRefreshToken,
} from "../../platform/auth/secrets.js";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { recordConsent } from "./consent.js";
import { createOAuthProtocolStore } from "./protocol-store.js";

/** Lifetimes (seconds). Codes are exchanged within moments of the redirect; RFC 6749 §4.1.2 says "short". */
export const CODE_TTL_S = 60;
export const ACCESS_TOKEN_TTL_S = 60 * 60;
export const REFRESH_TOKEN_TTL_S = 30 * 24 * 60 * 60;

const GRANT_TYPES = ["authorization_code", "refresh_token"];

/**
 * The library's `user`: a person acting in one organization through one consent. Everything the
 * library hands back to the model about a code or token is this object, as the model built it.
 */
export interface ResourceOwner {
  id: string;
  role: Role;
  organizationId: string;
  grantId?: string;
  /** The OAuth session a refresh continues. */
  sessionId?: string;
  /** Set while a person approves: the request acting, for the consent's event and audit entry. */
  consentCtx?: OrgContext;
}

/** The person, organization and consent behind a code or refresh token, as they are now. */
function ownerOf(grant: { id: string; user_id: string; role: Role; organization_id: string }): ResourceOwner {
  return { id: grant.user_id, role: grant.role, organizationId: grant.organization_id, grantId: grant.id };
}

/**
 * @node-oauth/oauth2-server's model over PostgreSQL: the library runs the protocol (client
 * authentication, code exchange, PKCE verification, refresh rotation, the token response and RFC
 * 6749 errors); this stores and finds what it asks for, and decides what is ours to decide:
 * scopes never beyond the person's role now, a replayed code or reused refresh token ending what
 * it issued, a deleted app, revoked consent or departed member ending everything.
 */
export function createOAuthModel(deps: { db: Db; authenticator: Authenticator }) {
  const { db, authenticator } = deps;
  const protocol = createOAuthProtocolStore(db);

  const model: AuthorizationCodeModel & RefreshTokenModel = {
    async getClient(clientId: string, clientSecret: string | null | undefined) {
      const app = await protocol.findClient(clientId);
      if (!app) return null;
      // The authorization endpoint asks with null: no client authentication there (RFC 6749 §4.1.1).
      // At the token endpoint a confidential app proves its secret; a public app has none to send.
      if (clientSecret !== null) {
        const presented = clientSecret ? hashSecret(clientSecret) : null;
        if (presented !== app.secret_hash) return null;
      }
      return { id: app.id, grants: GRANT_TYPES, redirectUris: app.redirect_uris };
    },

    /** Every scope known and, for the person's role in the organization now, holdable (SPEC §3). */
    async validateScope(user: ResourceOwner, _client: Client, scope?: string[]) {
      if (!scope?.length) throw new OAuth2Server.InvalidScopeError("Invalid scope: `scope` is required");
      const unknown = scope.filter((s) => !isScope(s));
      if (unknown.length > 0) {
        throw new OAuth2Server.InvalidScopeError(`Invalid scope: unknown scopes ${unknown.join(", ")}`);
      }
      const beyond = scopesBeyondRole(user.role, scope.filter(isScope));
      if (beyond.length > 0) {
        throw new OAuth2Server.InvalidScopeError(
          `Invalid scope: the role ${user.role} cannot grant ${beyond.join(", ")}`,
        );
      }
      return scope;
    },

    generateAuthorizationCode: async () => newOAuthAuthorizationCode(),
    generateAccessToken: async () => newOAuthAccessToken(),
    generateRefreshToken: async () => newOAuthRefreshToken(),

    /** The person approved: their consent is remembered (or widened) and the code stored with it. */
    async saveAuthorizationCode(code, client: Client, user: ResourceOwner) {
      const ctx = user.consentCtx;
      if (!ctx || !code.scope || !code.codeChallenge)
        throw new Error("a code needs a consent and a challenge");
      const scopes = code.scope;
      await db.transaction().execute(async (trx) => {
        const grantId = await recordConsent(trx, ctx, { appId: client.id, userId: user.id, scopes });
        await createOAuthProtocolStore(trx).insertCode({
          hash: hashSecret(code.authorizationCode),
          grantId,
          redirectUri: code.redirectUri,
          scopes,
          codeChallenge: code.codeChallenge as string,
          expiresAt: code.expiresAt,
        });
      });
      return { ...code, client, user } as AuthorizationCode;
    },

    async getAuthorizationCode(authorizationCode: string) {
      const hash = hashSecret(authorizationCode);
      const code = await protocol.findCode(hash);
      if (!code) return null;
      if (code.used_at) {
        await protocol.endSessionOfCode(hash, "code_replayed");
        authenticator.forget();
        return null;
      }
      const grant = await protocol.findGrantContext(code.grant_id);
      if (!grant?.active) return null;
      return {
        authorizationCode,
        expiresAt: code.expires_at,
        redirectUri: code.redirect_uri,
        scope: code.scopes,
        codeChallenge: code.code_challenge,
        codeChallengeMethod: "S256",
        client: { id: grant.app_id, grants: GRANT_TYPES },
        user: ownerOf(grant),
      };
    },

    /** Single use, even when two exchanges race: only one spends it. */
    async revokeAuthorizationCode(code: AuthorizationCode) {
      return protocol.spendCode(hashSecret(code.authorizationCode));
    },

    /** A code exchange starts an OAuth session; a refresh adds to the session it continues. */
    async saveToken(token: Token, client: Client, user: ResourceOwner) {
      const sessionId = user.sessionId ?? newId("oauthSession");
      const scopes = token.scope ?? [];
      await db.transaction().execute(async (trx) => {
        const store = createOAuthProtocolStore(trx);
        if (!user.sessionId) {
          if (!user.grantId || !token.authorizationCode) throw new Error("a new session needs its code");
          await store.insertSession({
            id: sessionId,
            grantId: user.grantId,
            codeHash: hashSecret(token.authorizationCode),
          });
        }
        await store.insertTokens(sessionId, [
          {
            hash: hashSecret(token.accessToken),
            kind: "access",
            scopes,
            expiresAt: token.accessTokenExpiresAt as Date,
          },
          {
            hash: hashSecret(token.refreshToken as string),
            kind: "refresh",
            scopes,
            expiresAt: token.refreshTokenExpiresAt as Date,
          },
        ]);
      });
      return { ...token, client, user: { ...user, sessionId } };
    },

    async getRefreshToken(refreshToken: string) {
      const hash = hashSecret(refreshToken);
      const token = await protocol.findToken(hash);
      if (token?.kind !== "refresh" || token.revoked_at) return null;
      if (token.used_at) {
        // Rotation's reuse detection: a spent refresh token presented again means two holders.
        await protocol.endSession(token.session_id, "refresh_token_reused");
        authenticator.forget();
        return null;
      }
      const grant = await protocol.findGrantContext(token.grant_id);
      if (!grant?.active) return null;
      const refresh: RefreshToken = {
        refreshToken,
        refreshTokenExpiresAt: token.expires_at,
        scope: token.scopes,
        client: { id: grant.app_id, grants: GRANT_TYPES },
        user: { ...ownerOf(grant), sessionId: token.session_id },
      };
      return refresh;
    },

    async revokeToken(token: RefreshToken) {
      return protocol.spendRefreshToken(hashSecret(token.refreshToken));
    },

    // Bearer tokens on API routes are verified by platform/auth's authenticator (cached, shared
    // with API keys), never through the library's authenticate(): nothing asks this.
    async getAccessToken() {
      return null;
    },
  };
  return model;
}

/** One library instance over the model, with Voltasis's lifetimes; PKCE `plain` stays refused. */
export function createOAuthServer(deps: { db: Db; authenticator: Authenticator }) {
  return new OAuth2Server({
    model: createOAuthModel(deps),
    authorizationCodeLifetime: CODE_TTL_S,
    accessTokenLifetime: ACCESS_TOKEN_TTL_S,
    refreshTokenLifetime: REFRESH_TOKEN_TTL_S,
    allowEmptyState: false,
    alwaysIssueNewRefreshToken: true,
    // Public apps have no secret: whether a client must authenticate is the model's decision, per app.
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
  });
}
