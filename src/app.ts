import Fastify, { type FastifyInstance } from "fastify";
import { accountRoutes, invitationAcceptRoutes } from "./features/accounts/routes.js";
import { apiKeyRoutes } from "./features/api-keys/routes.js";
import { clientRoutes } from "./features/clients/routes.js";
import { consolePlugin } from "./features/console/plugin.js";
import { eventRoutes } from "./features/events/routes.js";
import { eventStreamRoutes } from "./features/events/stream-routes.js";
import { healthRoutes } from "./features/health/routes.js";
import { jobRoutes } from "./features/jobs/routes.js";
import { registerJobWorker } from "./features/jobs/worker.js";
import { registerRetention } from "./features/logs/retention.js";
import { logRoutes } from "./features/logs/routes.js";
import { memberRoutes } from "./features/members/routes.js";
import { NAMED_SCHEMAS } from "./features/named-schemas.js";
import { oauthProtocolRoutes } from "./features/oauth/protocol-routes.js";
import { oauthRoutes } from "./features/oauth/routes.js";
import { organizationRoutes } from "./features/organizations/routes.js";
import { projectRoutes } from "./features/projects/routes.js";
import { reportRoutes } from "./features/reports/routes.js";
import { registerSandboxReset } from "./features/sandbox/daily-reset.js";
import { sandboxRoutes } from "./features/sandbox/routes.js";
import { createSandboxService } from "./features/sandbox/service.js";
import { settingsRoutes } from "./features/settings/routes.js";
import { tagRoutes } from "./features/tags/routes.js";
import { taskRoutes } from "./features/tasks/routes.js";
import { timeEntryRoutes } from "./features/time-entries/routes.js";
import { webhookRoutes } from "./features/webhooks/routes.js";
import { registerDeliveryWorker } from "./features/webhooks/worker.js";
import { type Authenticator, createAuthenticator } from "./platform/auth/authenticator.js";
import { createIdentityStore } from "./platform/auth/identity-store.js";
import { authPlugin } from "./platform/auth/plugin.js";
import { type Clock, systemClock } from "./platform/background/clock.js";
import { createBackground } from "./platform/background/runner.js";
import { conditionalRequests } from "./platform/conditional.js";
import type { Config } from "./platform/config.js";
import type { DbHandle } from "./platform/db/connection.js";
import { SHARED_SCHEMAS } from "./platform/envelope.js";
import { frameworkErrorOptions, registerErrorHandling } from "./platform/error-handler.js";
import { idempotencyPlugin } from "./platform/idempotency.js";
import { newId } from "./platform/ids.js";
import { loadShedding } from "./platform/load-shedding.js";
import { logging } from "./platform/logger.js";
import { openApiPlugin } from "./platform/openapi.js";
import { createRateLimiter } from "./platform/rate-limit/limiter.js";
import { credentialHooks, rateLimitPlugin } from "./platform/rate-limit/plugin.js";
import { requestLogPlugin } from "./platform/request-log.js";
import { registerSerialization } from "./platform/serialization.js";
import { syncHook } from "./platform/sync-hooks.js";
import { registerValidation } from "./platform/validation.js";
import { API_VERSIONS, versionsPlugin } from "./platform/versions.js";

export interface AppDeps {
  config: Config;
  database: DbHandle;
  /** Set by main.ts on SIGTERM so `/ready` turns away new traffic while requests drain. */
  isDraining?: () => boolean;
  /** Background work reads the time here; tests pass a clock they can move forward. */
  clock?: Clock;
  /** Where log lines go instead of stdout (the bench writes them to a file, as a deployment would). */
  logFile?: string;
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
  const logOptions = logging(config.logLevel, deps.logFile);
  const app = Fastify({
    ...logOptions,
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
    // `/v1/clients/` is `/v1/clients`, as a person typing a URL expects.
    routerOptions: { ignoreTrailingSlash: true },
    ...frameworkErrorOptions,
  });
  // Request lines wait for the end of the event loop's turn (logger.ts); the last ones go out now.
  app.addHook("onClose", async () => logOptions.logController.flush());
  const isDraining = deps.isDraining ?? (() => false);
  app.addHook(
    "onRequest",
    syncHook((request, reply) => {
      reply.header("X-Request-ID", request.id);
      // While draining, each connection closes after its current response instead of being reused.
      if (isDraining()) reply.header("Connection", "close");
    }),
  );
  registerErrorHandling(app);
  registerValidation(app);
  for (const schema of [...SHARED_SCHEMAS, ...NAMED_SCHEMAS]) app.addSchema(schema);
  registerSerialization(app);

