import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { DbHandle } from "../../platform/db/connection.js";
import { Envelope, ok } from "../../platform/envelope.js";
import { ApiError } from "../../platform/errors.js";

const Status = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded"), Type.Literal("unavailable")], {
    description: "`degraded`: serving, but Redis is unreachable and rate limits hold per process",
  }),
  checks: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.Literal("ok"), Type.Literal("unavailable")])),
  ),
});

export interface HealthOptions {
  db: DbHandle;
  /** True once SIGTERM arrived: `/ready` answers 503 so load balancers stop sending traffic. */
  isDraining: () => boolean;
  /**
   * In scale-out mode: whether Redis answers. Not a reason to turn traffic away (rate-limit
   * counters fall back to process memory), so `/ready` stays 200 and reports `degraded`.
   */
  redisReachable?: (() => Promise<boolean>) | undefined;
}

/** No authentication (SPEC §6): `/health` says the process is up, `/ready` that it can serve. */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (
  app,
  { db, isDraining, redisReachable },
) => {
  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: {
        operationId: "health.check",
        tags: ["health"],
        summary: "The process is up",
        response: { 200: Envelope(Status) },
      },
    },
    async (request) => ok(request, { status: "ok" as const }),
  );

  const state = (up: boolean) => (up ? ("ok" as const) : ("unavailable" as const));
  const readiness = async () => {
    const [database, redis] = await Promise.all([db.ping(), redisReachable?.()]);
    return redis === undefined
      ? { database: state(database) }
      : { database: state(database), redis: state(redis) };
  };
  const overall = (checks: Awaited<ReturnType<typeof readiness>>) =>
    checks.database !== "ok"
      ? ("unavailable" as const)
      : "redis" in checks && checks.redis !== "ok"
        ? ("degraded" as const)
        : ("ok" as const);

  app.get(
    "/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        operationId: "health.ready",
        summary: "The database is reachable and the process accepts traffic",
        response: { 200: Envelope(Status) },
      },
    },
    async (request, reply) => {
      const checks = await readiness();
      if (isDraining()) {
        reply.header("Retry-After", "5");
        throw new ApiError("SERVICE_UNAVAILABLE", "The server is shutting down", {
          reason: "draining",
          checks,
        });
      }
      if (checks.database !== "ok") {
        reply.header("Retry-After", "5");
        throw new ApiError("SERVICE_UNAVAILABLE", "The database is unreachable", {
          reason: "database_unavailable",
          checks,
        });
      }
      return ok(request, { status: overall(checks), checks });
    },
  );

  app.get(
    "/v1/status",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        operationId: "status.retrieve",
        summary: "API status without authentication",
        response: { 200: Envelope(Status) },
      },
    },
    async (request) => {
      const checks = await readiness();
      return ok(request, { status: overall(checks), checks });
    },
  );
};
