import { describe, expect, it } from "vitest";
import { DISABLE_AFTER_FAILING_MS, RETRY_DELAYS_MS, retryDelayMs } from "./retry-schedule.js";

const s = 1_000;
const min = 60 * s;
const h = 60 * min;

describe("the retry schedule", () => {
  it("follows Standard Webhooks, then retries daily", () => {
    expect(RETRY_DELAYS_MS).toEqual([5 * s, 5 * min, 30 * min, 2 * h, 5 * h, 10 * h, 10 * h, 24 * h, 24 * h]);
  });

  it("gives the wait after each failed attempt, and none once spent", () => {
    expect(retryDelayMs(1)).toBe(5 * s);
    expect(retryDelayMs(2)).toBe(5 * min);
    expect(retryDelayMs(9)).toBe(24 * h);
    expect(retryDelayMs(10)).toBeNull();
  });

  it("spans about three days, so the last failure comes after the endpoint is due to be disabled", () => {
    const total = RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBe(75 * h + 35 * min + 5 * s);
    expect(total).toBeGreaterThanOrEqual(DISABLE_AFTER_FAILING_MS);
    expect(total - (RETRY_DELAYS_MS.at(-1) ?? 0)).toBeLessThan(DISABLE_AFTER_FAILING_MS);
  });
});