  const clock = deps.clock ?? systemClock;
  // Test-mode credentials act on a sandbox twin, which their first use creates (SPEC §8).
  const authenticator = createAuthenticator(createIdentityStore(database.db), {
    platformAdmins: config.platformAdmins,
    sandbox: createSandboxService({ db: database.db, clock }).gate,
  });
  app.decorate("authenticator", authenticator);
  app.addHook("onClose", () => authenticator.close());

  // Shed load first (the cheapest answer), then count the request before any other work (SPEC §4).
  const limiter = createRateLimiter(config, app.log);
  await app.register(loadShedding, { maxEventLoopDelayMs: config.maxEventLoopDelayMs });
  await app.register(rateLimitPlugin, { limiter });

  await app.register(authPlugin, { authenticator, hooks: credentialHooks(limiter) });
  await app.register(requestLogPlugin, { db: database.db });
  await app.register(conditionalRequests);
  await app.register(idempotencyPlugin, { db: database.db });
  await app.register(versionsPlugin);
  await app.register(openApiPlugin);

  const background = createBackground({
    notifications: database.notifications,
    log: app.log,
    enabled: config.workers,
  });
  app.addHook("onReady", () => background.start());
  app.addHook("onClose", () => background.stop());

  await app.register(healthRoutes, { db: database, isDraining, redisReachable: limiter.redisReachable });
  // Every feature once per API version, from the same code (SPEC §8): versions differ in schemas
  // and small adapters (platform/versions.ts). Background work is registered once, after them.
  for (const version of API_VERSIONS) {
    const features = {
      db: database.db,
      authenticator,
      config,
      background,
      clock,
      version,
      notifications: database.notifications,
      concurrency: limiter.concurrency,
    };
    await app.register(accountRoutes, { prefix: `/${version}/auth`, ...features });
    await app.register(organizationRoutes, { prefix: `/${version}`, ...features });
    await app.register(memberRoutes, { prefix: `/${version}`, ...features });
    await app.register(invitationAcceptRoutes, { prefix: `/${version}`, ...features });
    await app.register(apiKeyRoutes, { prefix: `/${version}/api-keys`, ...features });
    await app.register(settingsRoutes, { prefix: `/${version}`, ...features });
    await app.register(timeEntryRoutes, { prefix: `/${version}`, ...features });
    await app.register(reportRoutes, { prefix: `/${version}`, ...features });
    await app.register(clientRoutes, { prefix: `/${version}`, ...features });
    await app.register(eventRoutes, { prefix: `/${version}`, ...features });
    await app.register(eventStreamRoutes, { prefix: `/${version}`, ...features });
    await app.register(projectRoutes, { prefix: `/${version}`, ...features });
    await app.register(taskRoutes, { prefix: `/${version}`, ...features });
    await app.register(tagRoutes, { prefix: `/${version}`, ...features });
    await app.register(webhookRoutes, { prefix: `/${version}`, ...features });
    await app.register(jobRoutes, { prefix: `/${version}`, ...features });
    await app.register(logRoutes, { prefix: `/${version}`, ...features });
    await app.register(sandboxRoutes, { prefix: `/${version}`, ...features });
    await app.register(oauthRoutes, { prefix: `/${version}/oauth`, ...features });
  }
  // The OAuth protocol's own endpoints (RFC 6749, 7009, 8414) are not versioned with the API.
  await app.register(oauthProtocolRoutes, { db: database.db, authenticator });
  // The web console at `/`, after the API so that every API path keeps its own answer.
  await app.register(consolePlugin, { db: database.db, authenticator, config });
  const workers = { db: database.db, config, background, clock };
  registerDeliveryWorker(app, workers);
  registerJobWorker(app, workers);
  registerRetention(workers);
  registerSandboxReset(workers);
  return app;
}
