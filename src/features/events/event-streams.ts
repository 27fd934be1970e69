import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { ApiError } from "../../platform/errors.js";
import type { Lease } from "../../platform/rate-limit/concurrency.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { eventFrame, type LiveEvent, type LiveEvents } from "./live-events.js";
import { createEventStore } from "./store.js";
import { canSeeEvent, type EventVisibility, eventVisibility } from "./visibility.js";

/** What a stream's last frame says about why it ended (`event: stream_closed`). */
export interface Closing {
  reason: string;
  message: string;
  /** Whether reconnecting (with Last-Event-ID) makes sense. */
  reconnect: boolean;
}

/** Advised to EventSource clients at the start (`retry:`): wait this long before reconnecting. */
export const RECONNECT_MS = 3_000;
// SPEC §1: a revoked key stops working within 1 s. The authenticator serves what it read at most
// 0.9 s ago, so each stream's credential is checked twice a second.
const CREDENTIAL_CHECK_MS = 500;
const REPLAY_PAGE = 500;
// A client that does not read lets Node buffer what is written to it; past this it is cut off
// and may resume with Last-Event-ID, rather than holding the process's memory.
const MAX_BUFFERED_BYTES = 1_048_576;
// Replayed events this recent may also arrive live (committed just as the stream opened); a
// transaction open longer than this is not expected.
const SEAM_WINDOW_MS = 10 * 60_000;
// By then every notification received before the replay ended has been relayed.
const SEAM_FORGET_MS = 60_000;

export const SHUTTING_DOWN: Closing = {
  reason: "shutting_down",
  message: "The server is shutting down: reconnect with Last-Event-ID to resume",
  reconnect: true,
};
const INTERRUPTED: Closing = {
  reason: "events_interrupted",
  message: "Live events were interrupted on the server: reconnect with Last-Event-ID to resume",
  reconnect: true,
};
const SLOW_CONSUMER: Closing = {
  reason: "slow_consumer",
  message: "Events were sent faster than they were read: reconnect with Last-Event-ID to resume",
  reconnect: true,
};

interface OpenStream {
  request: FastifyRequest;
  visibility: EventVisibility;
  end(closing: Closing): void;
}

/**
 * The open streams of this process: each relays its organization's live events that its
 * credential may see, re-checks that credential twice a second, and ends with a last frame
 * saying why (credential refused, server shutting down).
 */
