import { isIP } from "node:net";
import path from "node:path";
import {
  DEFAULT_PLAN_LIMITS,
  DEFAULT_SANDBOX_PER_MINUTE,
  DEFAULT_UNAUTHENTICATED_PER_MINUTE,
  PLANS,
  type Plan,
  type PlanLimits,
} from "./rate-limit/plans.js";

export { PLANS, type Plan };

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** External PostgreSQL; when absent the app runs its own embedded cluster in `dataDir`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Namespace of every Redis key, so that several deployments (or test runs) can share a server. */
  redisPrefix: string;
  /** Whether X-Forwarded-For is believed: never, always, or when the peer is one of these. */
  trustProxy: boolean | string[];
  rateLimits: RateLimitConfig;
  /** Mean event-loop delay (ms) above which requests are shed with 503; 0 turns shedding off. */
  maxEventLoopDelayMs: number;
  defaultPlan: Plan;
  /**
   * Users (`usr_…`) whose user tokens may act in any organization through X-Organization-ID
   * (SPEC §3's platform-admin credential), as an admin of it.
   */
  platformAdmins: string[];
  webhooksAllowPrivate: boolean;
  /** Whether this process works the webhook and job queues (off: an API-only process). */
  workers: boolean;
  streams: StreamConfig;
  logLevel: LogLevel;
}

export interface RateLimitConfig {
  /** `VOLTASIS_RATE_LIMITS=off` turns every limit off: for benchmarks and tests, never production. */
  enabled: boolean;
  plans: PlanLimits;
  unauthenticatedPerMinute: number;
  /**
   * Length of the "per minute" window in seconds (`VOLTASIS_RATE_LIMIT_MINUTE_SECONDS`, default 60).
   * Only for tests of clients' retry behaviour, which would otherwise wait a minute for a 429 to pass.
   */
  minuteSeconds: number;
  /** The abuse cap of a test key (SPEC §8), which skips its plan's limits. */
  sandboxPerMinute: number;
}

/** The live event stream (GET /v1/events/stream). */
export interface StreamConfig {
  /** Streams one credential may hold open at once (across processes with REDIS_URL). */
  perCredential: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
}

/** A bad environment value; the message always names the variable (SPEC §1). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")} (got "${value}")`);
  }
  return value as T;
}

function port(env: Env, name: string, fallback: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(name, `must be a port number from 0 to 65535 (got "${value}")`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ConfigError(name, `must be true or false (got "${value}")`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL such as ${protocols[0]}//host:port/...`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(" or ")}// (got ${parsed.protocol}//)`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(name, `must be an integer of at least ${min} (got "${value}")`);
  }
  return Number(value);
}

function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** Fastify's `trustProxy`: false, true, or the addresses of the proxies whose X-Forwarded-For counts. */
function trustProxy(env: Env, name: string): boolean | string[] {
  const value = read(env, name);
  if (value === undefined || value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  const entries = value.split(",").map((entry) => entry.trim());
  const bad = entries.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      name,
      `must be true, false or a comma-separated list of IP addresses and CIDR ranges (got "${bad}")`,
    );
  }
  return entries;
}

const isPositive = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** JSON such as `{"free":{"per_minute":60,"per_day":1000}}`; plans and fields left out keep their defaults. */
function planLimits(env: Env, name: string): PlanLimits {
  const value = read(env, name);
  const limits = structuredClone(DEFAULT_PLAN_LIMITS);
  if (value === undefined) return limits;
  const shape = 'a JSON object such as {"free":{"per_minute":60,"per_day":1000}}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(name, `must be ${shape} (got invalid JSON)`);
  }
  if (!isObject(parsed)) throw new ConfigError(name, `must be ${shape}`);
  for (const [plan, given] of Object.entries(parsed)) {
    if (!(PLANS as readonly string[]).includes(plan)) {
      throw new ConfigError(name, `names an unknown plan "${plan}" (plans: ${PLANS.join(", ")})`);
    }
    if (!isObject(given)) throw new ConfigError(name, `must be ${shape} (${plan} is not an object)`);
    const limit = limits[plan as Plan];
    for (const [field, n] of Object.entries(given)) {
      if (field === "per_minute" && isPositive(n)) limit.perMinute = n;
      else if (field === "per_day" && (n === null || isPositive(n))) limit.perDay = n;
      else if (field === "per_minute" || field === "per_day") {
        const allowed =
          field === "per_day" ? "a positive integer or null (no daily cap)" : "a positive integer";
        throw new ConfigError(name, `${plan}.${field} must be ${allowed} (got ${JSON.stringify(n)})`);
      } else {
        throw new ConfigError(name, `${plan} has an unknown field "${field}" (fields: per_minute, per_day)`);
      }
    }
  }
  return limits;
}

function userIds(env: Env, name: string): string[] {
  const ids = (read(env, name) ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !/^usr_[0-9A-HJKMNP-TV-Z]{26}$/.test(id));
  if (bad) throw new ConfigError(name, `must be a comma-separated list of user ids (usr_…) (got "${bad}")`);
  return ids;
}

function redisPrefix(env: Env, name: string): string {
  const value = read(env, name) ?? "voltasis";
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
    throw new ConfigError(name, `must be 1 to 64 letters, digits or _ . : - (got "${value}")`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  return {
    port: port(env, "PORT", 3000),
    host: read(env, "HOST") ?? "127.0.0.1",
    dataDir: path.resolve(read(env, "VOLTASIS_DATA_DIR") ?? "./data"),
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    redisPrefix: redisPrefix(env, "VOLTASIS_REDIS_PREFIX"),
    trustProxy: trustProxy(env, "VOLTASIS_TRUST_PROXY"),
    rateLimits: {
      enabled: oneOf(env, "VOLTASIS_RATE_LIMITS", ["on", "off"], "on") === "on",
      plans: planLimits(env, "VOLTASIS_PLAN_LIMITS"),
      unauthenticatedPerMinute: integer(
        env,
        "VOLTASIS_UNAUTHENTICATED_LIMIT",
        DEFAULT_UNAUTHENTICATED_PER_MINUTE,
        1,
      ),
      minuteSeconds: integer(env, "VOLTASIS_RATE_LIMIT_MINUTE_SECONDS", 60, 1),
      sandboxPerMinute: integer(env, "VOLTASIS_SANDBOX_LIMIT", DEFAULT_SANDBOX_PER_MINUTE, 1),
    },
    maxEventLoopDelayMs: integer(env, "VOLTASIS_MAX_EVENT_LOOP_DELAY_MS", 1_000, 0),
    defaultPlan: oneOf(env, "VOLTASIS_DEFAULT_PLAN", PLANS, "enterprise"),
    platformAdmins: userIds(env, "VOLTASIS_PLATFORM_ADMINS"),
    webhooksAllowPrivate: bool(env, "VOLTASIS_WEBHOOKS_ALLOW_PRIVATE", false),
    workers: oneOf(env, "VOLTASIS_WORKERS", ["on", "off"], "on") === "on",
    streams: {
      perCredential: integer(env, "VOLTASIS_STREAMS_PER_CREDENTIAL", 5, 1),
      heartbeatMs: integer(env, "VOLTASIS_STREAM_HEARTBEAT_MS", 15_000, 100),
    },
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
  };
}
