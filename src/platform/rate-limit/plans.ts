/** The plans an organization can be on (SPEC §4). */
export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** A plan's allowance per credential (SPEC §4). `perDay: null` means no daily cap. */
export interface PlanLimit {
  perMinute: number;
  perDay: number | null;
}

export type PlanLimits = Record<Plan, PlanLimit>;

/** SPEC §4's defaults; `VOLTASIS_PLAN_LIMITS` overrides any of them. */
export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  free: { perMinute: 60, perDay: 1_000 },
  pro: { perMinute: 300, perDay: 50_000 },
  enterprise: { perMinute: 1_000, perDay: null },
};

/** SPEC §4: unauthenticated requests, per client IP per minute (`VOLTASIS_UNAUTHENTICATED_LIMIT`). */
export const DEFAULT_UNAUTHENTICATED_PER_MINUTE = 100;

/**
 * SPEC §8: test keys skip the plan limits; this cap per test key per minute stays, against abuse
 * (`VOLTASIS_SANDBOX_LIMIT`). Ten times the largest plan: no honest test suite meets it.
 */
export const DEFAULT_SANDBOX_PER_MINUTE = 10_000;

/**
 * Against password guessing (SPEC §4), on top of the per-IP limit: failed logins per e-mail and
 * failed logins or refreshes per IP, counted over a fixed window. Ten guesses per account per
 * quarter hour is plenty for a person who mistypes and useless to someone guessing; thirty per IP
 * lets an office behind one address survive a few forgetful colleagues.
 */
export const FAILED_SIGN_INS = { perEmail: 10, perIp: 30, windowSeconds: 15 * 60 } as const;

/** The windows counted, in seconds; each is a fixed window that starts at the first request it counts. */
export const WINDOWS = { minute: 60, day: 86_400, signIn: FAILED_SIGN_INS.windowSeconds } as const;
export type WindowName = keyof typeof WINDOWS;
export type WindowLengths = Record<WindowName, number>;
