import type { FastifyBaseLogger } from "fastify";

/**
 * postgres.js 3.4 defers small writes to a setImmediate; when the connection closes first, the
 * deferred write reads a null socket and throws outside any promise, which would end the process
 * (porsager/postgres#1154, #1208; fixes proposed, not released). The query it belonged to has
 * already been rejected with CONNECTION_CLOSED by then, so there is nothing left to handle. It
 * happens when PostgreSQL goes away under load, and at every Ctrl-C in a terminal, which stops
 * the embedded PostgreSQL while the workers are still talking to it.
 */
export function isClosedSocketWrite(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? "") &&
    /nextWrite/.test(error.stack ?? "")
  );
}

// 57P01/57P02: PostgreSQL ends the session (shutdown, a crashed sibling) and closes the connection.
const CONNECTION_LOST = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
]);

/** A connection dropped by the server, as the driver reports it. */
export function isConnectionLost(error: unknown): boolean {
  return CONNECTION_LOST.has(String((error as { code?: unknown } | null)?.code));
}

/**
 * Logs that one driver error instead of crashing, and while stopping also the driver's other
 * reports of a vanished server (the process is on its way out, within a bounded time). Anything
 * else uncaught still ends the process.
 */
export function guardAgainstClosedSocketWrites(log: FastifyBaseLogger, isStopping: () => boolean): void {
  process.on("uncaughtException", (error) => {
    if (isClosedSocketWrite(error) || (isStopping() && isConnectionLost(error))) {
      log.warn({ err: error }, "a database connection closed under the driver; continuing");
      return;
    }
    log.fatal({ err: error }, "uncaught exception");
    process.exit(1);
  });
}
