/**
 * When to try a request again and how long to wait first. Pure functions, so that the policy is
 * read (and tested) apart from the transport.
 */
import { APIConnectionError, APIError } from "./errors.js";

export const DEFAULT_MAX_RETRIES = 2;
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/**
 * A `Retry-After` beyond this is a daily cap or a long outage, not a blip: waiting it out inside
 * one call would look like a hang, so the error is raised at once (it carries `retryAfter`).
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Worth another attempt: 429 and 503 (the API says when, in `Retry-After`), 409
 * `IDEMPOTENCY_KEY_IN_USE` (our own earlier attempt is still running on the server), and no
 * response at all. A POST is only retried with its Idempotency-Key, so it cannot run twice.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError)) return false;
  return error.status === 429 || error.status === 503 || error.code === "IDEMPOTENCY_KEY_IN_USE";
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or undefined when absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}

/**
 * How long to wait before retry number `retry` (0 for the first retry): the server's
 * `Retry-After` when it sent one, else 0.5 s × 2^retry capped at 8 s, less up to a quarter at
 * random so that many clients refused at once do not come back at once. Undefined: do not retry.
 */
export function retryDelayMs(args: {
  retry: number;
  retryAfterHeader?: string | null | undefined;
  random?: () => number;
}): number | undefined {
  const retryAfter = parseRetryAfter(args.retryAfterHeader);
  if (retryAfter !== undefined) return retryAfter <= MAX_RETRY_AFTER_MS ? retryAfter : undefined;
  const backoff = Math.min(INITIAL_DELAY_MS * 2 ** args.retry, MAX_DELAY_MS);
  const jitter = 1 - (args.random ?? Math.random)() * 0.25;
  return Math.round(backoff * jitter);
}
