import { Kysely } from "kysely";
import postgres from "postgres";
import { PostgresJsDialect } from "./dialect.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;

/** PostgreSQL LISTEN: a NOTIFY sent in a transaction arrives at every process once it commits. */
export interface Notifications {
  /**
   * Calls onNotify for each notification on channel, and also (with an empty payload) each time
   * listening starts again after the connection was lost, since notifications sent meanwhile
   * were missed. onListen runs each time listening (re)starts. The returned function stops
   * listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
}

export interface DbHandle {
  db: Db;
  notifications: Notifications;
  close(): Promise<void>;
  /** `SELECT 1` within a deadline, for `/ready`. */
  ping(timeoutMs?: number): Promise<boolean>;
}

export function connect(url: string, options: { max?: number } = {}): DbHandle {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A database that is down must answer within a bound instead of queueing requests behind it:
    // a connection attempt gives up after connect_timeout, and after failed attempts postgres.js
    // waits `backoff` seconds before the next one, by default growing to 20 s, and a request
    // waits with it. Half a second at most keeps a dead server's 503 within 5.5 s and lets
    // service (and LISTEN, whose connection inherits this) resume within 0.5 s of its return.
    connect_timeout: 5,
    backoff: (retries: number) => Math.min(retries * 0.1, 0.5),
    connection: { application_name: "voltasis" },
  });
  const db = new Kysely<Database>({ dialect: new PostgresJsDialect(client) });
  return {
    db,
    notifications: {
      async listen(channel, onNotify, onListen) {
        // postgres.js keeps one extra connection for all of this process's channels, and LISTENs
        // again by itself when it comes back (after `backoff`).
        let first = true;
        const subscription = await client.listen(channel, onNotify, () => {
          if (!first) onNotify("");
          first = false;
          onListen?.();
        });
        return () => subscription.unlisten();
      },
    },
    close: () => db.destroy(),
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const query = client`SELECT 1`.then(
        () => true,
        () => false,
      );
      const result = await Promise.race([query, deadline]);
      clearTimeout(timer);
      return result;
    },
  };
}
