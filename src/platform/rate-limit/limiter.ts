import type { FastifyBaseLogger } from "fastify";
import type { Principal } from "../auth/authenticator.js";
import { hashSecret } from "../auth/secrets.js";
import type { Config, Plan } from "../config.js";
import { andThen, type MaybePromise } from "../maybe-promise.js";
import { createConcurrencyLimiter } from "./concurrency.js";
import { type Count, createCounters } from "./counters.js";
import { FAILED_SIGN_INS, WINDOWS } from "./plans.js";

/** What one window says about a request: SPEC §4's headers, and whether it is refused. */
export interface Verdict {
  limit: number;
  remaining: number;
  /** Unix epoch seconds at which the window starts afresh. */
  resetAt: number;
  refused: boolean;
  /** Whole seconds until the window resets, at least 1: `Retry-After` when refused. */
  retryAfter: number;
}

function verdict(limit: number, { count, msBeforeReset }: Count, refusedFrom = limit + 1): Verdict {
  const ms = Math.max(msBeforeReset, 0);
  return {
    limit,
    remaining: Math.max(limit - count, 0),
    resetAt: Math.ceil((Date.now() + ms) / 1000),
    refused: count >= refusedFrom,
    retryAfter: Math.max(Math.ceil(ms / 1000), 1),
  };
}

/** SPEC §4: report the window with the fewest requests left (a refusing one first, then the later reset). */
function tightest(a: Verdict, b: Verdict): Verdict {
  if (a.refused !== b.refused) return a.refused ? a : b;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  return a.resetAt >= b.resetAt ? a : b;
}

// E-mail addresses are kept out of Redis: the key is a digest of the normalized address.
const emailKey = (email: string) => `email:${hashSecret(email.trim().toLowerCase()).slice(0, 32)}`;

/**
 * SPEC §4's decisions, over counters in memory or in Redis (counters.ts). Knows nothing of HTTP;
 * plugin.ts turns verdicts into headers and 429s.
 */
export function createRateLimiter(config: Config, log: FastifyBaseLogger) {
  const { enabled, plans, unauthenticatedPerMinute, minuteSeconds, sandboxPerMinute } = config.rateLimits;
  // With limits off nothing is counted, so nothing connects to Redis either.
  const counters = enabled
    ? createCounters({
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        log,
        windows: { ...WINDOWS, minute: minuteSeconds },
      })
    : undefined;
  const count = () => {
    if (!counters) throw new Error("rate limits are off");
    return counters;
  };
  // Open streams are capped even with rate limits off; across processes when Redis is in use.
  const concurrency = createConcurrencyLimiter({ redis: counters?.redis, prefix: config.redisPrefix, log });

  return {
    enabled,
    redisReachable: counters?.redisReachable,
    concurrency,

    /** Unauthenticated requests, and requests whose credential failed: per client IP per minute. */
    address(ip: string): MaybePromise<Verdict> {
      return andThen(count().hit("minute", `ip:${ip}`), (c) => verdict(unauthenticatedPerMinute, c));
    },

    /**
     * Authenticated requests: per credential (API key or session), by the plan of the organization
     * the credential belongs to, per minute and, where the plan has one, per day. The day counts
     * only requests the minute admitted, so a burst refused by the minute does not eat the day.
     */
    credential(principal: Principal): MaybePromise<Verdict> {
      const { perMinute, perDay } = plans[principal.organization.plan as Plan] ?? plans[config.defaultPlan];
      const key = `cred:${principal.credentialId}`;
      return andThen(count().hit("minute", key), (c) => {
        const minute = verdict(perMinute, c);
        if (minute.refused || perDay === null) return minute;
        return andThen(count().hit("day", key), (d) => tightest(minute, verdict(perDay, d)));
      });
    },

    /**
     * Test keys (SPEC §8: the sandbox is not rate limited by plan): only a cap against abuse, per
     * credential per minute, far above any plan, so that a runaway test loop cannot take the server.
     */
    sandbox(principal: Principal): MaybePromise<Verdict> {
      return andThen(count().hit("minute", `sandbox:${principal.credentialId}`), (c) =>
        verdict(sandboxPerMinute, c),
      );
    },

    /**
     * Sign-in attempts (login, refresh) per IP, and per e-mail where there is one. Each attempt is
     * counted before its password or token is checked, in one atomic step per window, so that 25
     * guesses sent at once cannot all pass a limit of 10 before any is counted; an attempt that
     * gets in is then taken back off the address and clears the e-mail's count, so what remains
     * counted is failures.
     */
    signIns: {
      /** Counts this attempt; the window that refuses it, if any. */
      async attempt(ip: string, email: string | undefined): Promise<Verdict | null> {
        const checks: Array<[number, string]> = [[FAILED_SIGN_INS.perIp, `ip:${ip}`]];
        if (email) checks.push([FAILED_SIGN_INS.perEmail, emailKey(email)]);
        const seen = await Promise.all(
          checks.map(async ([limit, key]) => verdict(limit, await count().hit("signIn", key))),
        );
        const refusing = seen.filter((v) => v.refused);
        return refusing.length === 0
          ? null
          : refusing.reduce((a, b) => (b.retryAfter > a.retryAfter ? b : a));
      },
      /** The account's owner got in: the attempt was no guess, and their earlier typos no longer count. */
      async succeeded(ip: string, email: string | undefined): Promise<void> {
        await count().refund("signIn", `ip:${ip}`);
        if (email) await count().forget("signIn", emailKey(email));
      },
    },

    close: async () => {
      concurrency.close();
      await counters?.close();
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
