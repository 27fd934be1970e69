import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";
import { DEFAULT_PLAN_LIMITS } from "./plans.js";

/** SPEC §1: a bad value stops the process with a message naming the variable. */
describe("rate-limit and scale-out configuration", () => {
  it("defaults: SPEC §4's plans, 100 a minute per IP, 10,000 per test key, no proxy trusted, shedding at 1 s of lag", () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({
      enabled: true,
      plans: {
        free: { perMinute: 60, perDay: 1000 },
        pro: { perMinute: 300, perDay: 50000 },
        enterprise: { perMinute: 1000, perDay: null },
      },
      unauthenticatedPerMinute: 100,
      minuteSeconds: 60,
      sandboxPerMinute: 10_000,
    });
    expect(config.trustProxy).toBe(false);
    expect(config.redisPrefix).toBe("voltasis");
    expect(config.maxEventLoopDelayMs).toBe(1000);
  });

  it("VOLTASIS_PLAN_LIMITS overrides only what it names, and null lifts a daily cap", () => {
    const { plans } = loadConfig({
      VOLTASIS_PLAN_LIMITS: '{"free":{"per_day":null},"enterprise":{"per_minute":5000,"per_day":900000}}',
    }).rateLimits;
    expect(plans).toEqual({
      free: { perMinute: 60, perDay: null },
      pro: DEFAULT_PLAN_LIMITS.pro,
      enterprise: { perMinute: 5000, perDay: 900000 },
    });
    expect(DEFAULT_PLAN_LIMITS.free.perDay).toBe(1000); // the defaults were not changed in place
  });

  it("VOLTASIS_RATE_LIMIT_MINUTE_SECONDS is a whole number of seconds, at least 1", () => {
    expect(loadConfig({ VOLTASIS_RATE_LIMIT_MINUTE_SECONDS: "2" }).rateLimits.minuteSeconds).toBe(2);
    for (const bad of ["0", "1.5", "soon"]) {
      expect(() => loadConfig({ VOLTASIS_RATE_LIMIT_MINUTE_SECONDS: bad })).toThrow(
        /VOLTASIS_RATE_LIMIT_MINUTE_SECONDS/,
      );
    }
  });

  it("VOLTASIS_TRUST_PROXY: true, false, or addresses and CIDR ranges", () => {
    expect(loadConfig({ VOLTASIS_TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ VOLTASIS_TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ VOLTASIS_TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,::1" }).trustProxy).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
    ]);
  });

  it.each([
    ["VOLTASIS_PLAN_LIMITS", "{not json"],
    ["VOLTASIS_PLAN_LIMITS", "[1]"],
    ["VOLTASIS_PLAN_LIMITS", '{"platinum":{"per_minute":1}}'],
    ["VOLTASIS_PLAN_LIMITS", '{"free":{"per_minute":0}}'],
    ["VOLTASIS_PLAN_LIMITS", '{"free":{"per_minute":null}}'],
    ["VOLTASIS_PLAN_LIMITS", '{"free":{"per_hour":5}}'],
    ["VOLTASIS_PLAN_LIMITS", '{"free":60}'],
    ["VOLTASIS_TRUST_PROXY", "yes please"],
    ["VOLTASIS_TRUST_PROXY", "10.0.0.0/33"],
    ["VOLTASIS_TRUST_PROXY", "127.0.0.1,"],
    ["VOLTASIS_UNAUTHENTICATED_LIMIT", "0"],
    ["VOLTASIS_UNAUTHENTICATED_LIMIT", "ten"],
    ["VOLTASIS_SANDBOX_LIMIT", "0"],
    ["VOLTASIS_SANDBOX_LIMIT", "unlimited"],
    ["VOLTASIS_RATE_LIMITS", "maybe"],
    ["VOLTASIS_REDIS_PREFIX", "has spaces"],
    ["VOLTASIS_MAX_EVENT_LOOP_DELAY_MS", "-1"],
  ])("a bad %s (%s) names the variable", (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`Invalid configuration: ${variable} `);
  });
});
