import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "./errors.js";

// The mean event-loop delay is measured over this interval: shedding starts within one interval
// of the overload and stops within one interval of its end.
export const SAMPLE_INTERVAL_MS = 500;
const RETRY_AFTER_S = 5;

/**
 * SPEC §2: an overloaded process answers 503 `SERVICE_UNAVAILABLE` with `Retry-After` at once
 * instead of letting requests queue until clients time out (@fastify/under-pressure measures the
 * event-loop delay; `VOLTASIS_MAX_EVENT_LOOP_DELAY_MS`, 0 = never shed). `/health` is still
 * answered: the process is alive, only busy, and a supervisor must not restart it for that;
 * `/ready` sheds like the rest, so a load balancer sends traffic elsewhere.
 */
export const loadShedding = fp<{ maxEventLoopDelayMs: number }>(
  async (app: FastifyInstance, { maxEventLoopDelayMs }) => {
    if (maxEventLoopDelayMs <= 0) return;
    // Start-up blocks the loop (every route's schemas are compiled in `ready`): that lag is not
    // load, so shedding starts once a whole sample has been taken after it.
    let armedAt = Number.POSITIVE_INFINITY;
    app.addHook("onReady", async () => {
      armedAt = Date.now() + SAMPLE_INTERVAL_MS * 2;
    });
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      sampleInterval: SAMPLE_INTERVAL_MS,
      // A rejected promise goes to our error handler, so the 503 has SPEC §2's envelope.
      pressureHandler: async (request, reply) => {
        if (Date.now() < armedAt || request.routeOptions.url === "/health") return;
        reply.header("Retry-After", String(RETRY_AFTER_S));
        throw new ApiError("SERVICE_UNAVAILABLE", "The server is overloaded; try again shortly", {
          reason: "overloaded",
          retry_after: RETRY_AFTER_S,
        });
      },
    });
  },
  { name: "load-shedding" },
);
