import type { FastifyPluginAsync } from "fastify";
import type { Authenticator } from "./auth/authenticator.js";
import type { Clock } from "./background/clock.js";
import type { Background } from "./background/runner.js";
import type { Config } from "./config.js";
import type { Db, Notifications } from "./db/connection.js";
import type { ConcurrencyLimiter } from "./rate-limit/concurrency.js";

/** What app.ts hands every feature plugin; a feature builds its services from these. */
export interface FeatureDeps {
  db: Db;
  authenticator: Authenticator;
  config: Config;
  /** Registers work that runs outside requests (deliveries, jobs, pruning). */
  background: Background;
  clock: Clock;
  /** The process's one LISTEN connection (PostgreSQL NOTIFY from every process). */
  notifications: Notifications;
  /** Caps what a credential holds open at once (event streams), across processes with Redis. */
  concurrency: ConcurrencyLimiter;
}

export type FeatureRoutes = FastifyPluginAsync<FeatureDeps>;
