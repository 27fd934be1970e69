import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import type { Db, Notifications } from "./connection.js";

export interface VerifiedListen {
  /** Listens, and waits a moment for the first probe to come back. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether a probe sent through the database came back lately: notifications arrive. */
  hearing(): boolean;
}

const TICK_MS = 1_000;
// Once hearing, a probe this often; one not back within DEAF_AFTER_MS means deaf.
const PROBE_EVERY_MS = 10_000;
const DEAF_AFTER_MS = 5_000;
// While deaf, listening is tried again after this, then twice as long each time (postgres.js keeps
// every listener it was given, so each attempt adds one while the outage lasts), up to the cap.
const RELISTEN_AFTER_MS = 5_000;
const RELISTEN_CAP_MS = 300_000;
const FIRST_PROBE_WAIT_MS = 2_000;
const UNLISTEN_LIMIT_MS = 1_000;

/**
 * A LISTEN that checks it hears. postgres.js re-listens by itself after a lost connection, even
 * when the first LISTEN failed (the database was down at start-up), but after repeated failures
 * a listener can end up registered where no notification reaches it. So this NOTIFYs a probe of
 * its own now and then: while no probe comes back, `hearing()` is false (a caller refuses work
 * that needs notifications), `onInterrupted` says that some may have been missed, and listening
 * is tried again (a second listener may then deliver a payload twice: the caller drops repeats).
 */
export function createVerifiedListen(deps: {
  db: Db;
  notifications: Notifications;
  channel: string;
  onNotify(payload: string): void;
  /** Notifications may have been missed: the connection was lost, or nothing was heard. */
  onInterrupted(): void;
  log: Pick<FastifyBaseLogger, "warn">;
}): VerifiedListen {
  const probePrefix = `probe:${randomBytes(8).toString("hex")}:`;
  const unlistens: Array<Promise<(() => Promise<void>) | null>> = [];
  let running = false;
  let hearing = false;
  let listens = 0;
  let lastListenAt = 0;
  let relistenAfterMs = RELISTEN_AFTER_MS;
  let listenPending = false;
  let outstanding: { payload: string; sentAt: number } | null = null;
  let lastHeardAt = 0;
  let heard: () => void = () => {};
  let ticker: NodeJS.Timeout | undefined;

  function onNotify(payload: string) {
    if (!payload.startsWith(probePrefix)) return deps.onNotify(payload);
    if (payload !== outstanding?.payload) return;
    outstanding = null;
    lastHeardAt = Date.now();
    hearing = true;
    relistenAfterMs = RELISTEN_AFTER_MS;
    heard();
  }

  // The first is the first LISTEN; any later one follows a lost connection.
  function onListen() {
    listens += 1;
    if (listens > 1) becomeDeaf();
    void probe();
  }

  function becomeDeaf() {
    if (!hearing) return;
    hearing = false;
    deps.onInterrupted();
  }

  function listen() {
    lastListenAt = Date.now();
    listenPending = true;
    const attempt = deps.notifications.listen(deps.channel, onNotify, onListen).then(
      async (stop) => {
        listenPending = false;
        if (running) return stop;
        await stop();
        return null;
      },
      (error: unknown) => {
        listenPending = false;
        deps.log.warn({ err: error, channel: deps.channel }, "cannot listen yet; trying again");
        return null;
      },
    );
    unlistens.push(attempt);
  }

  async function probe() {
    if (!running) return;
    const payload = `${probePrefix}${Date.now()}`;
    outstanding = { payload, sentAt: Date.now() };
    await sql`SELECT pg_notify(${deps.channel}, ${payload})`.execute(deps.db).catch(() => {});
  }

  function tick() {
    const now = Date.now();
    if (outstanding && now - outstanding.sentAt > DEAF_AFTER_MS) {
      outstanding = null;
      becomeDeaf();
    }
    if (!hearing && !listenPending && now - lastListenAt > relistenAfterMs) {
      relistenAfterMs = Math.min(relistenAfterMs * 2, RELISTEN_CAP_MS);
      listen();
    }
    if (!outstanding && (!hearing || now - lastHeardAt >= PROBE_EVERY_MS)) void probe();
  }

  return {
    async start() {
      if (running) return;
      running = true;
      const first = new Promise<void>((resolve) => {
        heard = resolve;
      });
      listen();
      ticker = setInterval(tick, TICK_MS);
      ticker.unref();
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, FIRST_PROBE_WAIT_MS).unref())]);
    },
    async stop() {
      running = false;
      hearing = false;
      clearInterval(ticker);
      // With the database down a LISTEN may never settle, and an UNLISTEN waits for a
      // reconnection that never comes: neither is waited for beyond a moment (closing the pool
      // ends the connection anyway).
      const stopping = unlistens.splice(0).map(async (attempt) => (await attempt)?.().catch(() => {}));
      await Promise.race([
        Promise.all(stopping),
        new Promise((resolve) => setTimeout(resolve, UNLISTEN_LIMIT_MS).unref()),
      ]);
      listens = 0;
    },
    hearing: () => hearing,
  };
}
