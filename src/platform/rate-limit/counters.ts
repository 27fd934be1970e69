import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import { WINDOWS, type WindowLengths, type WindowName } from "./plans.js";

/** How many requests a key made in its current window, and when that window ends. */
export interface Count {
  count: number;
  msBeforeReset: number;
}

export interface Counters {
  /** Counts one request and returns the count including it (atomic in Redis: INCR in a Lua script). */
  hit(window: WindowName, key: string): Promise<Count>;
  /** The current count without adding to it; null when the key has no window open. */
  peek(window: WindowName, key: string): Promise<Count | null>;
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
 * Embedded mode counts in process memory. With `REDIS_URL` every process counts in Redis, so a
 * limit holds across all of them; when Redis cannot be reached each process falls back to its own
 * memory (rate-limiter-flexible's insurance limiter) and keeps serving: limits then hold per
 * process until Redis is back.
 */
export function createCounters(options: {
  redisUrl?: string;
  prefix: string;
  log: FastifyBaseLogger;
  windows?: WindowLengths;
}): Counters {
  const { redisUrl, prefix, log } = options;
  const windows = options.windows ?? WINDOWS;
  const memory = (window: WindowName) =>
    new RateLimiterMemory({ points: UNCAPPED, duration: windows[window], keyPrefix: window });
  if (!redisUrl) return countWith({ minute: memory("minute"), day: memory("day"), signIn: memory("signIn") });

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

function countWith(limiters: Record<WindowName, RateLimiterAbstract>): Counters {
  return {
    hit: async (window, key) => toCount(await limiters[window].consume(key)),
    peek: async (window, key) => {
      const res = await limiters[window].get(key);
      return res && toCount(res);
    },
    forget: async (window, key) => {
      await limiters[window].delete(key);
    },
    refund: async (window, key) => {
      await limiters[window].reward(key, 1);
    },
    close: async () => {},
  };
}
