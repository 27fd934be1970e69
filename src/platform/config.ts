import path from "node:path";

export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** External PostgreSQL; when absent the app runs its own embedded cluster in `dataDir`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  defaultPlan: Plan;
  webhooksAllowPrivate: boolean;
  logLevel: LogLevel;
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

export function loadConfig(env: Env = process.env): Config {
  return {
    port: port(env, "PORT", 3000),
    host: read(env, "HOST") ?? "127.0.0.1",
    dataDir: path.resolve(read(env, "VOLTASIS_DATA_DIR") ?? "./data"),
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    defaultPlan: oneOf(env, "VOLTASIS_DEFAULT_PLAN", PLANS, "enterprise"),
    webhooksAllowPrivate: bool(env, "VOLTASIS_WEBHOOKS_ALLOW_PRIVATE", false),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
  };
}
