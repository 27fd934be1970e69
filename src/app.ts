import Fastify, { type FastifyInstance } from "fastify";
import { accountRoutes } from "./features/accounts/routes.js";
import { apiKeyRoutes } from "./features/api-keys/routes.js";
import { healthRoutes } from "./features/health/routes.js";
import { memberRoutes } from "./features/members/routes.js";
import { MEMBER_SCHEMAS } from "./features/members/schemas.js";
import { organizationRoutes } from "./features/organizations/routes.js";
import { ORGANIZATION_SCHEMAS } from "./features/organizations/schemas.js";
import { type Authenticator, createAuthenticator } from "./platform/auth/authenticator.js";
import { createIdentityStore } from "./platform/auth/identity-store.js";
import { authPlugin } from "./platform/auth/plugin.js";
import type { Config } from "./platform/config.js";
import type { DbHandle } from "./platform/db/connection.js";
import { SHARED_SCHEMAS } from "./platform/envelope.js";
import { registerErrorHandling } from "./platform/error-handler.js";
import { newId } from "./platform/ids.js";
import { loggerOptions } from "./platform/logger.js";
import { openApiPlugin } from "./platform/openapi.js";
import { registerValidation } from "./platform/validation.js";

export interface AppDeps {
  config: Config;
  database: DbHandle;
  /** Set by main.ts on SIGTERM so `/ready` turns away new traffic while requests drain. */
  isDraining?: () => boolean;
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

  const authenticator = createAuthenticator(createIdentityStore(database.db));
  app.decorate("authenticator", authenticator);
  app.addHook("onClose", () => authenticator.close());

  await app.register(authPlugin, { authenticator });
  await app.register(openApiPlugin);

  const features = { db: database.db, authenticator, config };
  await app.register(healthRoutes, { db: database, isDraining });
  await app.register(accountRoutes, { prefix: "/v1/auth", ...features });
  await app.register(organizationRoutes, { prefix: "/v1", ...features });
  await app.register(memberRoutes, { prefix: "/v1", ...features });
  await app.register(apiKeyRoutes, { prefix: "/v1/api-keys", ...features });
  return app;
}
