import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { CredentialHooks } from "../auth/plugin.js";
import { ApiError } from "../errors.js";
import { andThen } from "../maybe-promise.js";
import { syncHook } from "../sync-hooks.js";
import type { RateLimiter, Verdict } from "./limiter.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * A sign-in route (login, refresh): its failed attempts are counted per client IP and per
     * `email` in the body, and it answers 429 once either has failed too often (SPEC §4, password
     * guessing).
     */
    signIn?: boolean;
    /** A static file of a page (the console's hashed assets): not API traffic, so not counted. */
    staticAsset?: boolean;
  }
}

function setHeaders(reply: FastifyReply, verdict: Verdict): void {
  reply.header("X-RateLimit-Limit", String(verdict.limit));
  reply.header("X-RateLimit-Remaining", String(verdict.remaining));
  reply.header("X-RateLimit-Reset", String(verdict.resetAt));
}

/** Sets SPEC §4's headers; throws the 429 when the verdict refuses. */
function enforce(reply: FastifyReply, verdict: Verdict, reason: string): void {
  setHeaders(reply, verdict);
  if (!verdict.refused) return;
  reply.header("Retry-After", String(verdict.retryAfter));
  throw new ApiError(
    "RATE_LIMIT_EXCEEDED",
    `Rate limit exceeded. Try again in ${verdict.retryAfter} seconds.`,
    { retry_after: verdict.retryAfter, reason },
  );
}

const hooksOf = <T>(hook: T | T[] | undefined): T[] =>
  hook === undefined ? [] : Array.isArray(hook) ? hook : [hook];

const emailOf = (body: unknown): string | undefined => {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === "string" ? email : undefined;
};

/**
 * SPEC §4 over HTTP. Registered before the auth plugin: requests to public and unknown routes are
 * counted per client IP here, before anything else runs; requests that need a credential are
 * counted by `credentialHooks` once the auth plugin knows whether the credential is valid.
 * `request.ip` honours `VOLTASIS_TRUST_PROXY` (Fastify's `trustProxy`).
 */
export const rateLimitPlugin = fp<{ limiter: RateLimiter }>(
  async (app: FastifyInstance, { limiter }) => {
    app.addHook("onClose", () => limiter.close());
    if (!limiter.enabled) return;

    // Every request passes here, so the common case (a route that needs a credential, counted
    // later by credentialHooks) returns at once.
    app.addHook(
      "onRequest",
      syncHook((request, reply) => {
        const access = request.routeOptions.config.access;
        if (access && access !== "public") return;
        // The interactive reference loads a dozen assets per page view: not API traffic to limit.
        if (request.routeOptions.url?.startsWith("/docs")) return;
        if (request.routeOptions.config.staticAsset) return;
        return andThen(limiter.address(request.ip), (verdict) => enforce(reply, verdict, "ip_limit"));
      }),
    );

    // Only the sign-in routes carry these hooks, so no other route pays for them.
    app.addHook("onRoute", (route) => {
      if (!route.config?.signIn) return;
      route.preHandler = [...hooksOf(route.preHandler), checkSignIn];
      route.onSend = [...hooksOf(route.onSend), countSignIn];
    });

    // Counted before the password is checked, so concurrent guesses cannot slip past the limit.
    async function checkSignIn(request: FastifyRequest, reply: FastifyReply) {
      const refusal = await limiter.signIns.attempt(request.ip, emailOf(request.body));
      if (refusal) enforce(reply, refusal, "too_many_failed_sign_ins");
    }

    // Settled before the response leaves, so that the client's next attempt already sees it.
    async function countSignIn(request: FastifyRequest, reply: FastifyReply) {
      if (reply.statusCode < 300) await limiter.signIns.succeeded(request.ip, emailOf(request.body));
    }
  },
  { name: "rate-limit" },
);

/** What the auth plugin calls once it knows whether the request carries a valid credential. */
export function credentialHooks(limiter: RateLimiter): CredentialHooks | undefined {
  if (!limiter.enabled) return undefined;
  return {
    // A request without a valid credential is an unauthenticated one: its IP pays for it, and
    // once the IP is over its limit the answer is 429 rather than another 401.
    rejected: (request, reply) =>
      andThen(limiter.address(request.ip), (verdict) => enforce(reply, verdict, "ip_limit")),
    // Test keys (`vlt_test_`, SPEC §8) skip the plan's limits and meet only the sandbox's abuse cap.
    verified: (_request, reply, principal) =>
      principal.mode === "test"
        ? andThen(limiter.sandbox(principal), (verdict) => enforce(reply, verdict, "sandbox_abuse_cap"))
        : andThen(limiter.credential(principal), (verdict) => enforce(reply, verdict, "credential_limit")),
  };
}
