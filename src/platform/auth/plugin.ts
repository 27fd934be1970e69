import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError, ForbiddenError } from "../errors.js";
import { isId } from "../ids.js";
import { andThen, type MaybePromise } from "../maybe-promise.js";
import { syncHook } from "../sync-hooks.js";
import { type OrgContext, orgContextOf } from "../tenancy.js";
import type { Authenticator, Principal } from "./authenticator.js";
import type { FineScope } from "./scopes.js";

/**
 * Who may call a route, declared once on the route; the same declaration is enforced here and
 * shown in the OpenAPI document. `public` needs no credential, `authenticated` any valid one.
 */
export type Access = "public" | "authenticated" | FineScope;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Not in the sandbox (SPEC §8): the route manages what belongs to the live organization alone
     * (its API keys and its members), so test mode answers 403 `live_only`.
     */
    liveOnly?: boolean;
  }
  interface FastifyRequest {
    /** The caller; set on every route whose access is not `public`. */
    principal: Principal;
    /** The organization the request acts for; the only way handlers reach a store. */
    org: OrgContext;
  }
}

/**
 * Told the outcome of every credential check, so that the rate limiter (SPEC §4) counts the
 * request against the right bucket before anything else can fail. Either may throw (a 429); each
 * returns a promise only when it has to wait (Redis), else counts at once.
 */
export interface CredentialHooks {
  /** The request carries no valid credential; the 401 follows unless this throws. */
  rejected(request: FastifyRequest, reply: FastifyReply): MaybePromise<void>;
  /** The credential is valid; runs before the organization switch and the scope check. */
  verified(request: FastifyRequest, reply: FastifyReply, principal: Principal): MaybePromise<void>;
}

// The interactive reference is the only thing served without a declaration.
const DOCUMENTED_ELSEWHERE = /^\/docs(\/|$)/;

export const authPlugin = fp<{ authenticator: Authenticator; hooks?: CredentialHooks | undefined }>(
  async (app: FastifyInstance, { authenticator, hooks }) => {
    app.decorateRequest("principal", null as unknown as Principal);
    app.decorateRequest("org", null as unknown as OrgContext);

    app.addHook("onRoute", (route) => {
      const access = route.config?.access;
      if (!access) {
        if (!DOCUMENTED_ELSEWHERE.test(route.url)) {
          throw new Error(`Route ${route.method} ${route.url} declares no access: set config.access`);
        }
        return;
      }
      // A copy: Fastify hands the HEAD twin of a GET the same schema object, which this extends.
      route.schema = { ...route.schema };
      const schema = route.schema as Record<string, unknown>;
      if (access !== "public") {
        // Any Bearer credential, or an app's OAuth token granted the scope (features/oauth).
        schema.security = [{ bearerAuth: [] }, { oauth2: access === "authenticated" ? [] : [access] }];
        schema["x-required-scope"] = access;
        const requirement =
          access === "authenticated"
            ? "Any valid credential."
            : `Requires scope \`${access}\` (or a scope that includes it).`;
        const liveOnly = route.config?.liveOnly
          ? "Live mode only: in the sandbox (a `vlt_test_` key, or a user token acting on the sandbox) it answers 403 `live_only`."
          : undefined;
        if (liveOnly) schema["x-live-only"] = true;
        schema.description = [schema.description, requirement, liveOnly].filter(Boolean).join("\n\n");
      }
    });

    // Every authenticated request passes here: a valid live credential already cached, counted in
    // memory, takes no promise (issue 15); anything else waits for what it needs.
    app.addHook(
      "onRequest",
      syncHook((request: FastifyRequest, reply: FastifyReply) => {
        const access = request.routeOptions.config.access;
        if (!access || access === "public") return;
        return andThen(principalOf(request, reply), (principal) => {
          // Set before anything below can refuse (429, a refused switch, a missing scope), so the
          // refusal is still logged for the credential's organization and counted against its key.
          request.principal = principal;
          request.org = orgContextOf(principal, request.id);
          return andThen(hooks?.verified(request, reply, principal), () =>
            andThen(switched(request, principal), (acting) => checkAccess(request, acting, access)),
          );
        });
      }),
    );

    function principalOf(request: FastifyRequest, reply: FastifyReply): MaybePromise<Principal> {
      const header = request.headers.authorization;
      return (
        authenticator.authenticateNow(header) ??
        authenticator.authenticate(header).catch(async (error: unknown) => {
          await hooks?.rejected(request, reply);
          throw error;
        })
      );
    }

    /** The principal acting for the organization X-Organization-ID names, when it names one. */
    function switched(request: FastifyRequest, principal: Principal): MaybePromise<Principal> {
      const orgHeader = request.headers["x-organization-id"];
      if (orgHeader === undefined) return principal;
      if (typeof orgHeader !== "string" || !isId("organization", orgHeader)) {
        throw new ApiError("VALIDATION_ERROR", "X-Organization-ID must be an organization id (org_…)", {
          field: "X-Organization-ID",
          reason: "invalid_format",
          location: "headers",
        });
      }
      return authenticator.switchOrganization(principal, orgHeader).then((acting) => {
        request.principal = acting;
        request.org = orgContextOf(acting, request.id);
        return acting;
      });
    }

    function checkAccess(
      request: FastifyRequest,
      principal: Principal,
      access: Exclude<Access, "public">,
    ): void {
      if (principal.mode === "test" && request.routeOptions.config.liveOnly) {
        throw new ForbiddenError(
          "This belongs to the live organization: use a live API key, or a user token without the sandbox's X-Organization-ID",
          { reason: "live_only" },
        );
      }
      if (access !== "authenticated" && !principal.allowed.has(access)) {
        throw new ForbiddenError(`This credential lacks the scope ${access}`, {
          reason: "insufficient_scope",
          required_scope: access,
        });
      }
    }
  },
  { name: "auth" },
);
