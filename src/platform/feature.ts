import type { FastifyPluginAsync } from "fastify";
import type { Authenticator } from "./auth/authenticator.js";
import type { Clock } from "./background/clock.js";
import type { Background } from "./background/runner.js";
import type { Config } from "./config.js";
import type { Db, Notifications } from "./db/connection.js";
import type { ConcurrencyLimiter } from "./rate-limit/concurrency.js";
import type { ApiVersion } from "./versions.js";

/** What app.ts hands every feature plugin; a feature builds its services from these. */
export interface FeatureDeps {
  db: Db;
  authenticator: Authenticator;
  config: Config;
  /** Registers work that runs outside requests (deliveries, jobs, pruning). */
  background: Background;
  clock: Clock;
  /** The API version these routes are registered for (SPEC §8); most features need not look. */
  version: ApiVersion;
  /** The process's one LISTEN connection (PostgreSQL NOTIFY from every process). */
  notifications: Notifications;
  /** Caps what a credential holds open at once (event streams), across processes with Redis. */
  concurrency: ConcurrencyLimiter;
}

export type FeatureRoutes = FastifyPluginAsync<FeatureDeps>;

/**
 * What a feature's background work needs. Routes are registered once per API version; workers
 * once per process, by app.ts, through each feature's `register…Worker(app, deps)`.
 */
export type WorkerDeps = Pick<FeatureDeps, "db" | "config" | "background" | "clock">;
