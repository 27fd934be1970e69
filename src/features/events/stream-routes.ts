import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import Negotiator from "negotiator";
import { ApiError, ValidationError } from "../../platform/errors.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { createEventStreams, RECONNECT_MS, SHUTTING_DOWN } from "./event-streams.js";
import { createLiveEvents } from "./live-events.js";
import { EVENT_RETENTION_DAYS, StreamHeaders, StreamQuery } from "./schemas.js";

const RETRY_AFTER_S = 5;

/** SPEC §2's 503 with `Retry-After`: the stream cannot start here right now, but may soon. */
function unavailable(reply: FastifyReply, reason: string, message: string) {
  reply.header("Retry-After", String(RETRY_AFTER_S));
  return new ApiError("SERVICE_UNAVAILABLE", message, { reason, retry_after: RETRY_AFTER_S });
}

/** A client that names what it accepts must accept an event stream (RFC 9110 §12.5.1); none named is anything. */
function assertAcceptsEventStream(request: FastifyRequest) {
  if (new Negotiator(request.raw).mediaType(["text/event-stream"])) return;
  throw new ApiError(
    "INVALID_REQUEST",
    "This endpoint answers only text/event-stream: send Accept: text/event-stream, or no Accept header",
    { reason: "not_acceptable", field: "Accept", location: "headers" },
    406,
  );
}

/**
 * GET /v1/events/stream (SPEC §8): the organization's events as Server-Sent Events as they commit,
 * through whichever process. Also starts this process's one LISTEN for them, and ends every open
 * stream when the app closes (SIGTERM), so that the drain does not wait for them.
 */
export const eventStreamRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const live = createLiveEvents({ db: deps.db, notifications: deps.notifications, log: app.log });
  const streams = createEventStreams({
    db: deps.db,
    live,
    authenticator: deps.authenticator,
    heartbeatMs: deps.config.streams.heartbeatMs,
    log: app.log,
  });
  app.addHook("onReady", () => live.start());
  app.addHook("preClose", async () => streams.closeAll(SHUTTING_DOWN));
  app.addHook("onClose", () => live.stop());
  const perCredential = deps.config.streams.perCredential;

  app.get(
    "/events/stream",
    {
      // A HEAD would open a stream that never ends and never sends a byte.
      exposeHeadRoute: false,
      config: { access: "read:events" },
      schema: {
        tags: ["events"],
        operationId: "events.stream",
        "x-errors": [406],
        summary: "Follow the organization's events live (Server-Sent Events)",
        description:
          "Each event as `id: <event id>`, `event: <event name>` and `data: <the event as GET /v1/events/{id} " +
          "shows it>`, as it commits, with the same visibility as `GET /v1/events`. `Last-Event-ID` (or " +
          `\`last_event_id\`) first replays the stored events after that one (at most ${EVENT_RETENTION_DAYS} days ` +
          `back). A \`: heartbeat\` comment every ${deps.config.streams.heartbeatMs / 1000} s keeps proxies from ` +
          `closing an idle stream; \`retry: ${RECONNECT_MS}\` comes first. At most ${perCredential} open streams ` +
          "per credential (429 `too_many_streams`). A stream ends with `event: stream_closed` saying why " +
          "(credential revoked, server shutting down). See docs/streaming.md.",
        querystring: StreamQuery,
        headers: StreamHeaders,
        response: {
          200: {
            description: "An endless text/event-stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
        },
      },
    },
    async (request, reply) => {
      assertAcceptsEventStream(request);
      if (!streams.accepting()) {
        throw unavailable(
          reply,
          "shutting_down",
          "This server is shutting down; connect again to reach another",
        );
      }
      if (!live.listening()) {
        throw unavailable(
          reply,
          "events_unavailable",
          "Live events are not available yet; try again shortly",
        );
      }
      const fromHeader = request.headers["last-event-id"];
      const lastEventId = fromHeader ?? request.query.last_event_id;
      if (lastEventId && !(await streams.canResumeFrom(request.org, lastEventId))) {
        // As the list's `starting_after`: unknown, pruned and other organizations' ids alike.
        const field = fromHeader ? "Last-Event-ID" : "last_event_id";
        throw new ValidationError(
          field,
          `No event ${lastEventId} to resume after in the last ${EVENT_RETENTION_DAYS} days: connect without it and read what was missed from GET /v1/events`,
          "not_found",
          { location: fromHeader ? "headers" : "querystring" },
        );
      }
      const lease = await deps.concurrency.acquire(
        `event-streams:${request.principal.credentialId}`,
        perCredential,
      );
      if (!lease) {
        reply.header("Retry-After", String(RETRY_AFTER_S));
        throw new ApiError(
          "RATE_LIMIT_EXCEEDED",
          `Too many open event streams: a credential may hold ${perCredential} at once. Close one, or try again in ${RETRY_AFTER_S} seconds.`,
          { reason: "too_many_streams", limit: perCredential, retry_after: RETRY_AFTER_S },
        );
      }
      streams.stream(request, reply, { lease, lastEventId });
      return reply;
    },
  );
};
