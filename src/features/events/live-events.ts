import type { FastifyBaseLogger } from "fastify";
import type { Db, Notifications } from "../../platform/db/connection.js";
import { createVerifiedListen } from "../../platform/db/verified-listen.js";
import { EVENTS_CHANNEL, eventNotice } from "../../platform/events.js";
import { systemOrgContext } from "../../platform/tenancy.js";
import { toEvent } from "./format.js";
import { createEventStore, type EventRow } from "./store.js";

/** A committed event on its way to the open streams of its organization. */
export interface LiveEvent {
  id: string;
  resource_type: string;
  data: unknown;
  /** The Server-Sent Events frame, formatted once for every stream that may see it. */
  frame: string;
}

export interface LiveSubscriber {
  onEvent(event: LiveEvent): void;
  /** Events may have been missed (the LISTEN connection was lost): resume from stored events. */
  onInterrupted(): void;
}

export interface LiveEvents {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether this process hears NOTIFYs now; a stream opened before that could miss events. */
  listening(): boolean;
  /** Follows one organization's events from now on; the returned function stops. */
  subscribe(orgId: string, subscriber: LiveSubscriber): () => void;
}

// Ids of the latest notices, so that one delivered twice (a listener added twice) is relayed once.
const RECENT_NOTICES = 10_000;
// Ids loaded in one query; a burst (an import) is loaded in batches of this size, in order.
const LOAD_BATCH = 500;

/** `id`, `event` and `data` lines; JSON.stringify escapes newlines, so data is one line. */
export function eventFrame(row: EventRow): string {
  return `id: ${row.id}\nevent: ${row.name}\ndata: ${JSON.stringify(toEvent(row))}\n\n`;
}

/**
 * One LISTEN per process for every stream it serves (SPEC §1: an event committed through any
 * process arrives on streams held by any other). A NOTIFY carries only ids; the event is loaded
 * once, and only when this process has a stream of that organization, then handed to each of
 * them in the order the notifications arrived (commit order).
 */
export function createLiveEvents(deps: {
  db: Db;
  notifications: Notifications;
  log: Pick<FastifyBaseLogger, "warn" | "error">;
}): LiveEvents {
  const store = createEventStore(deps.db);
  const subscribers = new Map<string, Set<LiveSubscriber>>();
  const pending: Array<{ orgId: string; eventId: string }> = [];
  let pumping = false;
  const recent = new Set<string>();

  function interrupt(orgIds: Iterable<string>) {
    for (const orgId of orgIds)
      for (const subscriber of subscribers.get(orgId) ?? []) subscriber.onInterrupted();
  }

  function onNotify(payload: string) {
    const notice = eventNotice.parse(payload);
    if (!notice || recent.has(notice.eventId)) return;
    recent.add(notice.eventId);
    if (recent.size > RECENT_NOTICES) recent.delete(recent.values().next().value as string);
    if (!subscribers.has(notice.orgId)) return;
    pending.push(notice);
    if (!pumping) void pump();
  }

  async function load(batch: typeof pending): Promise<Map<string, EventRow>> {
    const byOrg = new Map<string, string[]>();
    for (const { orgId, eventId } of batch) byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), eventId]);
    const rows = new Map<string, EventRow>();
    await Promise.all(
      [...byOrg].map(async ([orgId, ids]) => {
        try {
          for (const row of await store.byIds(systemOrgContext(orgId), ids)) rows.set(row.id, row);
        } catch (error) {
          deps.log.error({ err: error }, "cannot load live events; their streams resume from stored events");
          interrupt([orgId]);
        }
      }),
    );
    return rows;
  }

  async function pump() {
    pumping = true;
    try {
      while (pending.length > 0) {
        const batch = pending.splice(0, LOAD_BATCH);
        const rows = await load(batch);
        for (const { orgId, eventId } of batch) {
          const row = rows.get(eventId);
          if (!row) continue;
          const event = {
            id: row.id,
            resource_type: row.resource_type,
            data: row.data,
            frame: eventFrame(row),
          };
          for (const subscriber of subscribers.get(orgId) ?? []) subscriber.onEvent(event);
        }
      }
    } finally {
      pumping = false;
    }
  }

  const listen = createVerifiedListen({
    db: deps.db,
    notifications: deps.notifications,
    channel: EVENTS_CHANNEL,
    onNotify,
    // Every stream resumes from stored events (Last-Event-ID), so nothing missed is lost.
    onInterrupted: () => interrupt([...subscribers.keys()]),
    log: deps.log,
  });

  return {
    start: () => listen.start(),
    stop: () => listen.stop(),
    listening: () => listen.hearing(),
    subscribe(orgId, subscriber) {
      const set = subscribers.get(orgId) ?? new Set();
      set.add(subscriber);
      subscribers.set(orgId, set);
      return () => {
        set.delete(subscriber);
        if (set.size === 0 && subscribers.get(orgId) === set) subscribers.delete(orgId);
      };
    },
  };
}
