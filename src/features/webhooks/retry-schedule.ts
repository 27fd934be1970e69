const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * How long to wait after each failed attempt before the next one: the Standard Webhooks schedule
 * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then daily until about 3 days have passed since the
 * first attempt (the last retry comes 75 h 35 min after it). Ten attempts in all.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  24 * HOUR,
  24 * HOUR,
];

/** An endpoint whose deliveries have failed for this long, without a success between, is disabled. */
export const DISABLE_AFTER_FAILING_MS = 72 * HOUR;

/** The wait before the next attempt after `attempts` failed ones; null when the schedule is spent. */
export function retryDelayMs(attempts: number): number | null {
  return RETRY_DELAYS_MS[attempts - 1] ?? null;
}