export function createEventStreams(deps: {
  db: Db;
  live: LiveEvents;
  authenticator: Authenticator;
  heartbeatMs: number;
  log: Pick<FastifyBaseLogger, "error">;
}) {
  const store = createEventStore(deps.db);
  const open = new Set<OpenStream>();
  let checking = false;
  let closed = false;

  /** The request's credential as it stands now (revoked, deactivated, role changed…). */
  async function currentPrincipal(request: FastifyRequest): Promise<Principal> {
    const principal = await deps.authenticator.authenticate(request.headers.authorization);
    const orgHeader = request.headers["x-organization-id"];
    return typeof orgHeader === "string"
      ? deps.authenticator.switchOrganization(principal, orgHeader)
      : principal;
  }

  /** One check per credential, however many streams it holds open. */
  async function checkCredentials() {
    if (checking || open.size === 0) return;
    checking = true;
    const byCredential = new Map<string, OpenStream[]>();
    for (const stream of open) {
      const { authorization, "x-organization-id": orgHeader } = stream.request.headers;
      const key = `${authorization} ${orgHeader}`;
      byCredential.set(key, [...(byCredential.get(key) ?? []), stream]);
    }
    try {
      await Promise.all([...byCredential.values()].map(recheck));
    } finally {
      checking = false;
    }
  }

  async function recheck(streams: OpenStream[]) {
    let principal: Principal;
    try {
      principal = await currentPrincipal((streams[0] as OpenStream).request);
    } catch (error) {
      // Anything but a refusal (the database is down) neither confirms nor revokes: carry on.
      if (!(error instanceof ApiError)) return;
      const reason = String(error.details?.reason ?? error.code.toLowerCase());
      for (const stream of streams) stream.end({ reason, message: error.message, reconnect: false });
      return;
    }
    if (!principal.allowed.has("read:events")) {
      const refused = {
        reason: "insufficient_scope",
        message: "This credential no longer holds the scope read:events",
        reconnect: false,
      };
      for (const stream of streams) stream.end(refused);
      return;
    }
    const visibility = eventVisibility(principal);
    for (const stream of streams) stream.visibility = visibility;
  }

  const ticker = setInterval(() => void checkCredentials(), CREDENTIAL_CHECK_MS);
  ticker.unref();

  /**
   * Takes over the response: headers, `retry:`, the stored events after `lastEventId`, then live
   * events. Subscribing before the replay's first query leaves no gap at the seam; an event that
   * both the replay and the live side saw is sent once.
   */
  function stream(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { lease: Lease; lastEventId: string | undefined },
  ) {
    reply.hijack();
    const raw = reply.raw;
    // What the hooks set so far (X-Request-ID, X-RateLimit-*) goes out with the stream's own.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) raw.setHeader(name, value);
    }
    raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      // nginx would otherwise hold events back to fill its buffer.
      "x-accel-buffering": "no",
    });
    raw.write(`retry: ${RECONNECT_MS}\n\n`);

    let ended = false;
    let replaying = options.lastEventId !== undefined;
    const buffered: LiveEvent[] = [];
    const replayedRecently = new Set<string>();
    let forgetSeam: NodeJS.Timeout | undefined;

    const write = (chunk: string): boolean => {
      if (ended) return true;
      const flowing = raw.write(chunk);
      if (raw.writableLength > MAX_BUFFERED_BYTES) current.end(SLOW_CONSUMER);
      return flowing;
    };
    const relay = (event: LiveEvent) => {
      if (replayedRecently.delete(event.id)) return;
      if (canSeeEvent(current.visibility, event)) write(event.frame);
    };
    const unsubscribe = deps.live.subscribe(request.org.orgId, {
      onEvent: (event) => (replaying ? buffered.push(event) : relay(event)),
      onInterrupted: () => current.end(INTERRUPTED),
    });
    const heartbeat = setInterval(() => write(": heartbeat\n\n"), deps.heartbeatMs);
    heartbeat.unref();

    const cleanUp = () => {
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(forgetSeam);
      unsubscribe();
      if (open.delete(current)) void options.lease.release();
    };
    const current: OpenStream = {
      request,
      visibility: eventVisibility(request.principal),
      end(closing) {
        if (ended) return;
        // Cleaned up first, so that the last frame cannot end the stream a second time (a
        // client too slow to read is over the buffer limit still).
        cleanUp();
        raw.end(`event: stream_closed\ndata: ${JSON.stringify(closing)}\n\n`);
      },
    };
    open.add(current);
    raw.on("close", cleanUp);

    if (!replaying) return;
    const drained = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          raw.off("drain", done);
          raw.off("close", done);
          resolve();
        };
        raw.on("drain", done);
        raw.on("close", done);
      });
    void (async () => {
      let after = options.lastEventId as string;
      const seamSince = new Date(Date.now() - SEAM_WINDOW_MS);
      for (;;) {
        const rows = await store.after(request.org, current.visibility, after, REPLAY_PAGE);
        for (const row of rows) {
          if (ended) return;
          if (row.created_at >= seamSince) replayedRecently.add(row.id);
          if (!write(eventFrame(row))) await drained();
        }
        if (rows.length < REPLAY_PAGE) break;
        after = (rows[rows.length - 1] as { id: string }).id;
      }
      replaying = false;
      for (const event of buffered.splice(0)) relay(event);
      forgetSeam = setTimeout(() => replayedRecently.clear(), SEAM_FORGET_MS);
      forgetSeam.unref();
    })().catch((error: unknown) => {
      deps.log.error({ err: error }, "event stream replay failed");
      current.end(INTERRUPTED);
    });
  }

  return {
    /** Whether `id` is a place this organization's stream can resume from. */
    canResumeFrom: (ctx: OrgContext, id: string) => store.exists(ctx, id),
    stream,
    /** Ends every open stream with a last frame saying why (SIGTERM: the drain need not wait for them). */
    closeAll(closing: Closing): void {
      closed = true;
      clearInterval(ticker);
      for (const stream of [...open]) stream.end(closing);
    },
    /** False once closeAll ran: the server is going away. */
    accepting: () => !closed,
  };
}

export type EventStreams = ReturnType<typeof createEventStreams>;
