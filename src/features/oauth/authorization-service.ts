import OAuth2Server from "@node-oauth/oauth2-server";
import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { describeScope } from "../../platform/auth/scope-words.js";
import { expandScope, isScope, type Scope, scopesBeyondRole } from "../../platform/auth/scopes.js";
import type { Db } from "../../platform/db/connection.js";
import { ApiError, ForbiddenError, NotFoundError } from "../../platform/errors.js";
import { isId, newId } from "../../platform/ids.js";
import { orgContextOf } from "../../platform/tenancy.js";
import { rfc3339 } from "../../platform/time.js";
import { createOAuthServer, type ResourceOwner } from "./model.js";
import { createOAuthProtocolStore } from "./protocol-store.js";
import type { OAuthAuthorizationRequest, OAuthDecision } from "./schemas.js";

/** Where the browser goes to decide: the console's consent screen, on the same origin. */
export const CONSENT_PATH = "/oauth/consent";
/** How long a person has to decide. */
const REQUEST_TTL_S = 10 * 60;
// RFC 6749 Appendix A.5: state is VSCHAR; bounded so that it fits a row.
const STATE = /^[\x20-\x7E]{1,500}$/;
// RFC 7636 §4.2: an S256 challenge is BASE64URL of 32 bytes, 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

type Query = Record<string, string | string[] | undefined>;

/** RFC 6749 §4.1.2.1: once the redirect URI is trusted, errors go back to the app. */
function errorRedirect(redirectUri: string, error: string, description: string, state: string | undefined) {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error);
  url.searchParams.set("error_description", description);
  if (state) url.searchParams.set("state", state);
  return url.toString();
}

/** Errors before the redirect URI is trusted are answered here, never redirected (no open redirect). */
function untrusted(field: string, message: string, reason: string) {
  return new ApiError("INVALID_REQUEST", message, { field, reason, location: "query" });
}

function requirePerson(principal: Principal) {
  if (principal.kind !== "user_token") {
    throw new ForbiddenError("Only a signed-in person decides what an app may do: use a user access token", {
      reason: "user_token_required",
    });
  }
}

/** Whether a consent's scopes cover every fine scope the request asks for. */
function covers(granted: readonly string[] | undefined, requested: readonly Scope[]): boolean {
  if (!granted) return false;
  const held = new Set(granted.filter(isScope).flatMap(expandScope));
  return requested.flatMap(expandScope).every((scope) => held.has(scope));
}

/**
 * The authorization endpoint, split so that the console hosts the consent screen: `begin`
 * validates the app's request and parks it; the signed-in person sees it (`show`) and decides
 * (`decide`), and the library (through the model) issues the code.
 */
