import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { Redis } from "ioredis";

/** A place taken from a limited number; give it back when done. */
export interface Lease {
  release(): Promise<void>;
}

export interface ConcurrencyLimiter {
  /** Takes one of `limit` places for `key`; null when all of them are taken. */
  acquire(key: string, limit: number): Promise<Lease | null>;
  close(): void;
}

// A process that dies without releasing its leases (SIGKILL, a crash) holds their places until
// they expire; a living one renews them well before that.
const LEASE_MS = 30_000;
const RENEW_MS = 10_000;

// Atomic: drop expired leases, count, and take a place only if one is free.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * Counts things held open (event streams) rather than requests made. With Redis (scale-out) the
 * count holds across processes: each lease is a member of a sorted set scored by its expiry, and
 * this process renews its own. Without Redis, or while it cannot be reached, each process counts
 * in its own memory, so the limit then holds per process.
 */
export function createConcurrencyLimiter(options: {
  redis?: Redis | undefined;
  prefix: string;
  log: Pick<FastifyBaseLogger, "warn">;
}): ConcurrencyLimiter {
  const { redis, prefix, log } = options;
  const local = new Map<string, Set<string>>();
  /** Leases this process holds in Redis: lease id → sorted-set key. */
  const shared = new Map<string, string>();

  const renewal = setInterval(() => {
    if (!redis || shared.size === 0) return;
    const expiry = Date.now() + LEASE_MS;
    const batch = redis.pipeline();
    // ZADD without XX: after an outage the leases are written back, so the count is right again.
    for (const [id, key] of shared) batch.zadd(key, expiry, id).pexpire(key, LEASE_MS * 2);
    batch.exec().catch((error: unknown) => log.warn({ err: error }, "cannot renew concurrency leases"));
  }, RENEW_MS);
  renewal.unref();

  function acquireLocally(key: string, limit: number): Lease | null {
    const held = local.get(key) ?? new Set<string>();
    if (held.size >= limit) return null;
    const id = randomUUID();
    held.add(id);
    local.set(key, held);
    return {
      async release() {
        held.delete(id);
        if (held.size === 0 && local.get(key) === held) local.delete(key);
      },
    };
  }

  async function acquireShared(client: Redis, key: string, limit: number): Promise<Lease | null> {
    const setKey = `${prefix}:concurrency:${key}`;
    const id = randomUUID();
    const now = Date.now();
    const taken = await client.eval(ACQUIRE, 1, setKey, now, limit, now + LEASE_MS, id, LEASE_MS * 2);
    if (taken !== 1) return null;
    shared.set(id, setKey);
    return {
      async release() {
        if (!shared.delete(id)) return;
        await client.zrem(setKey, id).catch(() => {});
      },
    };
  }

  return {
    async acquire(key, limit) {
      if (redis) {
        try {
          return await acquireShared(redis, key, limit);
        } catch (error) {
          log.warn({ err: error }, "Redis unreachable: counting open streams in this process only");
        }
      }
      return acquireLocally(key, limit);
    },
    close() {
      clearInterval(renewal);
    },
  };
}
