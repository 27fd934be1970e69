import { expect } from "vitest";
import { expectError } from "./fixtures.js";

interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}

/** SPEC §4's three headers as numbers; fails when one is missing. */
export function limitHeaders(res: Response) {
  const read = (name: string) => {
    const value = res.headers[name];
    expect(value, `${name} on a ${res.statusCode}`).toMatch(/^\d+$/);
    return Number(value);
  };
  return {
    limit: read("x-ratelimit-limit"),
    remaining: read("x-ratelimit-remaining"),
    reset: read("x-ratelimit-reset"),
  };
}

/** Asserts SPEC §4's 429 (code, exact message, details.retry_after = Retry-After) and returns N. */
export function expectRateLimited(res: Response): number {
  const error = expectError(res, 429, "RATE_LIMIT_EXCEEDED");
  const seconds = Number(res.headers["retry-after"]);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(error.message).toBe(`Rate limit exceeded. Try again in ${seconds} seconds.`);
  expect(error.details?.retry_after).toBe(seconds);
  expect(limitHeaders(res).remaining).toBe(0);
  return seconds;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