export function createAuthorizationService(deps: { db: Db; authenticator: Authenticator }) {
  const protocol = createOAuthProtocolStore(deps.db);
  const server = createOAuthServer(deps);

  async function openRequest(id: string) {
    const request = await protocol.findOpenAuthorizationRequest(id);
    if (!request)
      throw new NotFoundError("open authorization request (it may have expired or been decided)", id);
    return request;
  }

  return {
    /** GET /oauth/authorize: the browser's next stop, the consent screen or the app with an error. */
    async begin(query: Query): Promise<string> {
      const one = (name: string) => {
        const value = query[name];
        return Array.isArray(value) ? undefined : value;
      };
      const clientId = one("client_id");
      const app = clientId && isId("oauthApp", clientId) ? await protocol.findClient(clientId) : undefined;
      if (!app) throw untrusted("client_id", "client_id names no registered OAuth app", "unknown_client");
      const redirectUri = one("redirect_uri");
      if (!redirectUri || !app.redirect_uris.includes(redirectUri)) {
        throw untrusted(
          "redirect_uri",
          "redirect_uri must be one of the app's registered redirect URIs, exactly",
          "redirect_uri_mismatch",
        );
      }
      const state = one("state");
      const back = (error: string, description: string) =>
        errorRedirect(redirectUri, error, description, state && STATE.test(state) ? state : undefined);
      const repeated = Object.keys(query).filter((name) => Array.isArray(query[name]));
      if (repeated.length > 0) return back("invalid_request", `Sent more than once: ${repeated.join(", ")}`);
      if (one("response_type") !== "code") {
        return back("unsupported_response_type", "response_type must be code");
      }
      if (!state || !STATE.test(state)) return back("invalid_request", "state is required");
      const method = one("code_challenge_method");
      if (method !== "S256") {
        return back(
          "invalid_request",
          method === "plain"
            ? "code_challenge_method plain is not allowed: use S256"
            : "PKCE is required: code_challenge_method=S256",
        );
      }
      const challenge = one("code_challenge");
      if (!challenge || !S256_CHALLENGE.test(challenge)) {
        return back("invalid_request", "code_challenge must be BASE64URL(SHA-256(code_verifier))");
      }
      const scopes = [...new Set((one("scope") ?? "").split(" ").filter(Boolean))];
      const unknown = scopes.filter((scope) => !isScope(scope));
      if (scopes.length === 0) return back("invalid_scope", "scope is required");
      if (unknown.length > 0) return back("invalid_scope", `Unknown scopes: ${unknown.join(", ")}`);
      const id = newId("oauthRequest");
      await protocol.insertAuthorizationRequest({
        id,
        appId: app.id,
        redirectUri,
        scopes,
        state,
        codeChallenge: challenge,
        expiresAt: new Date(Date.now() + REQUEST_TTL_S * 1000),
      });
      return `${CONSENT_PATH}?request=${id}`;
    },

    /** What the consent screen shows: the app, each scope in words, the person's organizations. */
    async show(principal: Principal, id: string): Promise<OAuthAuthorizationRequest> {
      requirePerson(principal);
      const request = await openRequest(id);
      const scopes = request.scopes.filter(isScope);
      const [memberships, grants] = await Promise.all([
        protocol.activeMemberships(principal.user.id),
        protocol.activeGrantsOf(principal.user.id, request.app_id),
      ]);
      return {
        id: request.id,
        app: { name: request.app_name, client_type: request.client_type },
        redirect_uri: request.redirect_uri,
        scopes: scopes.map((scope) => ({ scope, description: describeScope(scope) })),
        organizations: memberships.map((m) => ({
          id: m.id,
          name: m.name,
          role: m.role,
          allowed: scopesBeyondRole(m.role, scopes).length === 0,
          remembered: covers(grants.find((g) => g.organization_id === m.id)?.scopes, scopes),
        })),
        expires_at: rfc3339(request.expires_at),
      };
    },

    /**
     * The person's decision, once: approving in one of their organizations issues a code (through
     * the library, which checks the scopes against their role there), denying sends the app
     * `access_denied`. Either way the answer is where to send the browser.
     */
    async decide(
      principal: Principal,
      id: string,
      decision: { approve: string } | "deny",
      requestId: string,
    ): Promise<OAuthDecision> {
      requirePerson(principal);
      const request = await openRequest(id);
      // Denying needs no organization; approving names one the person is an active member of.
      let owner: ResourceOwner = {
        id: principal.user.id,
        role: principal.role,
        organizationId: principal.organization.id,
      };
      if (decision !== "deny") {
        const orgId = decision.approve;
        const membership = (await protocol.activeMemberships(principal.user.id)).find((m) => m.id === orgId);
        if (!membership) {
          throw new ForbiddenError("You are not an active member of that organization", {
            reason: "organization_not_allowed",
            field: "organization_id",
          });
        }
        owner = {
          ...owner,
          role: membership.role,
          organizationId: orgId,
          consentCtx: orgContextOf({ ...principal, organization: { id: orgId } }, requestId),
        };
      }
      if (!(await protocol.decideAuthorizationRequest(id))) {
        throw new NotFoundError("open authorization request (it was decided meanwhile)", id);
      }
      const libraryRequest = new OAuth2Server.Request({
        method: "POST",
        headers: {},
        query: {},
        body: {
          response_type: "code",
          client_id: request.app_id,
          redirect_uri: request.redirect_uri,
          scope: request.scopes.join(" "),
          state: request.state,
          code_challenge: request.code_challenge,
          code_challenge_method: "S256",
          ...(decision === "deny" ? { allowed: "false" } : {}),
        },
      });
      const response = new OAuth2Server.Response();
      try {
        await server.authorize(libraryRequest, response, { authenticateHandler: { handle: () => owner } });
      } catch (error) {
        // OAuth errors (access_denied, invalid_scope) are redirected to the app; anything else is ours.
        if (!(error instanceof OAuth2Server.OAuthError)) throw error;
        const inner = (error as { inner?: unknown }).inner;
        if (error instanceof OAuth2Server.ServerError && inner) throw inner;
      }
      const location = response.get("location") as string | undefined;
      if (!location) throw new NotFoundError("OAuth app (it was deleted meanwhile)", request.app_id);
      return { redirect_to: location };
    },
  };
}
