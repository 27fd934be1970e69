import type { FastifyPluginAsync } from "fastify";
import type { Authenticator } from "./auth/authenticator.js";
import type { Clock } from "./background/clock.js";
import type { Background } from "./background/runner.js";
import type { Config } from "./config.js";
import type { Db } from "./db/connection.js";

/** What app.ts hands every feature plugin; a feature builds its services from these. */
export interface FeatureDeps {
  db: Db;
  authenticator: Authenticator;
  config: Config;
  /** Registers work that runs outside requests (deliveries, jobs, pruning). */
  background: Background;
  clock: Clock;
}

export type FeatureRoutes = FastifyPluginAsync<FeatureDeps>;
