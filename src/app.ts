import Fastify, { type FastifyInstance } from "fastify";
import { accountRoutes, invitationAcceptRoutes } from "./features/accounts/routes.js";
import { apiKeyRoutes } from "./features/api-keys/routes.js";
import { clientRoutes } from "./features/clients/routes.js";
import { eventRoutes } from "./features/events/routes.js";
import { eventStreamRoutes } from "./features/events/stream-routes.js";
import { healthRoutes } from "./features/health/routes.js";
import { jobRoutes } from "./features/jobs/routes.js";
import { logRoutes } from "./features/logs/routes.js";
import { memberRoutes } from "./features/members/routes.js";
import { MEMBER_SCHEMAS } from "./features/members/schemas.js";
import { organizationRoutes } from "./features/organizations/routes.js";
import { ORGANIZATION_SCHEMAS } from "./features/organizations/schemas.js";
import { projectRoutes } from "./features/projects/routes.js";
import { reportRoutes } from "./features/reports/routes.js";
import { settingsRoutes } from "./features/settings/routes.js";
import { tagRoutes } from "./features/tags/routes.js";
import { taskRoutes } from "./features/tasks/routes.js";
import { timeEntryRoutes } from "./features/time-entries/routes.js";
import { webhookRoutes } from "./features/webhooks/routes.js";
import { type Authenticator, createAuthenticator } from "./platform/auth/authenticator.js";
import { createIdentityStore } from "./platform/auth/identity-store.js";
import { authPlugin } from "./platform/auth/plugin.js";
import { type Clock, systemClock } from "./platform/background/clock.js";
import { createBackground } from "./platform/background/runner.js";
import type { Config } from "./platform/config.js";
import type { DbHandle } from "./platform/db/connection.js";
import { SHARED_SCHEMAS } from "./platform/envelope.js";
import { registerErrorHandling } from "./platform/error-handler.js";
import { newId } from "./platform/ids.js";
import { loadShedding } from "./platform/load-shedding.js";
import { loggerOptions } from "./platform/logger.js";
import { openApiPlugin } from "./platform/openapi.js";
import { createRateLimiter } from "./platform/rate-limit/limiter.js";
import { credentialHooks, rateLimitPlugin } from "./platform/rate-limit/plugin.js";
import { requestLogPlugin } from "./platform/request-log.js";
import { registerValidation } from "./platform/validation.js";

export interface AppDeps {
  config: Config;
  database: DbHandle;
  /** Set by main.ts on SIGTERM so `/ready` turns away new traffic while requests drain. */
  isDraining?: () => boolean;
  /** Background work reads the time here; tests pass a clock they can move forward. */
  clock?: Clock;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Exposed so tests and main.ts can flush usage and drop cached credentials. */
    authenticator: Authenticator;
  }
}

// SPEC §2: a client-supplied X-Request-ID is echoed when it is a sane token, else we make one.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const BODY_LIMIT_BYTES = 1_048_576;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    bodyLimit: BODY_LIMIT_BYTES,
    // Whether X-Forwarded-For decides `request.ip` (rate limits per client IP): VOLTASIS_TRUST_PROXY.
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const supplied = req.headers["x-request-id"];
      return typeof supplied === "string" && REQUEST_ID.test(supplied) ? supplied : newId("request");
    },
    // Draining is main.ts's job (see stop()): requests already sent on open connections are served.
    return503OnClosing: false,
    forceCloseConnections: false,
  });
  const isDraining = deps.isDraining ?? (() => false);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("X-Request-ID", request.id);
    // While draining, each connection closes after its current response instead of being reused.
    if (isDraining()) reply.header("Connection", "close");
  });
  registerErrorHandling(app);
  registerValidation(app);
  for (const schema of [...SHARED_SCHEMAS, ...ORGANIZATION_SCHEMAS, ...MEMBER_SCHEMAS]) app.addSchema(schema);

  const authenticator = createAuthenticator(createIdentityStore(database.db), {
    platformAdmins: config.platformAdmins,
  });
  app.decorate("authenticator", authenticator);
  app.addHook("onClose", () => authenticator.close());

  // Shed load first (the cheapest answer), then count the request before any other work (SPEC §4).
  const limiter = createRateLimiter(config, app.log);
  await app.register(loadShedding, { maxEventLoopDelayMs: config.maxEventLoopDelayMs });
  await app.register(rateLimitPlugin, { limiter });

  await app.register(authPlugin, { authenticator, hooks: credentialHooks(limiter) });
  await app.register(requestLogPlugin, { db: database.db });
  await app.register(openApiPlugin);

  const background = createBackground({
    notifications: database.notifications,
    log: app.log,
    enabled: config.workers,
  });
  app.addHook("onReady", () => background.start());
  app.addHook("onClose", () => background.stop());

  const clock = deps.clock ?? systemClock;
  const features = {
    db: database.db,
    authenticator,
    config,
    background,
    clock,
    notifications: database.notifications,
    concurrency: limiter.concurrency,
  };
  await app.register(healthRoutes, { db: database, isDraining, redisReachable: limiter.redisReachable });
  await app.register(accountRoutes, { prefix: "/v1/auth", ...features });
  await app.register(organizationRoutes, { prefix: "/v1", ...features });
  await app.register(memberRoutes, { prefix: "/v1", ...features });
  await app.register(invitationAcceptRoutes, { prefix: "/v1", ...features });
  await app.register(apiKeyRoutes, { prefix: "/v1/api-keys", ...features });
  await app.register(settingsRoutes, { prefix: "/v1", ...features });
  await app.register(timeEntryRoutes, { prefix: "/v1", ...features });
  await app.register(reportRoutes, { prefix: "/v1", ...features });
  await app.register(clientRoutes, { prefix: "/v1", ...features });
  await app.register(eventRoutes, { prefix: "/v1", ...features });
  await app.register(eventStreamRoutes, { prefix: "/v1", ...features });
  await app.register(projectRoutes, { prefix: "/v1", ...features });
  await app.register(taskRoutes, { prefix: "/v1", ...features });
  await app.register(tagRoutes, { prefix: "/v1", ...features });
  await app.register(webhookRoutes, { prefix: "/v1", ...features });
  await app.register(jobRoutes, { prefix: "/v1", ...features });
  await app.register(logRoutes, { prefix: "/v1", ...features });
  return app;
}
