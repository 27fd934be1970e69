import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import { createMemoryWindows } from "./memory-windows.js";
import { WINDOWS, type WindowLengths, type WindowName } from "./plans.js";

/** How many requests a key made in its current window, and when that window ends. */
export interface Count {
  count: number;
  msBeforeReset: number;
}

export interface Counters {
  /**
   * Counts one request and returns the count including it (atomic in Redis: INCR in a Lua script).
   * Without a promise in embedded mode, where counting needs no round trip: every authenticated
   * request is counted, and a promise per request costs it (issue 15).
   */
  hit(window: WindowName, key: string): Count | Promise<Count>;
  forget(window: WindowName, key: string): Promise<void>;
  /** Takes one request back off the key's current window (never below zero in effect). */
  refund(window: WindowName, key: string): Promise<void>;
  /** Present in scale-out mode only: whether Redis answers right now (for `/ready`). */
  redisReachable?: () => Promise<boolean>;
  /** Present in scale-out mode only: the connection, for other counts that must hold across processes. */
  redis?: Redis;
  close(): Promise<void>;
}

// The threshold depends on the caller's plan, which can change between two requests of the same
// window, so the library only counts (its own `points` never refuse) and limits.ts compares.
const UNCAPPED = Number.MAX_SAFE_INTEGER;
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

const toCount = (res: RateLimiterRes): Count => ({
  count: res.consumedPoints,
  msBeforeReset: res.msBeforeNext,
});

/**
 * Embedded mode counts in process memory (memory-windows.ts). With `REDIS_URL` every process
 * counts in Redis, so a limit holds across all of them; when Redis cannot be reached each process
 * falls back to its own memory (rate-limiter-flexible's insurance limiter) and keeps serving:
 * limits then hold per process until Redis is back.
 */
export function createCounters(options: {
  redisUrl?: string;
  prefix: string;
  log: FastifyBaseLogger;
  windows?: WindowLengths;
}): Counters {
  const { redisUrl, prefix, log } = options;
  const windows = options.windows ?? WINDOWS;
  if (!redisUrl) return inMemory(windows);
  // Redis's insurance: each process counts on its own while Redis cannot be reached.
  const memory = (window: WindowName) =>
    new RateLimiterMemory({ points: UNCAPPED, duration: windows[window], keyPrefix: window });

  const redis = new Redis(redisUrl, {
    // Fail at once while disconnected (the insurance limiter answers) instead of queueing requests.
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  let reachable = true;
  redis.on("error", (error: Error) => {
    if (!reachable) return;
    reachable = false;
    log.warn({ err: error }, "Redis unreachable: rate-limit counters fall back to this process's memory");
  });
  redis.on("ready", () => {
    if (!reachable) log.info("Redis reachable again: rate-limit counters are shared again");
    reachable = true;
  });
  const shared = (window: WindowName) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:${window}`,
      points: UNCAPPED,
      duration: windows[window],
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory(window),
    });
  const limiters = { minute: shared("minute"), day: shared("day"), signIn: shared("signIn") };
  return {
    ...countWith(limiters),
    redis,
    redisReachable: async () => {
      if (redis.status !== "ready") return false;
      return redis.ping().then(
        () => true,
        () => false,
      );
    },
    close: async () => {
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

function inMemory(lengths: WindowLengths): Counters {
  const windows = {
    minute: createMemoryWindows(lengths.minute),
    day: createMemoryWindows(lengths.day),
    signIn: createMemoryWindows(lengths.signIn),
  };
  return {
    hit: (window, key) => windows[window].hit(key),
    forget: async (window, key) => windows[window].forget(key),
    refund: async (window, key) => windows[window].refund(key),
    close: async () => {},
  };
}

function countWith(limiters: Record<WindowName, RateLimiterAbstract>): Counters {
  return {
    hit: async (window, key) => toCount(await limiters[window].consume(key)),
    forget: async (window, key) => {
      await limiters[window].delete(key);
    },
    refund: async (window, key) => {
      await limiters[window].reward(key, 1);
    },
    close: async () => {},
  };
}
