import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { DbHandle } from "../../platform/db/connection.js";
import { Envelope, ERROR_RESPONSES, ok } from "../../platform/envelope.js";
import { ApiError } from "../../platform/errors.js";

const Status = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
  checks: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.Literal("ok"), Type.Literal("unavailable")])),
  ),
});

export interface HealthOptions {
  db: DbHandle;
  /** True once SIGTERM arrived: `/ready` answers 503 so load balancers stop sending traffic. */
  isDraining: () => boolean;
}

/** No authentication (SPEC §6): `/health` says the process is up, `/ready` that it can serve. */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { db, isDraining }) => {
  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "The process is up", response: { 200: Envelope(Status) } },
    },
    async (request) => ok(request, { status: "ok" as const }),
  );

  const readiness = async () => {
    const database = (await db.ping()) ? ("ok" as const) : ("unavailable" as const);
    return { database };
  };

  app.get(
    "/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        summary: "The database is reachable and the process accepts traffic",
        response: { 200: Envelope(Status), 503: ERROR_RESPONSES[503] },
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
      return ok(request, { status: "ok" as const, checks });
    },
  );

  app.get(
    "/v1/status",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        summary: "API status without authentication",
        response: { 200: Envelope(Status) },
      },
    },
    async (request) => {
      const checks = await readiness();
      return ok(request, {
        status: checks.database === "ok" ? ("ok" as const) : ("unavailable" as const),
        checks,
      });
    },
  );
};
